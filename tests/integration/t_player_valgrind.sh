#!/bin/sh
# The player loop under valgrind: a fast clock through a loop of an image, a
# text slide, a video and a missing image, hundreds of item switches, with a
# cross-fade and a rotated screen, headless; then SIGTERM.  Nothing may be
# definitely lost and no invalid access may happen.  Skipped under
# SANITIZE=1 (ASan and valgrind do not mix).  SDL's "dummy" video driver is
# used: "offscreen" loads EGL/Mesa, whose own start-up leaks are not ours.
. tests/integration/lib.sh

# Not run (and not counted) in the ASan build: the plain build runs it.
if [ "${SANITIZE:-}" = 1 ]; then
    echo "# not run under SANITIZE=1: ASan and valgrind do not mix"
    exit 0
fi
command -v valgrind >/dev/null 2>&1 || { fail "valgrind is not installed (make deps installs it)"; exit 1; }

export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
S=$T/state
mkdir -p "$S/playlists" "$S/media"
ff -f lavfi -i color=c=red:s=64x48 -frames:v 1 "$T/r.png"
ff -f lavfi -i testsrc2=s=64x36:r=25:d=2 -c:v libx264 -pix_fmt yuv420p "$T/v.mp4"
R=$(sha256sum "$T/r.png" | cut -d' ' -f1); mv "$T/r.png" "$S/media/$R.png"
V=$(sha256sum "$T/v.mp4" | cut -d' ' -f1); mv "$T/v.mp4" "$S/media/$V.mp4"
M=1111111111111111111111111111111111111111111111111111111111111111
cat >"$S/playlists/v.playlist" <<EOF
format = 1;
screen = "v";
timezone = "Asia/Tokyo";
width = 160; height = 90;
rotate = 90;
generation = 1L;
generated_at = "2023-03-10T00:00:00.000+09:00";
fallback = ( { campaign = "-"; item = 0; type = "text"; duration = 1.000; text = "東京都"; } );
windows = (
  { start = "2023-03-10T12:00:00.000+09:00"; end = "2023-03-10T18:00:00.000+09:00"; priority = 50;
    loop = (
      { campaign = "a"; item = 0; type = "image"; duration = 1.000; media = "media/$R.png"; sha256 = "$R"; },
      { campaign = "a"; item = 1; type = "text"; duration = 1.000; text = "牧野博士"; },
      { campaign = "a"; item = 2; type = "video"; duration = 4.000; media = "media/$V.mp4"; sha256 = "$V"; },
      { campaign = "a"; item = 3; type = "image"; duration = 1.000; media = "media/$M.png"; sha256 = "$M"; }
    ); }
);
EOF
valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
    --error-exitcode=99 --log-file="$T/vg.log" \
    "$PLAYER" --playlist "$S/playlists/v.playlist" --clock 2023-03-10T12:00:00 --clock-rate 6 \
    --fade 50 --frame-log "$T/frames" 2>"$T/err" &
pid=$!
sleep 40
kill -TERM "$pid"
wait "$pid"
rc=$?
check "valgrind: exit 0 (no errors, nothing definitely lost; exit $rc)" [ "$rc" = 0 ]
grep -A4 'LEAK SUMMARY' "$T/vg.log" | sed 's/^==[0-9]*== /# /'
grep 'ERROR SUMMARY' "$T/vg.log" | sed 's/^==[0-9]*== /# /'
check "valgrind: no invalid reads or writes" sh -c "! grep -q 'Invalid \\(read\\|write\\)' '$T/vg.log'"
n=$(cat "$S"/log/*/*.jsonl 2>/dev/null | wc -l)
echo "# $n items left the screen, $(wc -l <"$T/frames") frames"
check "valgrind: the loop ran through many switches ($n)" [ "$n" -ge 40 ]
check "valgrind: all item types went through" sh -c \
    "grep -q '\"type\":\"video\"' '$S/log/'*/*.jsonl && grep -q '\"item\":1,' '$S/log/'*/*.jsonl"

# a screenshot (drawn straight onto the output, the cache torn down with its
# renderer) under valgrind as well
valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
    --error-exitcode=99 --log-file="$T/vg2.log" \
    "$PLAYER" --playlist "$S/playlists/v.playlist" --screenshot-at 2023-03-10T12:00:01.5 \
    --out "$T/shot.png" 2>"$T/err2"
rc=$?
check "valgrind screenshot: exit 0 (exit $rc)" [ "$rc" = 0 ]
check "valgrind screenshot: no invalid reads or writes" sh -c "! grep -q 'Invalid \\(read\\|write\\|free\\)' '$T/vg2.log'"
check "valgrind screenshot: written" [ -s "$T/shot.png" ]

# --preview (every item of the loop drawn in turn, the missing image among
# them, and the text described) under valgrind as well
mkdir -p "$T/pv"
valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
    --error-exitcode=99 --log-file="$T/vg3.log" \
    "$PLAYER" --playlist "$S/playlists/v.playlist" --preview "$T/pv" >"$T/pv.json" 2>"$T/err3"
rc=$?
check "valgrind preview: exit 0 (exit $rc)" [ "$rc" = 0 ]
check "valgrind preview: no invalid reads or writes" sh -c "! grep -q 'Invalid \\(read\\|write\\|free\\)' '$T/vg3.log'"
check "valgrind preview: the 4 items drawn" [ "$(ls "$T/pv" | grep -c 'png$')" = 4 ]
check "valgrind preview: the text item described" grep -q '"lines": \[' "$T/pv.json"
