#!/bin/sh
# signage-player end to end: screenshots of each item type checked pixel by
# pixel, the real loop headless with a fast clock across window edges (the
# proof-of-play log and the frame log checked against the schedule worked
# out by hand), broken media, a playlist replaced by garbage and then by a
# new one, signals, bad options.  Playlists are written by hand and media
# made with ffmpeg's lavfi sources, so nothing here needs the scheduler.
. tests/integration/lib.sh

# Headless: SDL's "dummy" driver with the software renderer.  ("offscreen"
# works too, but loads EGL/Mesa, whose start-up leaks LeakSanitizer reports.)
export SDL_VIDEODRIVER=dummy
export SDL_AUDIODRIVER=dummy
S=$T/state
mkdir -p "$S/playlists" "$S/media"

# store FILE EXT: moves FILE into media/ under its sha256; prints "sha path".
store() {
    h=$(sha256sum "$1" | cut -d' ' -f1)
    mv "$1" "$S/media/$h.$2"
    echo "$h media/$h.$2"
}

ff -f lavfi -i color=c=red:s=320x240 -frames:v 1 "$T/red.png"
set -- $(store "$T/red.png" png); RED=$1 REDP=$2
ff -f lavfi -i testsrc2=s=320x180:r=25:d=4 -c:v libx264 -pix_fmt yuv420p "$T/clip.mp4"
cp "$T/clip.mp4" "$T/clip-ref.mp4"
set -- $(store "$T/clip.mp4" mp4); VID=$1 VIDP=$2
# a portrait picture: red top half, blue bottom half
ff -f lavfi -i color=c=red:s=1080x960 -f lavfi -i color=c=blue:s=1080x960 \
    -filter_complex vstack -frames:v 1 "$T/tall.png"
set -- $(store "$T/tall.png" png); TALL=$1 TALLP=$2
# broken media: a corrupt PNG, a text file named .png, a missing file
head -c 300 "$S/media/$RED.png" >"$T/bad.png"
head -c 3000 /dev/urandom >>"$T/bad.png"
set -- $(store "$T/bad.png" png); BAD=$1 BADP=$2
echo "this is not a picture" >"$T/txt.png"
set -- $(store "$T/txt.png" png); TXT=$1 TXTP=$2
MISS=0000000000000000000000000000000000000000000000000000000000000000
MISSP=media/$MISS.png

slot_img() { # campaign item duration sha path [background]
    printf '%s\n' "{ campaign = \"$1\"; owner = \"高知県\"; title = \"T $1\"; item = $2; type = \"image\"; duration = $3.000; media = \"$5\"; sha256 = \"$4\"; background = \"${6:-#0000ff}\"; }"
}
slot_vid() { # campaign item duration sha path
    printf '%s\n' "{ campaign = \"$1\"; owner = \"高知県\"; title = \"T $1\"; item = $2; type = \"video\"; duration = $3.000; media = \"$5\"; sha256 = \"$4\"; background = \"#000000\"; }"
}
slot_txt() { # campaign item duration text bg fg
    printf '%s\n' "{ campaign = \"$1\"; owner = \"高知県\"; title = \"T $1\"; item = $2; type = \"text\"; duration = $3.000; text = \"$4\"; background = \"$5\"; color = \"$6\"; }"
}
# playlist FILE GEN W H ROTATE FALLBACK-SLOTS WINDOWS
playlist() {
    cat >"$1.tmp" <<EOF
format = 1;
screen = "t";
timezone = "Asia/Tokyo";
width = $3; height = $4;
rotate = $5;
generation = $2L;
generated_at = "2023-03-10T00:00:00.000+09:00";
fallback = ( $6 );
windows = ( $7 );
EOF
    mv "$1.tmp" "$1"
}
win() { # start end slots...
    s=$1 e=$2; shift 2
    loop=$(printf '%s,\n' "$@" | sed '$ s/,$//')
    printf '%s\n' "{ start = \"$s\"; end = \"$e\"; priority = 50; loop = ( $loop ); }"
}
FB=$(slot_txt - 0 4 '東京都\nフォールバック' '#0b2545' '#ffffff')

# pix FILE X Y: "R G B" of one pixel.
pix() {
    ffmpeg -nostdin -loglevel error -i "$1" -vf "crop=1:1:$2:$3" -f rawvideo -pix_fmt rgb24 - |
        od -An -tu1 | awk '{print $1, $2, $3}'
}
# near "R G B" R G B: each channel within 24.
near() {
    set -- $1 "$2" "$3" "$4"
    [ $(( ($1-$4)*($1-$4) < 576 && ($2-$5)*($2-$5) < 576 && ($3-$6)*($3-$6) < 576 )) = 1 ]
}
size_of() { ffprobe -v error -select_streams v -show_entries stream=width,height -of csv=p=0 "$1"; }

