#!/bin/sh
# make run: the demo.  Prepares a state directory under $BUILD/demo from the
# demo campaigns (demo/spool-src, media made by demo/make-media.sh), runs the
# scheduler once "on" 2023-03-15 10:00 JST so the Kochi expo is on, then:
#  - with a display ($DISPLAY or $WAYLAND_DISPLAY): the scheduler daemon and
#    one player window for 新宿駅西口広場 (quit with Esc, q or by closing the
#    window; the scheduler is stopped with it);
#  - without one: a screenshot of every slot of the loop on each screen,
#    into $BUILD/demo/screenshots.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
NOW=${DEMO_NOW:-2023-03-15T10:00:00+09:00}
D=$BUILD/demo
SCHED=$BUILD/signage-scheduler PLAYER=$BUILD/signage-player CTL=$BUILD/signagectl

for p in "$SCHED" "$PLAYER" "$CTL"; do
    [ -x "$p" ] || { echo "run-demo: $p is not built (run make first)" >&2; exit 1; }
done
echo "run-demo: preparing the demo state in $D"
rm -rf "$D"
mkdir -p "$D/var/spool"
# state = "var" in the config is relative to the config's directory
cp demo/signage.cfg "$D/signage.cfg"
sh demo/make-media.sh "$D/var/spool"
cp demo/spool-src/*.cfg "$D/var/spool/"
"$SCHED" -c "$D/signage.cfg" --once --now "$NOW"
ls "$D/var/playlists"
if [ -d "$D/var/rejected" ] && [ -n "$(ls "$D/var/rejected")" ]; then
    echo "run-demo: rejected:"; ls "$D/var/rejected"
fi

# What an operator sees before a campaign airs: each item as each of its
# screens will show it, the text's size and lines, and what to act on.
echo "run-demo: signagectl preview of the special wards' appeal, pictures in $D/preview:"
"$CTL" -c "$D/signage.cfg" --now "$NOW" preview tokubetsuku-disaster-appeal \
    --out "$D/preview" || true

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    "$SCHED" -c "$D/signage.cfg" --now "$NOW" &
    sched=$!
    trap 'kill "$sched" 2>/dev/null; wait "$sched" 2>/dev/null' EXIT INT TERM
    echo "run-demo: playing 新宿駅西口広場 in a window; quit with Esc or q (or close it)"
    "$PLAYER" -c "$D/signage.cfg" --screen shinjuku-west-plaza --windowed \
        --clock "$NOW" --fade 300 || true
    exit 0
fi

out=$D/screenshots
mkdir -p "$out"
echo "run-demo: no display (\$DISPLAY and \$WAYLAND_DISPLAY unset): writing a screenshot"
echo "run-demo: of every slot of the loop into $out"
# Two moments: now (the Kochi expo and Tokyo's WOOD collection) and 10:02, when
# the special wards' disaster appeal takes over every screen.
MOMENTS="$NOW ${DEMO_TAKEOVER:-2023-03-15T10:02:00+09:00}"
for screen in $(sed -n 's/.*{ *id *= *"\([^"]*\)".*/\1/p' demo/signage.cfg); do
  n=0
  for t in $MOMENTS; do
    first=
    m=$((n + 40))
    while [ $n -lt $m ]; do
        line=$("$CTL" -c "$D/signage.cfg" --now "$NOW" at "$screen" "$t") || break
        set -- $line # campaign item type slot_start slot_end
        [ -z "$first" ] && first="$1 $2"
        # one second into the slot (a video's first frames are often black)
        at=$(date -d "$4 + 1 second" '+%Y-%m-%dT%H:%M:%S%:z' 2>/dev/null || echo "$4")
        n=$((n + 1))
        f=$(printf '%s/%s-%02d-%s-%s.png' "$out" "$screen" "$n" "$1" "$2")
        "$PLAYER" -c "$D/signage.cfg" --screen "$screen" --screenshot-at "$at" --out "$f" \
            2>/dev/null && echo "  $f  ($1 item $2, $3, from $4)"
        # the loop is over when its first slot comes round again
        line2=$("$CTL" -c "$D/signage.cfg" --now "$NOW" at "$screen" "$5") || break
        set -- $line2
        [ "$1 $2" = "$first" ] && break
        t=$4
    done
  done
done
echo "run-demo: done; look at $out"
