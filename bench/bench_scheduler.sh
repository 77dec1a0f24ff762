#!/bin/sh
# The scheduler at scale: 2,000 campaigns over 500 screens, a year of dates
# and dayparts.  Times one cold `--once` (ingest + publish), one warm
# `--once` (nothing changed), and the drop-to-playlist latency of the
# running daemon; each against a peer measured in the same run (copying the
# same spool with cp -r; one ffprobe of one of its media).
set -u
: "${BUILD:?run through make bench}"
: "${SRCDIR:?run through make bench}"
T=$(mktemp -d "${TMPDIR:-/tmp}/signage-bench.XXXXXX")
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
pid=
S=$T/state
mkdir -p "$S/spool/m"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=s=640x360 -frames:v 1 "$S/spool/m/a.png"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i color=c=navy:s=640x360 -frames:v 1 "$S/spool/m/b.jpg"
python3 "$SRCDIR/bench/gen_network.py" 500 2000 "$T" "$S"
SCHED="$BUILD/signage-scheduler -c $T/signage.cfg"
NOW=2023-06-15T10:00:00+09:00

t0=$(date +%s%N); cp -r "$S/spool" "$T/spool-copy"; cp_ms=$(ms $t0)
t0=$(date +%s%N); ffprobe -v error -show_format "$S/spool/m/a.png" >/dev/null; probe_ms=$(ms $t0)
t0=$(date +%s%N); $SCHED --once --now $NOW 2>"$T/once.log"; cold_ms=$(ms $t0)
accepted=$(ls "$S/campaigns" | grep -c '\.cfg$')
t0=$(date +%s%N); $SCHED --once --now $NOW 2>"$T/warm.log"; warm_ms=$(ms $t0)
echo "campaigns accepted: $accepted of 2000, screens: 500, $(ls "$S/playlists" | wc -l) playlists"
grep 'published:' "$T/once.log" | sed 's/.*info: /cold publish: /'
grep 'published:' "$T/warm.log" | sed 's/.*info: /warm publish: /'
echo "cold --once (ingest 2000 files + publish 500 screens): $cold_ms ms" \
    "= $(ratio $cold_ms $cp_ms)x cp -r of the spool ($cp_ms ms)"
echo "warm --once (nothing changed): $warm_ms ms = $(ratio $warm_ms $cp_ms)x cp -r"

$SCHED --now $NOW 2>"$T/daemon.log" &
pid=$!
i=0
while ! grep -q watching "$T/daemon.log" && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
gen() { sed -n 's/^generation = \([0-9]*\)L*;/\1/p' "$S/playlists/screen-$1.playlist"; }
lat=
for k in 1 2 3 4 5; do
    scr=$(printf %03d $((k * 37)))
    g=$(gen $scr)
    printf 'id = "drop%d"; title = "t"; owner = "o"; start = "2023-06-01"; end = "2023-06-30";\nscreens = [ "screen-%s" ]; priority = 100;\nitems = ( { type = "image"; file = "m/a.png"; } );\n' \
        $k $scr >"$T/drop.cfg"
    t0=$(date +%s%N)
    mv "$T/drop.cfg" "$S/spool/drop$k.cfg"
    i=0
    while [ "$(gen $scr)" = "$g" ] && [ $i -lt 3000 ]; do sleep 0.002; i=$((i + 1)); done
    lat="$lat $(ms $t0)"
done
med=$(echo $lat | tr ' ' '\n' | sort -n | sed -n 3p)
echo "daemon drop-to-playlist latency, 5 drops (ms):$lat; median $med ms" \
    "= $(ratio $med $probe_ms)x one ffprobe of a 640x360 PNG ($probe_ms ms)"
kill -TERM $pid
wait $pid
pid=