# --- screenshots -------------------------------------------------------
PL=$S/playlists/t.playlist
playlist "$PL" 1 480 270 0 "$FB" "$(win 2023-03-10T12:00:00+09:00 2023-03-10T12:01:00+09:00 \
    "$(slot_img alpha 0 7 $RED $REDP)" \
    "$(slot_txt alpha 1 6 '牧野博士の新休日' '#1b5e20' '#ffff00')"),
    $(win 2023-03-10T12:01:00+09:00 2023-03-10T12:01:40+09:00 "$(slot_vid beta 0 5 $VID $VIDP)")"
shot() { # TIME OUT [more options]
    t=$1 o=$2; shift 2
    "$PLAYER" --playlist "$PL" --screenshot-at "$t" --out "$o" "$@" 2>>"$T/shot.err"
}

check "screenshot of an image exits 0" shot 2023-03-10T12:00:01 "$T/img.png"
check "image screenshot is the screen's size" [ "$(size_of "$T/img.png")" = "480,270" ]
# 320x240 fitted into 480x270: 360x270 centred, x 60..419, blue bars beside it
check "image in the middle is red" near "$(pix "$T/img.png" 240 135)" 255 0 0
check "image reaches its left edge" near "$(pix "$T/img.png" 62 10)" 255 0 0
check "letterbox left of the image in the slot's background" near "$(pix "$T/img.png" 30 135)" 0 0 255
check "letterbox right of the image" near "$(pix "$T/img.png" 450 260)" 0 0 255

check "screenshot of a text slide exits 0" shot 2023-03-10T12:00:08 "$T/txt.png"
check "text slide background colour" near "$(pix "$T/txt.png" 3 3)" 0x1b 0x5e 0x20
# the text colour is there: count yellow-ish pixels
yellow=$(ffmpeg -nostdin -loglevel error -i "$T/txt.png" -f rawvideo -pix_fmt rgb24 - | od -An -tu1 -v |
    tr -s ' ' '\n' | grep -v '^$' | awk '{v[NR%3]=$1} NR%3==0 {if (v[1]>200 && v[2]>200 && v[0]<80) n++} END {print n+0}')
check "text drawn in its colour ($yellow pixels)" [ "$yellow" -gt 2000 ]
check "text covers a good part of the slide" [ "$yellow" -gt $((480 * 270 / 30)) ]

