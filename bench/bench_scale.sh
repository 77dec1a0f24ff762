#!/bin/sh
# The scheduler at network scale (issue 12): SCALE_SCREENS screens (default
# 100,000) x SCALE_CAMPAIGNS campaigns (default 5,000) from gen_network.py,
# a year of dates and dayparts.  Measures, in one run, against the floor of
# writing the same bytes as the same number of files with fsync:
#   cold --once (ingest + publish) and its publish part, peak RSS;
#   a re-run with nothing changed;
#   one dropped campaign, daemon running: publish time and drop-to-playlist;
#   signagectl at and the player's reader on the largest playlist.
# SCALE_BASE=DIR with an older signage-scheduler and signagectl in DIR runs
# the same steps with them first (before/after in one command).
set -u
: "${BUILD:?run through make bench}"
: "${SRCDIR:?run through make bench}"
N=${SCALE_SCREENS:-100000}
M=${SCALE_CAMPAIGNS:-5000}
NOW=2023-06-15T10:00:00+09:00
T=$(mktemp -d "${TMPDIR:-/tmp}/signage-scale.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$T"' EXIT
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
LIBS="$(pkg-config --libs libconfig icu-uc icu-i18n) -lm"
cc -O2 -o "$T/floor" "$SRCDIR/bench/floor_write.c" || exit 1
cc -O2 -std=c11 -D_GNU_SOURCE -I"$SRCDIR" -o "$T/plparse" "$SRCDIR/bench/plparse.c" \
    "$BUILD/libplaylists.a" "$BUILD/libcommon.a" $LIBS || exit 1

# run LABEL BINDIR: every step with the programs in BINDIR.
run() {
    label=$1 bin=$2
    D=$T/$label
    S=$D/state
    mkdir -p "$S/spool/m"
    ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=s=640x360 \
        -frames:v 1 "$S/spool/m/a.png"
    ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i color=c=navy:s=640x360 \
        -frames:v 1 "$S/spool/m/b.jpg"
    python3 "$SRCDIR/bench/gen_network.py" "$N" "$M" "$D" "$S" || return 1
    SCHED="$bin/signage-scheduler -c $D/signage.cfg"

    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$D/rss" $SCHED --once --now $NOW 2>"$D/cold.log"
    cold=$(ms $t0)
    if ! grep -q 'published:' "$D/cold.log"; then
        echo "[$label] cold run failed: $(grep -m1 error "$D/cold.log")"
        return 1
    fi
    pub=$(sed -n 's/.*published:.* \([0-9]*\) ms$/\1/p' "$D/cold.log" | tail -1)
    rss=$(( $(cat "$D/rss") / 1024 ))
    n=$(ls "$S/playlists" | grep -c '\.playlist$')
    bytes=$(find "$S/playlists" -name '*.playlist' -printf '%s\n' | awk '{ s += $1 } END { print s }')
    largest=$(ls -S "$S/playlists" | grep '\.playlist$' | head -1)
    lbytes=$(wc -c <"$S/playlists/$largest")
    set -- $("$T/floor" "$S/playlists" "$D/floor-each" each)
    each_ms=$(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }')
    set -- $("$T/floor" "$S/playlists" "$D/floor-batch" batch)
    batch_ms=$(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }')
    rm -rf "$D/floor-each" "$D/floor-batch"
    echo "[$label] $N screens x $M campaigns: $n playlists, $bytes bytes; largest $largest $lbytes bytes"
    echo "[$label] cold --once: $cold ms (publish $pub ms), peak RSS $rss MB"
    echo "[$label]   floor, the same bytes as $n files: fsync each $each_ms ms, one syncfs $batch_ms ms"
    echo "[$label]   publish = $(ratio "$pub" "$each_ms")x fsync-each floor," \
        "$(ratio "$pub" "$batch_ms")x one-syncfs floor"

    # Right after the floor's writes the page cache holds little of the
    # state tree (a box after a reboot); the runs after, what a restart
    # of the daemon finds.
    t0=$(date +%s%N)
    $SCHED --once --now $NOW 2>"$D/warm.log"
    first=$(ms $t0)
    warm=
    for k in 1 2 3; do
        t0=$(date +%s%N)
        $SCHED --once --now $NOW 2>"$D/warm.log"
        warm="$warm $(ms $t0)"
    done
    echo "[$label] re-run, nothing changed ($(grep -o '[0-9]* written, [0-9]* unchanged' "$D/warm.log" | tail -1)):" \
        "$first ms after the floor's writes, then$warm ms (warm page cache)" \
        "= $(ratio "$first" "$batch_ms")x, then $(ratio "$(echo $warm | tr ' ' '\n' | sort -n | sed -n 2p)" "$batch_ms")x one-syncfs floor"

    at_best=999999
    for k in 1 2 3 4 5; do
        t0=$(date +%s%N)
        $bin/signagectl -c "$D/signage.cfg" at "${largest%.playlist}" $NOW >/dev/null 2>&1
        t=$(ms $t0)
        [ "$t" -lt "$at_best" ] && at_best=$t
    done
    parse=$("$T/plparse" "$S/playlists/$largest" 9 2>&1)
    echo "[$label] signagectl at on $largest: best of 5 $at_best ms; reader (pl_playlist_load) median $parse ms"

    $SCHED --now $NOW 2>"$D/daemon.log" &
    pid=$!
    i=0
    while ! grep -q watching "$D/daemon.log" && [ $i -lt 6000 ]; do sleep 0.05; i=$((i + 1)); done
    lat= pubs=
    for k in 1 2 3 4 5; do
        scr=$(sed -n "$((k * 37 % N + 2))p" "$D/signage.cfg" | sed 's/.*id = "\([^"]*\)".*/\1/')
        gen() { sed -n 's/^generation = \([0-9]*\)L*;/\1/p' "$S/playlists/$scr.playlist"; }
        g=$(gen)
        printf 'id = "drop%d"; title = "t"; owner = "o"; start = "2023-06-01"; end = "2023-06-30";\nscreens = [ "%s" ]; priority = 100;\nitems = ( { type = "image"; file = "m/a.png"; } );\n' \
            $k "$scr" >"$D/drop.cfg"
        nlog=$(grep -c 'published:' "$D/daemon.log")
        t0=$(date +%s%N)
        mv "$D/drop.cfg" "$S/spool/drop$k.cfg"
        i=0
        while [ "$(gen)" = "$g" ] && [ $i -lt 30000 ]; do sleep 0.002; i=$((i + 1)); done
        lat="$lat $(ms $t0)"
        i=0
        while [ "$(grep -c 'published:' "$D/daemon.log")" = "$nlog" ] && [ $i -lt 1000 ]; do
            sleep 0.01; i=$((i + 1))
        done
        pubs="$pubs $(grep 'published:' "$D/daemon.log" | tail -1 | sed 's/.* \([0-9]*\) ms$/\1/')"
    done
    kill -TERM $pid
    wait $pid
    pid=
    med() { echo $* | tr ' ' '\n' | sort -n | sed -n 3p; }
    echo "[$label] one dropped campaign (settle 0.1 s), 5 drops: publish ms:$pubs (median $(med $pubs));" \
        "drop to new playlist ms:$lat (median $(med $lat))"
    rm -rf "$D"
}

[ -n "${SCALE_BASE:-}" ] && run before "$SCALE_BASE"
run after "$BUILD"
