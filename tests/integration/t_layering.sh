# The rooms (STYLE.md, README "Layout"): calls go down only.  common/ uses
# libc alone; playlists/ uses common/, libconfig and ICU; media/ adds
# FFmpeg and fontconfig, never SDL; player/, scheduler/ and tools/ never
# call each other (tools/ may use the scheduler's validator, never the
# player); sync/ (signage-sync) uses playlists/ and common/ with libcurl.
# Checked on every #include of every source file.
. "$SRCDIR/tests/integration/lib.sh"

# includes DIR: every "file" and <file> a room's sources include, one a line.
includes() {
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' \
        "$SRCDIR/$1"/*.c "$SRCDIR/$1"/*.h | sort -u
}
# only_from NAME DIR PATTERN: ok when every project include of DIR matches PATTERN
# and no SDL, FFmpeg or other room's header is reached.
only_from() {
    bad=$(includes "$2" | grep -E '^(common|playlists|media|scheduler|player|tools|sync)/|^SDL|^lib(av|sw)|^fontconfig|^poppler|^libheif|^jansson|^systemd|^curl' |
        grep -Ev "$3")
    if [ -z "$bad" ]; then ok "$1"; else fail "$1: $(echo $bad)"; fi
}
only_from "common/ includes nothing of the project above it, no library but libc" common '^common/'
only_from "playlists/ uses common/ only (with libconfig and ICU)" playlists '^(common|playlists)/'
only_from "media/ uses playlists/ and common/, FFmpeg and fontconfig, never SDL" media \
    '^(common|playlists|media)/|^lib(av|sw)|^fontconfig'
only_from "scheduler/ never includes the player or signagectl" scheduler \
    '^(common|playlists|media|scheduler)/|^lib(av|sw)|^poppler|^libheif|^jansson|^systemd'
only_from "player/ never includes the scheduler or signagectl" player \
    '^(common|playlists|media|player)/|^SDL|^lib(av|sw)|^jansson|^systemd|^fontconfig'
only_from "tools/ (signagectl) never includes the player or SDL" tools \
    '^(common|playlists|media|scheduler|tools)/|^jansson'
only_from "sync/ (signage-sync) uses playlists/ and common/, libcurl and systemd only" sync \
    '^(common|playlists|sync)/|^curl/|^systemd'
# and the check itself can fail: a header that reaches SDL is seen
mkdir -p "$T/fake/common"
printf '#include <SDL.h>\n#include "player/app.h"\n' >"$T/fake/common/x.c"
: >"$T/fake/common/x.h"
bad=$( (SRCDIR=$T/fake; includes common) | grep -cE '^SDL|^player/')
check "the check sees SDL and player/ included from common/ (self-test)" [ "$bad" = 2 ]

# The player's decisions are pure: plan.c reaches no SDL, thread, clock or
# drawing; it is tested alone (tests/unit/test_plan.c).
bad=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' \
    "$SRCDIR/player/plan.c" "$SRCDIR/player/plan.h" |
    grep -E '^SDL|pthread|^common/clock|^player/(prep|render|playout|video|image|text|app)|^lib(av|sw)|^time\.h')
check "player/plan.c includes no SDL, thread, clock or drawing${bad:+: $(echo $bad)}" [ -z "$bad" ]

# What each program links: signagectl no FFmpeg, SDL, fontconfig or poppler
# (check and preview are signagectl-media's); the media libraries are the
# scheduler's, the player's and signagectl-media's.
links() { ldd "$BUILD/$1" | awk '{print $1}'; }
heavy='^lib(av|sw|SDL|fontconfig|poppler|heif|cairo)'
check "signagectl links no FFmpeg, SDL, fontconfig or poppler: $(links signagectl | grep -E "$heavy" | tr '\n' ' ')" \
    sh -c "! ldd '$BUILD/signagectl' | awk '{print \$1}' | grep -qE '$heavy'"
check "signage-sync links no FFmpeg, SDL, fontconfig or poppler: $(links signage-sync | grep -E "$heavy" | tr '\n' ' ')" \
    sh -c "! ldd '$BUILD/signage-sync' | awk '{print \$1}' | grep -qE '$heavy'"
check "signage-sync does link libcurl" sh -c "ldd '$BUILD/signage-sync' | grep -q libcurl"
check "signagectl-media does link FFmpeg (the check above can fail)" \
    sh -c "ldd '$BUILD/signagectl-media' | grep -q libavformat"
check "signagectl-media never links SDL" sh -c "! ldd '$BUILD/signagectl-media' | grep -q libSDL"
# signagectl without its helper says what is missing
mkdir -p "$T/alone"
cp "$BUILD/signagectl" "$T/alone/"
printf 'screens = ( { id = "a"; width = 1920; height = 1080; } );\nstate = "%s/st";\n' "$T" >"$T/alone/s.cfg"
"$T/alone/signagectl" -c "$T/alone/s.cfg" check x.cfg >"$T/alone.out" 2>&1
rc=$?
check "signagectl check without signagectl-media: exit 1" [ "$rc" = 1 ]
check "... and it names what is missing" grep -q "check needs signagectl-media" "$T/alone.out"
"$T/alone/signagectl" -c "$T/alone/s.cfg" list >"$T/alone.list" 2>&1
check "signagectl list works without signagectl-media" [ $? = 0 ]

# The compiler enforces it too: each room is compiled with its own
# libraries' header paths only (Makefile ROOM_PKGS), so <SDL.h>, poppler's
# or glib's headers are not even reachable from common/ or playlists/.
# (Debian's FFmpeg headers live on the system's own include path, reachable
# from anywhere: the #include check above is what keeps them out.)
cflags_of() { make -s -n -C "$SRCDIR" BUILD="$T/rooms" "$T/rooms/$1" 2>/dev/null | grep -- ' -c '; }
for o in common/strbuf.o playlists/schedule.o; do
    c=$(cflags_of "$o")
    check "$o is compiled ($(echo "$c" | wc -l) command) without SDL's, poppler's or glib's headers" \
        sh -c "[ -n '$c' ] && ! echo '$c' | grep -qE 'SDL2|libav|poppler|glib'"
done
c=$(cflags_of player/render.o)
check "player/render.o is compiled with SDL's headers (the check above can fail)" \
    sh -c "echo '$c' | grep -q SDL2"

# Unit tests link their room only: the plan's suite links no SDL or FFmpeg
# (it could not decide what is billed with a renderer in reach), the
# schedule's only libconfig, ICU and Check.
if [ -x "$BUILD/tests/test_plan" ]; then
    check "test_plan links no SDL or FFmpeg: $(links tests/test_plan | grep -E "$heavy" | tr '\n' ' ')" \
        sh -c "! ldd '$BUILD/tests/test_plan' | awk '{print \$1}' | grep -qE '$heavy'"
    check "test_schedule links no jansson, SDL or FFmpeg" \
        sh -c "! ldd '$BUILD/tests/test_schedule' | awk '{print \$1}' | grep -qE '$heavy|jansson'"
fi