# video: 2.5 s into the slot the frame with pts <= 2.5 s is frame 62 (25 fps)
check "screenshot of a video exits 0" shot 2023-03-10T12:01:02.500 "$T/vid.png"
ff -i "$T/clip-ref.mp4" -vf "select=eq(n\,62),scale=480:270" -frames:v 1 "$T/ref62.png"
ff -i "$T/clip-ref.mp4" -vf "select=eq(n\,30),scale=480:270" -frames:v 1 "$T/ref30.png"
psnr() { ffmpeg -nostdin -hide_banner -i "$1" -i "$2" -lavfi psnr -f null - 2>&1 |
    sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' | sed 's/inf/99/'; }
ff -i "$T/clip-ref.mp4" -vf "select=eq(n\,61),scale=480:270" -frames:v 1 "$T/ref61.png"
p62=$(psnr "$T/vid.png" "$T/ref62.png")
p61=$(psnr "$T/vid.png" "$T/ref61.png")
p30=$(psnr "$T/vid.png" "$T/ref30.png")
check "video frame matches ffmpeg's frame at 2.48 s (PSNR $p62 dB)" awk "BEGIN{exit !($p62 > 24)}"
check "and not the frame before (PSNR $p61 dB)" awk "BEGIN{exit !($p62 > $p61 + 4)}"
check "nor frame 30 (PSNR $p30 dB)" awk "BEGIN{exit !($p62 > $p30 + 8)}"

check "outside every window: the fallback" shot 2023-03-10T11:00:00 "$T/fb.png"
check "fallback slide background" near "$(pix "$T/fb.png" 3 3)" 0x0b 0x25 0x45
check "--size scales the picture" shot 2023-03-10T12:00:01 "$T/small.png" --size 240x135
check "--size gives that size" [ "$(size_of "$T/small.png")" = "240,135" ]
check "scaled image still red in the middle" near "$(pix "$T/small.png" 120 67)" 255 0 0

# portrait: a 1080x1920 screen mounted rotate = 90, screenshot upright
PPL=$S/playlists/p.playlist
playlist "$PPL" 1 1080 1920 90 "$FB" "$(win 2023-03-10T00:00:00+09:00 2023-03-11T00:00:00+09:00 \
    "$(slot_img tall 0 10 $TALL $TALLP)")"
check "portrait screenshot exits 0" "$PLAYER" --playlist "$PPL" --screenshot-at 2023-03-10T12:00:00 \
    --out "$T/portrait.png"
check "portrait screenshot is 1080x1920" [ "$(size_of "$T/portrait.png")" = "1080,1920" ]
check "portrait upright: red on top" near "$(pix "$T/portrait.png" 540 100)" 255 0 0
check "portrait upright: blue below" near "$(pix "$T/portrait.png" 540 1800)" 0 0 255

# no playlist at all: the built-in slide, never black
check "no playlist: screenshot still made" "$PLAYER" --playlist "$T/none/playlists/x.playlist" \
    --screenshot-at 2023-03-10T12:00:00 --out "$T/builtin.png"
check "built-in slide is not black" near "$(pix "$T/builtin.png" 3 3)" 0x0d 0x1b 0x2a
check_not "screenshot at an impossible time fails" shot 2023-02-30T12:00:00 "$T/x.png"
check_not "screenshot into a missing directory fails" shot 2023-03-10T12:00:01 "$T/no/dir/x.png"

# --- bad options -------------------------------------------------------
for args in "" "--screen" "--screen a --playlist b" "--bogus" "--screen a --fade x" \
    "--playlist p --clock-rate 60" "--playlist p --size 10x10" "--playlist p --out x.png"; do
    # shellcheck disable=SC2086
    "$PLAYER" $args >"$T/usage.out" 2>&1
    rc=$?
    check "bad options '$args' exit 2" [ "$rc" = 2 ]
    check "bad options '$args' print the usage" grep -q "usage: signage-player" "$T/usage.out"
done
check_not "--screen with a missing config fails" "$PLAYER" -c "$T/nope.cfg" --screen x \
    --screenshot-at 2023-03-10T12:00:00 --out "$T/x.png"

# --- the loop: across window edges with a fast clock -------------------
# run_player SECONDS ARGS...: runs the player headless, SIGTERM after SECONDS;
# its exit status goes to $T/rc, stderr to $T/err.
run_player() {
    secs=$1; shift
    "$PLAYER" "$@" 2>"$T/err" &
    pid=$!
    sleep "$secs"
    kill -TERM "$pid"
    wait "$pid"
    echo $? >"$T/rc"
}
rm -rf "$S/log"
run_player 10 --playlist "$PL" --clock 2023-03-10T11:59:50 --clock-rate 12 --frame-log "$T/frames"
check "SIGTERM: exit 0" [ "$(cat "$T/rc")" = 0 ]
LOG=$S/log/t/play-2023-03-10.jsonl
check "proof-of-play log written, one directory per screen (log/t/)" [ -s "$LOG" ]
check_not "nothing in the flat log/ of older players" sh -c "ls '$S/log/'*.jsonl 2>/dev/null"

# field NAME: the value of NAME on each line of stdin
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }
tosec() { # ISO time -> ms of the day
    awk -F'[T:+]' '{ split($4, s, "."); print ($2*3600 + $3*60 + s[1]) * 1000 + s[2] }'
}
field campaign <"$LOG" >"$T/c"
field start <"$LOG" | tosec >"$T/s"
field end <"$LOG" | tosec >"$T/e"
field result <"$LOG" >"$T/r"
field item <"$LOG" >"$T/i"
paste -d' ' "$T/c" "$T/i" "$T/s" "$T/e" "$T/r" >"$T/pop"
n=$(wc -l <"$T/pop")
check "at least 15 items logged ($n)" [ "$n" -ge 15 ]
check "every line has the SPEC keys" awk '!/"screen":"t","campaign":"[^"]*","owner":"[^"]*","title":"[^"]*","item":[0-9]+,"type":"(image|video|text)","media":[^,]*,"sha256":[^,]*,"start":"[^"]*","end":"[^"]*","planned_ms":[0-9]+,"shown_ms":[0-9]+,"result":"(played|cut|skipped|error)"(,"error":"[^"]*")?,"generation":1}$/ {bad=1} END {exit bad}' "$LOG"
field shown_ms <"$LOG" | paste -d' ' "$T/pop" - >"$T/pops"
# contiguous: the items on screen (skipped/error lines have no screen time)
contiguous() { awk '$5 == "skipped" || $5 == "error" {next} n++ && $3 != prev {bad=1} {prev = $4} END {exit bad}' "$1"; }
check "every second accounted: each end is the next start" contiguous "$T/pop"
check "shown_ms = end - start (0 when not shown)" \
    awk '$5 ~ /played|cut/ && $4 - $3 != $6 {bad=1} $5 ~ /skipped|error/ && $6 != 0 {bad=1} END {exit bad}' "$T/pops"
W0=$((12 * 3600 * 1000)) W1=$((W0 + 60000)) W2=$((W0 + 100000))
check "alpha only inside its window" awk -v a=$W0 -v b=$W1 \
    '$1 == "alpha" && ($3 < a || $4 > b + 1500) {bad=1} END {exit bad}' "$T/pop"
check "beta only inside its window" awk -v a=$W1 -v b=$W2 \
    '$1 == "beta" && ($3 < a || $4 > b + 1500) {bad=1} END {exit bad}' "$T/pop"
