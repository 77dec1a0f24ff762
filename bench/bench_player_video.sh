#!/bin/sh
# bench_player_video - signage-player playing a 1080p30 H.264 clip vs ffplay
# on the same file and the same (virtual, Xvfb 1920x1080) display, in the
# same run.  Both run fullscreen for SECS seconds (default 10, the clip's
# length) from start-up; figures: CPU seconds (utime + stime of the whole
# process, from /proc/PID/stat), frames presented (the player's --frame-log;
# ffplay's frames are the clip's minus the drops its status line reports),
# and the player's present-interval p50/p99.  Xvfb has no GPU, so both draw
# with SDL's software path: the ratio is what to look at, not the absolutes.
set -u
BUILD=${BUILD:-build}
PLAYER=$BUILD/signage-player
SECS=${BENCH_PLAYER_SECONDS:-10}
if [ ! -x "$PLAYER" ]; then
    echo "bench_player_video: $PLAYER not built; skipped"
    exit 0
fi
for c in Xvfb ffplay ffmpeg; do
    command -v $c >/dev/null 2>&1 || { echo "bench_player_video: no $c; skipped"; exit 0; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/bench_player_video.XXXXXX")
XPID=
cleanup() {
    [ -n "$XPID" ] && kill "$XPID" 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
S=$T/state
mkdir -p "$S/media" "$S/playlists"

ffmpeg -nostdin -v error -y -f lavfi -t "$SECS" -i testsrc2=size=1920x1080:rate=30 \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p "$T/clip.mp4" || exit 1
FRAMES=$((SECS * 30))
H=$(sha256sum "$T/clip.mp4" | cut -d' ' -f1)
cp "$T/clip.mp4" "$S/media/$H.mp4"
DUR=$((SECS + 5))
cat >"$S/playlists/b.playlist" <<EOF
format = 1;
screen = "b";
timezone = "Asia/Tokyo";
width = 1920; height = 1080;
rotate = 0;
generation = 1L;
generated_at = "2023-03-10T00:00:00.000+09:00";
fallback = ( { campaign = "-"; item = 0; type = "text"; duration = 5.000; text = "fallback"; } );
windows = ( { start = "2023-03-10T12:00:00.000+09:00"; end = "2023-03-10T13:00:00.000+09:00";
  priority = 50; loop = (
  { campaign = "bench"; item = 0; type = "video"; duration = $DUR.000;
    media = "media/$H.mp4"; sha256 = "$H"; background = "#000000"; }
  ); } );
EOF

# a free display number
d=90
while [ -e /tmp/.X11-unix/X$d ] || [ -e /tmp/.X$d-lock ]; do d=$((d + 1)); done
Xvfb :$d -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
XPID=$!
i=0
while [ ! -e /tmp/.X11-unix/X$d ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /tmp/.X11-unix/X$d ] || { echo "bench_player_video: Xvfb did not start"; exit 1; }
export DISPLAY=:$d SDL_AUDIODRIVER=dummy
TCK=$(getconf CLK_TCK)

# cpu PID: seconds of CPU used so far by the whole process.
cpu() { awk -v t="$TCK" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"; }

# the player, its clock starting where the window (and the video) starts
"$PLAYER" --playlist "$S/playlists/b.playlist" --clock 2023-03-10T12:00:00+09:00 \
    --frame-log "$T/frames.log" 2>"$T/player.err" &
P=$!
sleep "$SECS"
PCPU=$(cpu $P 2>/dev/null || echo -1)
kill -TERM $P 2>/dev/null
wait $P
PPRES=$(wc -l <"$T/frames.log" 2>/dev/null || echo 0)
# frames showing a new video picture cannot be told from the log; presents
# are counted, and their intervals
PINT=$(awk 'NR > 1 { print $1 - prev } { prev = $1 }' "$T/frames.log" | sort -n |
    awk '{ v[NR] = $1 }
    END {
        if (!NR) { print "- - -"; exit }
        p99 = int(NR * 0.99) + 1; if (p99 > NR) p99 = NR
        printf "%d %d %d", v[int(NR * 0.5) + 1], v[p99], v[NR]
    }')

# ffplay, fullscreen, muted
ffplay -fs -an -autoexit -stats -loglevel error "$T/clip.mp4" 2>"$T/ffplay.err" &
F=$!
sleep "$SECS"
FCPU=$(cpu $F 2>/dev/null || echo -1)
kill -TERM $F 2>/dev/null
wait $F 2>/dev/null
FDROP=$(tr '\r' '\n' <"$T/ffplay.err" | sed -n 's/.*fd= *\([0-9]*\).*/\1/p' | tail -1)
FDROP=${FDROP:-0}
FPRES=$((FRAMES - FDROP))

echo "display: Xvfb 1920x1080, clip: $SECS s 1080p30 H.264 ($FRAMES frames), window: $SECS s each"
echo "signage-player: CPU $PCPU s, $PPRES presents, interval ms p50/p99/max $PINT"
echo "ffplay:         CPU $FCPU s, ~$FPRES video frames shown ($FDROP dropped)"
awk -v a="$PCPU" -v b="$FCPU" 'BEGIN { if (b > 0) printf "CPU ratio player/ffplay: %.2f\n", a / b }'
if grep -q -i "error" "$T/player.err"; then
    echo "player errors:"; grep -i error "$T/player.err" | head -5
fi