check "the item running at the window's end is cut" awk -v b=$W1 \
    '$1 == "alpha" && $4 >= b {found=1; if ($5 != "cut") bad=1} END {exit bad || !found}' "$T/pop"
check "the fallback is logged, before and after the windows" awk -v a=$W0 -v b=$W2 \
    '$1 == "-" && $4 <= a + 1500 {x=1} $1 == "-" && $3 >= b {y=1} END {exit !(x && y)}' "$T/pop"
check "the last item, on screen at SIGTERM, is cut" sh -c "tail -1 '$T/pop' | grep -q ' cut$'"
check "played items shown about their planned time" \
    awk '$5 == "played" && $1 == "alpha" && ($4 - $3 < 5000 || $4 - $3 > 8500) {bad=1} END {exit bad}' "$T/pop"

# the frame log against the schedule worked out by hand
nf=$(wc -l <"$T/frames")
check "frame log has frames ($nf in 10 s: a switch or a new video frame)" [ "$nf" -ge 20 ]
awk '{print $2}' "$T/frames" | tosec >"$T/ft"
awk '{print $3, $4}' "$T/frames" | paste -d' ' "$T/ft" - >"$T/fl"
awk -v w0=$W0 '{
    x = $1 - w0
    if (x < 0 || x >= 100000) want = "- 0"
    else if (x < 60000) want = "alpha " ((x % 13000) < 7000 ? 0 : 1)
    else want = "beta 0"
    if ($2 " " $3 != want) { bad++; if (bad < 5) print "frame at " x ": " $2 " " $3 " != " want }
} END { print bad + 0, "frames differ" }' "$T/fl" >"$T/fcheck"
check "every frame shows what is due at its clock time ($(tail -1 "$T/fcheck"))" \
    grep -q '^0 frames differ' "$T/fcheck"
check "frame log monotonic ms never go back" awk '$1 < p {bad=1} {p=$1} END {exit bad}' "$T/frames"
check "frames paced (no more than 70 per second)" [ "$nf" -le 700 ]

# presents only when the picture changes: a still slide once (the display
# keeps it), a 25 fps video about 25 times a second (its new frames), never
# the 60 of the frame cap
QPL=$S/playlists/q.playlist
playlist "$QPL" 1 480 270 0 "$FB" "$(win 2023-03-10T12:00:00+09:00 2023-03-10T13:00:00+09:00 \
    "$(slot_txt still 0 10 'しずか' '#303030' '#ffffff')" "$(slot_vid moving 0 10 $VID $VIDP)")"
rm -f "$T/fq"
run_player 4 --playlist "$QPL" --clock 2023-03-10T12:00:01 --frame-log "$T/fq"
nq=$(awk '$3 == "still"' "$T/fq" | wc -l)
check_range "a still slide is presented once, not again and again (in ~4 s)" "$nq" 1 1
rm -f "$T/fq"
run_player 3 --playlist "$QPL" --clock 2023-03-10T12:00:10 --frame-log "$T/fq"
nv=$(awk '$3 == "moving"' "$T/fq" | wc -l)
check_range "a 25 fps video is presented once per new frame (in 3 s: 25 a second)" \
    "$nv" 15 $((3 * 27 + 5))

# a video that follows itself (a one-item loop) is decoded once: its decoder
# goes back to the start for the next play, which goes on presenting frames
LPL=$S/playlists/l.playlist
playlist "$LPL" 1 480 270 0 "$FB" "$(win 2023-03-10T12:00:00+09:00 2023-03-10T13:00:00+09:00 \
    "$(slot_vid loopy 0 4 $VID $VIDP)")"
rm -f "$T/fq"
rm -rf "$S/log"
run_player 10 --playlist "$LPL" --clock 2023-03-10T12:00:00 --frame-log "$T/fq" -v
nagain=$(grep -c 'loopy item 0: plays again' "$T/err")
check_range "a one-item video loop plays again from the same decoder (plays 2 to 5 are prepared in 10 s, the last at ~8.3 s)" \
    "$nagain" 3 4
grep '"campaign":"loopy"' "$S/log/t/play-2023-03-10.jsonl" | field result >"$T/lr"
check "each play of it is logged played" sh -c "[ \$(grep -c played '$T/lr') -ge 2 ]"
nl=$(awk '$3 == "loopy"' "$T/fq" | wc -l)
check_range "and each play presents its frames (in 10 s at 25 fps: about 250)" "$nl" 150 $((10 * 27))
awk '$3 == "loopy" {print $1}' "$T/fq" >"$T/lm"
gap=$(awk 'NR > 1 && $1 - p > g {g = $1 - p} {p = $1} END {print g + 0}' "$T/lm")
check_range "no present is missing at the switch: the longest gap between frames is a few frame periods (ms)" \
    "$gap" 1 200

# --- broken media ------------------------------------------------------
BPL=$S/playlists/b.playlist
playlist "$BPL" 1 480 270 0 "$FB" "$(win 2023-03-10T12:00:00+09:00 2023-03-10T13:00:00+09:00 \
    "$(slot_img gamma 0 3 $MISS $MISSP)" "$(slot_img gamma 1 3 $BAD $BADP)" \
    "$(slot_img gamma 2 3 $TXT $TXTP)" "$(slot_txt gamma 3 3 'よい' '#202020' '#ffffff')")"
rm -rf "$S/log"
run_player 6 --playlist "$BPL" --clock 2023-03-10T12:00:00 --clock-rate 10
check "broken media: exit 0" [ "$(cat "$T/rc")" = 0 ]
for h in $MISS $BAD $TXT; do
    check "broken $h logged once as error" [ "$(grep "$h" "$LOG" | grep -c '"result":"error"')" = 1 ]
    check "broken $h not retried: then skipped" grep "$h" "$LOG" | grep -q '"result":"skipped"'
done
check "errors carry a message" sh -c "grep '\"result\":\"error\"' '$LOG' | grep -q '\"error\":\"'"
check "an error entry has no screen time" \
    sh -c "grep '\"result\":\"error\"' '$LOG' | grep -q '\"shown_ms\":0,'"
check "their time is filled by the playable item" \
    sh -c "grep -c '\"campaign\":\"gamma\",[^}]*\"item\":3,[^}]*\"result\":\"played\"' '$LOG' | awk '{exit !(\$1 >= 6)}'"
check "broken media logged on stderr" grep -q "$BAD" "$T/err"
pop_table() { # the log as "campaign item start end result shown_ms", ms of the day
    field campaign <"$LOG" >"$T/c"
    field item <"$LOG" >"$T/i"
    field start <"$LOG" | tosec >"$T/s"
    field end <"$LOG" | tosec >"$T/e"
    field result <"$LOG" >"$T/r"
    field shown_ms <"$LOG" >"$T/sh"
    paste -d' ' "$T/c" "$T/i" "$T/s" "$T/e" "$T/r" "$T/sh" >"$T/pop"
}
pop_table
check "broken media: every second still accounted" contiguous "$T/pop"
check "broken media: a missed item is logged over its own slot (3 s)" \
    awk '$5 ~ /skipped|error/ && ($4 - $3 != 3000 || $3 % 3000 != 0) {bad=1} END {exit bad}' "$T/pop"

# --- preparation too slow for the clock --------------------------------
# A 4000x4000 noise PNG takes most of a second to decode; at --clock-rate 50
# that is tens of seconds of schedule.  The log must still tell the truth:
# an item shown late is cut (with how late), the one held on screen for it
# has its true time, and an item whose whole slot went by is skipped over
# its own slot with no screen time.
ff -f lavfi -i "color=gray:s=4000x4000,noise=alls=100:allf=u" -frames:v 1 -pix_fmt rgb24 "$T/big.png"
set -- $(store "$T/big.png" png); BIG=$1 BIGP=$2
LPL=$S/playlists/late.playlist
# late: 12:00:00 text (1 s), 12:00:01 the big image (300 s)
playlist "$LPL" 1 480 270 0 "$FB" "$(win 2023-03-10T12:00:00+09:00 2023-03-10T12:05:01+09:00 \
    "$(slot_txt late 0 1 'まえ' '#303030' '#ffffff')" "$(slot_img late 1 300 $BIG $BIGP)")"
rm -rf "$S/log"
run_player 4 --playlist "$LPL" --clock 2023-03-10T11:59:50 --clock-rate 50
check "late preparation: exit 0" [ "$(cat "$T/rc")" = 0 ]
pop_table
B0=$((12 * 3600 * 1000 + 1000))
check "late: the big image came on screen after its slot began, logged cut" \
    awk -v b=$B0 '$1 == "late" && $2 == 1 && $5 == "cut" && $3 > b {f=1} END {exit !f}' "$T/pop"
check "late: with how late, in the error text" \
    grep -q '"item":1,.*"result":"cut","error":"shown [0-9]* ms after its slot began: not ready in time"' "$LOG"
# (which item was held depends on how fast the machine made the first ones)
check "late: the item held on screen meanwhile is logged until the big image came" \
    awk -v b=$B0 '$5 ~ /skipped|error/ {next} $1 == "late" && $2 == 1 {f = (n && pe == $3 && pe > b)} {n++; pe = $4} END {exit !f}' "$T/pop"
check "late: every second accounted" contiguous "$T/pop"
check "late: the big image was shown late, not skipped" \
    sh -c "! grep '\"item\":1,' '$LOG' | grep -q '\"result\":\"skipped\"'"
check "late: noticed on stderr" grep -q "late: it was not ready" "$T/err"

# skipped: the big image's slot (1 s = 20 ms real) always goes by unready
playlist "$LPL" 1 480 270 0 "$FB" "$(win 2023-03-10T12:00:00+09:00 2023-03-10T13:00:00+09:00 \
    "$(slot_txt miss 0 4 'まえ' '#303030' '#ffffff')" "$(slot_img miss 1 1 $BIG $BIGP)" \
    "$(slot_txt miss 2 4 'あと' '#303030' '#ffffff')")"
rm -rf "$S/log"
run_player 4 --playlist "$LPL" --clock 2023-03-10T11:59:58 --clock-rate 50
check "slot missed: exit 0" [ "$(cat "$T/rc")" = 0 ]
pop_table
check "missed: the big image is logged skipped, not ready in time" \
    grep -q '"item":1,.*"shown_ms":0,"result":"skipped","error":"not ready in time"' "$LOG"
# loop of 9 s from 12:00:00: item 1 due at 4..5 s of each loop
check "missed: over its own slot, with no screen time" \
    awk '$1 == "miss" && $2 == 1 {n++; x = ($3 - 43200000) % 9000; if (x != 4000 || $4 - $3 != 1000 || $6 != 0 || $5 != "skipped") bad=1} END {exit bad || !n}' "$T/pop"
check "missed: never shown" awk '$1 == "miss" && $2 == 1 && $6 > 0 {bad=1} END {exit bad}' "$T/pop"
check "missed: every second accounted" contiguous "$T/pop"
check "missed: no item is logged both shown and skipped in the same slot" awk '
    $5 ~ /skipped|error/ {k = $1 " " $2; m[k] = m[k] " " $3 ":" $4; next}
    {s[NR] = $1 " " $2; a[NR] = $3}
    END {for (i in s) {n = split(m[s[i]], r, " "); for (j = 1; j <= n; j++) {split(r[j], x, ":"); if (a[i] >= x[1] && a[i] < x[2]) bad = 1}} exit bad}' "$T/pop"

# --- playlist replaced: by garbage (kept), then by a new generation ----
RPL=$S/playlists/r.playlist
playlist "$RPL" 1 480 270 0 "$FB" "$(win 2023-03-10T00:00:00+09:00 2023-03-11T00:00:00+09:00 \
    "$(slot_txt one 0 2 'ひとつめ' '#303030' '#ffffff')")"
rm -rf "$S/log"
"$PLAYER" --playlist "$RPL" --clock 2023-03-10T12:00:00 --clock-rate 10 2>"$T/err" &
pid=$!
sleep 2
printf 'format = 1;\nwindows = ( { start = "2023-' >"$RPL.tmp" && mv "$RPL.tmp" "$RPL"
sleep 2.5
kill -HUP "$pid"
sleep 0.5
n1=$(grep -c '"campaign":"one"' "$LOG")
sleep 1.5
n2=$(grep -c '"campaign":"one"' "$LOG")
check "unreadable playlist: the last good one keeps playing ($n1 -> $n2)" [ "$n2" -gt "$n1" ]
check "unreadable playlist logged" grep -q "keeping the last good playlist" "$T/err"
check "logged once per version of the file, SIGHUP once more" \
    [ "$(grep -c 'keeping the last good playlist' "$T/err")" -le 2 ]
check "SIGHUP noticed" grep -q SIGHUP "$T/err"
playlist "$RPL" 2 480 270 0 "$FB" "$(win 2023-03-10T00:00:00+09:00 2023-03-11T00:00:00+09:00 \
    "$(slot_txt two 0 2 'ふたつめ' '#303030' '#ffffff')")"
sleep 3
kill -TERM "$pid"
wait "$pid"
check "exit 0 after the reloads" [ $? = 0 ]
check "the new playlist is taken" grep -q '"campaign":"two".*"generation":2}' "$LOG"
check "taken at an item boundary: the old item played to its end" \
    sh -c "grep '\"campaign\":\"one\"' '$LOG' | sed -n '\$p' | grep -q '\"result\":\"played\"'"
check "nothing of generation 1 after generation 2 began" \
    awk '/"generation":2}/ {g=1} g && /"generation":1}/ {bad=1} END {exit bad}' "$LOG"

# --- characters the bundled font lacks: Noto CJK and Noto Color Emoji draw them;
# what no font has is left out, but named (once) -----------------------------------
GPL=$S/playlists/glyph.playlist
playlist "$GPL" 1 480 270 0 "$FB" "$(win 2023-03-10T12:00:00+09:00 2023-03-10T12:01:00+09:00 \
    "$(slot_txt glyph 0 10 '𠮷野家🌸' '#000000' '#ffffff')"),
    $(win 2023-03-10T12:01:00+09:00 2023-03-10T12:02:00+09:00 \
    "$(slot_txt glyph2 0 10 '吉野家🌸' '#000000' '#ffffff')"),
    $(win 2023-03-10T12:02:00+09:00 2023-03-10T12:03:00+09:00 \
    "$(slot_txt glyph3 0 10 '高知􏿽高知􏿽' '#000000' '#ffffff')")"
"$PLAYER" --playlist "$GPL" --screenshot-at 2023-03-10T12:00:01 --out "$T/glyph.png" \
    2>"$T/glyph.err"
"$PLAYER" --playlist "$GPL" --screenshot-at 2023-03-10T12:01:01 --out "$T/glyph2.png" 2>/dev/null
"$PLAYER" --playlist "$GPL" --screenshot-at 2023-03-10T12:02:01 --out "$T/glyph3.png" \
    2>"$T/glyph3.err"
check_not "𠮷 and 🌸 are in a font (no warning)" grep -q 'is in no font' "$T/glyph.err"
# 𠮷野家🌸 is set like 吉野家🌸 (four characters, the same size), not like
# 野家🌸 (three, a third larger); the cherry blossom is drawn in pink
lit() { ffmpeg -nostdin -loglevel error -i "$1" -vf format=gray -f rawvideo - | od -An -tu1 -v |
    tr -s ' ' '\n' | awk '$1 > 60 {n++} END {print n+0}'; }
pink() { ffmpeg -nostdin -loglevel error -i "$1" -f rawvideo -pix_fmt rgb24 - | od -An -tu1 -v |
    tr -s ' ' '\n' | grep -v '^$' |
    awk '{v[NR%3]=$1} NR%3==0 {if (v[1]>200 && v[2]<190 && v[0]>150) n++} END {print n+0}'; }
l1=$(lit "$T/glyph.png") l2=$(lit "$T/glyph2.png")
check "𠮷野家🌸 is set like 吉野家🌸 ($l1 lit pixels against $l2)" \
    awk "BEGIN { exit !($l1 * 10 > $l2 * 9 && $l1 * 10 < $l2 * 11) }"
p1=$(pink "$T/glyph.png")
check "🌸 is drawn in colour ($p1 pink pixels)" [ "$p1" -gt 300 ]
check "a character in no font is named (U+10FFFD), once" \
    [ "$(grep -c 'U+10FFFD .* is in no font' "$T/glyph3.err")" = 1 ]

# --- phone video: the display matrix stands it upright -------------------------
# Quadrants red, green / blue, white, 320x240, turned by the container's
# display matrix; ffmpeg's own decode (which honours it) is the reference.
ff -f lavfi -i color=red:s=160x120 -f lavfi -i color=0x00ff00:s=160x120 \
    -f lavfi -i color=blue:s=160x120 -f lavfi -i color=white:s=160x120 \
    -filter_complex '[0][1]hstack[t];[2][3]hstack[u];[t][u]vstack,format=yuv420p' \
    -t 1 -r 10 -c:v libx264 "$T/quad.mp4"
RTPL=$S/playlists/rot.playlist
for deg in 90 180 270; do
    ff -i "$T/quad.mp4" -c copy -metadata:s:v:0 rotate=$deg "$T/rot$deg.mp4"
    ff -i "$T/rot$deg.mp4" -frames:v 1 "$T/rot$deg-ref.png"
    wh=$(size_of "$T/rot$deg-ref.png")
    w=${wh%,*} h=${wh#*,}
    set -- $(store "$T/rot$deg.mp4" mp4)
    playlist "$RTPL" 1 "$w" "$h" 0 "$FB" "$(win 2023-03-10T12:00:00+09:00 2023-03-10T12:01:00+09:00 \
        "$(slot_vid rot 0 10 $1 $2)")"
    "$PLAYER" --playlist "$RTPL" --screenshot-at 2023-03-10T12:00:00.5 --out "$T/rot$deg.png" \
        2>>"$T/shot.err"
    same=0
    for q in "1 1" "3 1" "1 3" "3 3"; do
        set -- $q
        x=$((w * $1 / 4)) y=$((h * $2 / 4))
        set -- $(pix "$T/rot$deg-ref.png" $x $y)
        near "$(pix "$T/rot$deg.png" $x $y)" "$1" "$2" "$3" && same=$((same + 1))
    done
    check "a video turned $deg degrees by its display matrix shows upright (${same}/4 quadrants as ffmpeg shows them)" \
        [ $same -eq 4 ]
done
check "the unturned clip's quadrants differ from the turned one's (the check can fail)" \
    sh -c "! cmp -s '$T/rot90-ref.png' '$T/rot270-ref.png'"

# --- 1080i-style TV spots: interlaced frames are deinterlaced ----------------------
# 59.94 fields a second woven into 29.97 frames flagged interlaced (as H.264
# broadcast spots come); the comb metric is the mean |2*Y(y) - Y(y-1) - Y(y+1)|
# over the odd lines, high when alternate lines come from different moments.
ff -f lavfi -i testsrc2=s=720x480:r=60000/1001 -vf 'tinterlace=mode=interleave_top,setfield=tff' \
    -flags +ilme+ildct -top 1 -c:v libx264 -pix_fmt yuv420p -t 2 "$T/inter.mp4"
ff -ss 0.5 -i "$T/inter.mp4" -frames:v 1 "$T/inter-woven.png"
set -- $(store "$T/inter.mp4" mp4)
playlist "$RTPL" 2 720 480 0 "$FB" "$(win 2023-03-10T12:00:00+09:00 2023-03-10T12:01:00+09:00 \
    "$(slot_vid inter 0 10 $1 $2)")"
"$PLAYER" --playlist "$RTPL" --screenshot-at 2023-03-10T12:00:00.5 --out "$T/inter.png" \
    2>>"$T/shot.err"
comb() {
    ffmpeg -nostdin -loglevel error -i "$1" -f rawvideo -pix_fmt gray - | python3 -c '
import sys
w, h = 720, 480
raw = sys.stdin.buffer.read()
tot = n = 0
for y in range(1, h - 1, 2):
    a, b, c = raw[(y - 1) * w:y * w], raw[y * w:(y + 1) * w], raw[(y + 1) * w:(y + 2) * w]
    tot += sum(abs(2 * b[x] - a[x] - c[x]) for x in range(w))
    n += w
print(int(100 * tot / n))'
}
woven=$(comb "$T/inter-woven.png") shown=$(comb "$T/inter.png")
echo "# comb metric x100: ffmpeg's woven frame $woven, the player's $shown"
check "the test clip really combs when woven ($woven)" [ "$woven" -gt 200 ]
check "an interlaced clip is shown deinterlaced (comb $shown, woven $woven)" \
    [ $((shown * 2)) -lt "$woven" ]
check_not "... and its picture is there (not black)" near "$(pix "$T/inter.png" 360 240)" 0 0 0

# --- colour: every range, matrix and transfer shows its true colours ---------------
# One colourful still (testsrc2's first frame, 320x180) encoded five ways; a
# 320x180 screen shows each 1:1.  The reference is ffmpeg's own decode of the
# clip to RGB honouring its tags: swscale with the clip's matrix and range for
# the SDR clips; for HLG and PQ, zscale's conversion with SDR white at 203
# cd/m2 (BT.2408), highlights above it clipped (the player's own choice, see
# video_colour_chain()), which must also bring back the SDR still the clip
# was made from.
# Each must beat, by a margin, the wrong reading the player used to make
# (BT.601 maths on BT.709 or BT.2020 data), so the check can fail; SDL's
# direct modes must take no filter graph.
ff -f lavfi -i testsrc2=s=320x180:r=10 -frames:v 1 "$T/csrc.png"
for c in l709 f709 l601 arib-std-b67 smpte2084; do
    colour_clip $c "$T/csrc.png" "$T/c-$c.mp4"
    colour_refs $c "$T/c-$c.mp4" "$T/c-$c-ref.png" "$T/c-$c-wrong.png"
done
for c in l709 f709 l601 arib-std-b67 smpte2084; do
    set -- $(store "$T/c-$c.mp4" mp4)
    playlist "$RTPL" 3 320 180 0 "$FB" "$(win 2023-03-10T12:00:00+09:00 2023-03-10T12:01:00+09:00 \
        "$(slot_vid colour 0 10 $1 $2)")"
    check "colour $c: screenshot exits 0" "$PLAYER" --playlist "$RTPL" -v \
        --screenshot-at 2023-03-10T12:00:00.5 --out "$T/c-$c.png" 2>"$T/c-$c.err"
    case $c in # what SDL shows as it is takes no filter graph
    l709 | l601) check_not "colour $c: shown directly" grep -q ': filters ' "$T/c-$c.err" ;;
    *) check "colour $c: converted" grep -q ': filters .*\(colorspace\|zscale\)=' "$T/c-$c.err" ;;
    esac
    right=$(psnr "$T/c-$c.png" "$T/c-$c-ref.png")
    wrong=$(psnr "$T/c-$c.png" "$T/c-$c-wrong.png")
    echo "# colour $c: PSNR against ffmpeg's decode $right dB, against the wrong reading $wrong dB"
    check "colour $c: shown as ffmpeg decodes it (PSNR $right dB)" awk "BEGIN{exit !($right > 30)}"
    check "colour $c: and not the wrong reading ($wrong dB)" awk "BEGIN{exit !($right > $wrong + 4)}"
    case $c in
    arib-std-b67 | smpte2084)
        orig=$(psnr "$T/c-$c.png" "$T/csrc.png")
        echo "# colour $c: PSNR against the SDR still it was made from $orig dB"
        # 4:2:0 alone costs testsrc2's sharp edges: an SDR round trip through
        # ffmpeg scores 27 dB; reading HLG as BT.2020 SDR scored 13.5
        check "colour $c: the SDR still it was made from comes back ($orig dB)" \
            awk "BEGIN{exit !($orig > 18)}"
        ;;
    esac
done
