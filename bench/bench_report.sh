#!/bin/sh
# bench_report - `signagectl report` over a network's proof-of-play logs,
# one day and one month, against peers measured in the same run on the same
# files: cat (reading them), an awk one-liner and jq (the same sums: plays
# and seconds shown per campaign).  Wall time, CPU (user + sys) and peak RSS
# of each (GNU time); ratios; a summary block to paste into a note.
#
# The logs are made by bench/gen_poplog.c (compiled here with cc -O2):
# BENCH_REPORT_SCREENS (500) screens, about 8,000 lines a screen a day of
# 5-30 s items (about 4 million lines and 1.7 GB a day at 500 screens),
# 20 campaigns of 14 owners, the fallback at night, dark periods, a few
# cut / skipped / error lines.  They stay in BENCH_REPORT_DIR
# (${TMPDIR:-/tmp}/signage-bench-report) and are reused by the next run with
# the same parameters (a stamp per set); a set of the same kind with other
# parameters is removed before a new one is made.  On the day the peers run
# in turn BENCH_REPORT_DAY_ROUNDS times (medians; peak RSS the highest), on
# the month once.
# The day is read once before timing (it fits in the page cache); a month
# larger than the memory is read from disk by every peer.
#
#   sh bench/bench_report.sh [--clean-after]   measure (keeps the logs unless --clean-after)
#   sh bench/bench_report.sh --clean           remove the logs and exit
#
# Environment:
#   CTL=PATH                     the signagectl measured ($BUILD/signagectl)
#   REPORT_ARGS="--by campaign"  what follows `report --log TREE --from D --to D`
#   BENCH_REPORT_SCREENS=500     screens of the day
#   BENCH_REPORT_MONTH_SCREENS   screens of the month (as many as the day; 0: no month);
#                                fewer when the disk has no room, with a message
#   BENCH_REPORT_MONTH_DAYS=30   days of the month
#   BENCH_REPORT_DAY_ROUNDS=3    rounds on the day (medians; the month: one)
#   BENCH_REPORT_JQ_MAX_S=600    jq is not run on the month when the day says it would take longer
#   BENCH_REPORT_MEM_LIMIT_MB    signagectl is not run on the month when the day says it would
#                                hold more (default 80 % of the memory available at the start),
#                                and is killed if it does; BENCH_REPORT_FORCE_MONTH=1 runs it anyway
# Needs GNU time (Debian package time) and jq (package jq); awk is the system's.
set -u
NAME=bench_report
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$SRCDIR/build}
CTL=${CTL:-$BUILD/signagectl}
SCREENS=${BENCH_REPORT_SCREENS:-500}
MONTH_SCREENS=${BENCH_REPORT_MONTH_SCREENS:-$SCREENS}
MONTH_DAYS=${BENCH_REPORT_MONTH_DAYS:-30}
DIR=${BENCH_REPORT_DIR:-${TMPDIR:-/tmp}/signage-bench-report}
REPORT_ARGS=${REPORT_ARGS:---by campaign}
JQ_MAX_S=${BENCH_REPORT_JQ_MAX_S:-600}
DAY_ROUNDS=${BENCH_REPORT_DAY_ROUNDS:-3}
DAY=2023-03-15
MONTH_FROM=2023-03-01
MARGIN=$((2 * 1024 * 1024 * 1024)) # bytes left free on the disk
EST_SCREEN_DAY=3400000              # bytes a screen writes a day (gen_poplog: 3.37 MB)

# The peers, as someone would type them in a directory of logs.
AWK_SUM='{ split($0, a, "\"campaign\":\""); split(a[2], b, "\""); c = b[1]; split($0, a, "\"shown_ms\":"); split(a[2], b, ","); ms[c] += b[1] } /"result":"(played|cut)"/ { n[c]++ } END { for (c in ms) printf "%s %d %.1f\n", (c == "-" ? "(fallback)" : c), n[c], ms[c] / 1000 }'
JQ_TSV='[.campaign, .result, .shown_ms] | @tsv'
AWK_TSV='{ ms[$1] += $3 } $2 == "played" || $2 == "cut" { n[$1]++ } END { for (c in ms) printf "%s %d %.1f\n", (c == "-" ? "(fallback)" : c), n[c], ms[c] / 1000 }'

clean_after=
case "${1:-}" in
--clean)
    if [ -d "$DIR" ] && [ ! -f "$DIR/.bench_report" ]; then
        echo "$NAME: $DIR was not made by this bench (no .bench_report in it); not removed"
        exit 1
    fi
    rm -rf "$DIR" && echo "$NAME: removed $DIR"
    exit 0
    ;;
--clean-after) clean_after=1 ;;
"") ;;
*)
    echo "usage: $0 [--clean | --clean-after]"
    exit 2
    ;;
esac

# --- what is needed --------------------------------------------------------
if ! /usr/bin/time -f %e -o /dev/null true 2>/dev/null; then
    echo "$NAME: GNU time (/usr/bin/time) is missing: apt-get install time; nothing measured"
    exit 0
fi
for c in cc awk find sort df; do
    command -v $c >/dev/null 2>&1 || { echo "$NAME: no $c; nothing measured"; exit 0; }
done
HAVE_JQ=yes
command -v jq >/dev/null 2>&1 || HAVE_JQ="no (apt-get install jq)"
if [ ! -x "$CTL" ]; then
    echo "$NAME: $CTL not built (make build/signagectl, or CTL=/path/to/signagectl)"
    exit 1
fi
if [ -d "$DIR" ] && [ ! -f "$DIR/.bench_report" ] && [ -n "$(ls -A "$DIR")" ]; then
    echo "$NAME: $DIR holds files this bench did not make; set BENCH_REPORT_DIR elsewhere"
    exit 1
fi
mkdir -p "$DIR/bin" "$DIR/state" "$DIR/run" && touch "$DIR/.bench_report" || exit 1
RUN=$DIR/run
. "$SRCDIR/bench/steal.inc"

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
gb() { calc %.1f "$1 / 1e9"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
free_bytes() { df -Pk "$DIR" | awk 'NR == 2 { printf "%.0f", $4 * 1024 }'; }
mem_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
MEM_AVAIL_MB=$(($(mem_kb MemAvailable) / 1024))
MEM_TOTAL_MB=$(($(mem_kb MemTotal) / 1024))
MEM_LIMIT_MB=${BENCH_REPORT_MEM_LIMIT_MB:-$((MEM_AVAIL_MB * 8 / 10))}
MEM_LIMIT_WHY="80 % of the $((MEM_AVAIL_MB / 1024)) GB available"
[ -n "${BENCH_REPORT_MEM_LIMIT_MB:-}" ] && MEM_LIMIT_WHY="BENCH_REPORT_MEM_LIMIT_MB"
NCPU=$(nproc)

cc -O2 -std=c11 -o "$DIR/bin/gen_poplog" "$SRCDIR/bench/gen_poplog.c" || exit 1
GEN_SHA=$(sha256sum "$SRCDIR/bench/gen_poplog.c" | cut -c1-16)
CTL_SHA=$(sha256sum "$CTL" | cut -c1-12)
AWK_NAME=$(readlink -f "$(command -v awk)")
AWK_NAME=${AWK_NAME##*/}
JQ_VERSION=$([ "$HAVE_JQ" = yes ] && jq --version)

# --- the logs ----------------------------------------------------------------
# stamp SCREENS FIRST DAYS: what a set's .stamp says.
stamp() { echo "gen_poplog $GEN_SHA screens=$1 first=$2 days=$3"; }
# set_ready KIND SCREENS FIRST DAYS: true when that set is there, whole.
set_ready() {
    [ -f "$DIR/$1-${2}x$4/.stamp" ] && [ "$(cat "$DIR/$1-${2}x$4/.stamp")" = "$(stamp "$2" "$3" "$4")" ]
}

# gen_set KIND SCREENS FIRST DAYS: the set KIND-<SCREENS>x<DAYS> in $DIR,
# made unless its stamp says it is there; sets SET (its directory) and
# SET_LINES, SET_BYTES, SET_GEN (how it was made).  Other sets of KIND
# (other parameters) are removed first.
gen_set() {
    kind=$1 n=$2 first=$3 days=$4
    SET=$DIR/$kind-${n}x$days
    want=$(stamp "$n" "$first" "$days")
    if set_ready "$kind" "$n" "$first" "$days"; then
        read -r SET_LINES SET_BYTES gen_ms <"$SET/.counts"
        SET_GEN="generated earlier in $(calc %.1f "$gen_ms / 1000") s, reused"
        echo "$kind: reusing $SET ($SET_LINES lines, $(gb "$SET_BYTES") GB; $SET_GEN)"
        return 0
    fi
    for old in "$DIR/$kind"-*; do
        [ -d "$old" ] || continue
        echo "$kind: removing $old (other parameters)"
        rm -rf "$old"
    done
    mkdir -p "$SET/logs" || return 1
    echo "$kind: generating $n screens x $days days from $first into $SET ($NCPU processes)"
    t0=$(date +%s%N)
    k=0 pids=
    while [ $k -lt "$NCPU" ]; do
        "$DIR/bin/gen_poplog" "$SET/logs" "$n" "$first" "$days" $k "$NCPU" >"$SET/.part$k" &
        pids="$pids $!"
        k=$((k + 1))
    done
    failed=0
    for p in $pids; do
        wait "$p" || failed=1
    done
    gen_ms=$(ms_since "$t0")
    if [ $failed = 1 ]; then
        echo "$kind: gen_poplog failed (disk full?); removing $SET"
        rm -rf "$SET"
        return 1
    fi
    set -- $(cat "$SET"/.part*)
    SET_LINES=0 SET_BYTES=0
    while [ $# -ge 2 ]; do
        SET_LINES=$((SET_LINES + $1)) SET_BYTES=$((SET_BYTES + $2))
        shift 2
    done
    rm -f "$SET"/.part*
    echo "$SET_LINES $SET_BYTES $gen_ms" >"$SET/.counts"
    echo "$want" >"$SET/.stamp"
    SET_GEN="generated in $(calc %.1f "$gen_ms / 1000") s"
    if [ "$SET_LINES" = 0 ]; then
        echo "$kind: gen_poplog wrote nothing"
        return 1
    fi
    echo "$kind: $SET_LINES lines, $SET_BYTES bytes ($(calc %.0f "$SET_BYTES / $SET_LINES") B a line); $SET_GEN"
}

# room_for KIND SCREENS DAYS PER: how many screens of DAYS days at PER bytes
# a screen-day fit on the disk (counting the space of KIND's set that would
# be replaced), at most SCREENS.
room_for() {
    have=$(free_bytes)
    for old in "$DIR/$1"-*; do
        [ -d "$old" ] && have=$((have + $(du -sk "$old" | cut -f1) * 1024))
    done
    fit=$(((have - MARGIN) / ($3 * $4)))
    [ "$fit" -lt 0 ] && fit=0
    [ "$fit" -gt "$2" ] && fit=$2
    echo "$fit $have"
}

# Config: the screens and a state directory (report reads only the logs).
{
    echo "state = \"$DIR/state\";"
    echo "screens = ("
    max=$SCREENS
    [ "$MONTH_SCREENS" -gt "$max" ] && max=$MONTH_SCREENS
    "$DIR/bin/gen_poplog" --ids "$max" |
        sed 's/.*/  { id = "&"; groups = [ "all" ]; width = 1920; height = 1080; },/; $ s/,$//'
    echo ");"
} >"$DIR/signage.cfg"

# --- measuring -----------------------------------------------------------------
# measure LABEL WATCH CMD...: CMD under GNU time, its output in $RUN/LABEL.out.
# WATCH=watch kills it when its RSS passes MEM_LIMIT_MB.  Sets M_WALL, M_CPU
# (s), M_RSS (MB), M_RC and M_KILLED (the RSS in MB it was killed at, or "").
measure() {
    label=$1 watch=$2
    shift 2
    printf '  $ %s\n' "$*" >>"$RUN/commands"
    t0=$(date +%s%N)
    /usr/bin/time -f '%e %U %S %M' -o "$RUN/$label.time" "$@" >"$RUN/$label.out" \
        2>"$RUN/$label.err" &
    tp=$!
    M_KILLED=
    if [ "$watch" = watch ]; then
        while kill -0 "$tp" 2>/dev/null; do
            c=
            { read -r c _ <"/proc/$tp/task/$tp/children"; } 2>/dev/null
            if [ -n "$c" ] && [ -r "/proc/$c/status" ]; then
                while read -r key val _; do
                    [ "$key" = VmRSS: ] || continue
                    if [ $((val / 1024)) -gt "$MEM_LIMIT_MB" ]; then
                        kill -KILL "$c" 2>/dev/null
                        M_KILLED=$((val / 1024))
                    fi
                done <"/proc/$c/status"
            fi
            sleep 0.5
        done
    fi
    wait "$tp"
    M_RC=$?
    M_WALL=$(calc %.3f "$(ms_since "$t0") / 1000")
    set -- $(tail -1 "$RUN/$label.time") 0 0 0 0
    M_CPU=$(calc %.2f "$2 + $3") M_RSS=$(($4 / 1024))
}

# row LABEL: the figures of the last measure, one line.
row() {
    printf '  %-11s %8.3f s wall %8.2f s CPU %7d MB peak RSS%s\n' "$1" "$M_WALL" "$M_CPU" \
        "$M_RSS" "${2:-}"
}

# keep KIND PEER: adds the last measure to KIND's PEER lists (wall, CPU; RSS
# the peak over rounds).
keep() {
    eval "${1}_${2}_walls=\"\${${1}_${2}_walls:-} $M_WALL\" ${1}_${2}_cpus=\"\${${1}_${2}_cpus:-} $M_CPU\""
    eval "[ \"\${${1}_${2}_rss:-0}\" -lt $M_RSS ] && ${1}_${2}_rss=$M_RSS"
}

# median LIST, best LIST: the median, the smallest of numbers.
median() {
    echo "$1" | tr ' ' '\n' | grep . | sort -g |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
best() { echo "$1" | tr ' ' '\n' | grep . | sort -g | head -1; }

# run_set KIND FROM TO ROUNDS: every peer on the set in $SET, ROUNDS times
# in turn (cat, awk, jq, signagectl; so drift of the machine is shared).
# The best round in KIND_PEER_wall and _cpu (other work on the machine only
# ever adds time), the medians in _wmed and _cmed, the peak RSS in _rss.
run_set() {
    kind=$1 from=$2 to=$3 rounds=$4
    tree=$SET/logs
    nfiles=$(find "$tree" -name 'play-*.jsonl' | wc -l)
    # The files as arguments, as one would type them; through xargs cat when
    # the list would be too long for one command line.
    if [ $((nfiles * 40)) -lt 1500000 ]; then
        files='*/play-*.jsonl'
        feed=
        catcmd='cat */play-*.jsonl >/dev/null'
    else
        files=
        feed="find . -name 'play-*.jsonl' | sort | xargs cat |"
        catcmd="find . -name 'play-*.jsonl' | sort | xargs cat >/dev/null"
    fi
    echo "$kind: $nfiles files in $tree; $rounds round(s)"
    rm -f "$RUN/$kind"-*
    for p in cat awk jq ctl; do
        eval "${kind}_${p}_walls= ${kind}_${p}_cpus= ${kind}_${p}_rss=0 ${kind}_${p}_wall="
        eval "${kind}_${p}_cpu= ${kind}_${p}_wmed= ${kind}_${p}_cmed="
    done

    run_jq=yes
    eval "${kind}_jq_note="
    if [ "$HAVE_JQ" != yes ]; then
        run_jq=
        echo "  jq          not measured: jq is not installed (apt-get install jq)"
        eval "${kind}_jq_note='not measured: no jq'"
    elif [ "$kind" = month ] && [ -n "${day_jq_wall:-}" ] &&
        [ "$(calc %.0f "$day_jq_wall * $SET_BYTES / $day_bytes")" -gt "$JQ_MAX_S" ]; then
        run_jq=
        est=$(calc %.0f "$day_jq_wall * $SET_BYTES / $day_bytes")
        echo "  jq          not run: $day_jq_wall s on the day's $(gb "$day_bytes") GB makes ~$est s" \
            "for these $(gb "$SET_BYTES") GB, over BENCH_REPORT_JQ_MAX_S=$JQ_MAX_S"
        eval "${kind}_jq_note='not run (~$est s estimated from the day)'"
    fi
    run_ctl=yes
    eval "${kind}_ctl_note="
    if [ "$kind" = month ] && [ -n "${day_ctl_wall:-}" ]; then
        pred_mb=$(calc %.0f "$day_ctl_rss * $SET_LINES / $day_lines")
        if [ "$pred_mb" -gt "$MEM_LIMIT_MB" ] && [ -z "${BENCH_REPORT_FORCE_MONTH:-}" ]; then
            run_ctl=
            note="not run: it held $day_ctl_rss MB for the day's $day_lines lines; at that rate the month's $SET_LINES lines need ~$(calc %.1f "$pred_mb / 1024") GB, over the limit of $(calc %.1f "$MEM_LIMIT_MB / 1024") GB ($MEM_LIMIT_WHY; $(calc %.1f "$MEM_TOTAL_MB / 1024") GB RAM)"
            echo "  signagectl  $note"
            eval "${kind}_ctl_note=\"\$note\""
        fi
    fi

    # shellcheck disable=SC2034 # read through eval below
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    steal_start
    r=1
    while [ $r -le "$rounds" ]; do
        [ "$rounds" -gt 1 ] && echo "  round $r"
        measure "$kind-cat" - sh -c "cd '$tree' && $catcmd"
        keep "$kind" cat
        row cat

        measure "$kind-awk" - sh -c "cd '$tree' && $feed awk '$AWK_SUM' $files | LC_ALL=C sort"
        keep "$kind" awk
        row awk " ($AWK_NAME)"

        if [ -n "$run_jq" ]; then
            measure "$kind-jq" - sh -c \
                "cd '$tree' && $feed jq -r '$JQ_TSV' $files | awk -F'\t' '$AWK_TSV' | LC_ALL=C sort"
            keep "$kind" jq
            row "jq | awk"
        fi

        if [ -n "$run_ctl" ]; then
            # shellcheck disable=SC2086
            measure "$kind-signagectl" watch "$CTL" -c "$DIR/signage.cfg" report --log "$tree" \
                --from "$from" --to "$to" $REPORT_ARGS
            note=
            if [ -n "$M_KILLED" ]; then
                note="killed at $M_KILLED MB RSS (limit $MEM_LIMIT_MB MB) after $M_WALL s"
            elif [ "$M_RC" != 0 ]; then
                note="failed (exit $M_RC): $(head -c 300 "$RUN/$kind-signagectl.err")"
            fi
            if [ -n "$note" ]; then
                run_ctl=
                echo "  signagectl  $note"
                eval "${kind}_ctl_note=\"\$note\" ${kind}_ctl_walls="
            else
                keep "$kind" ctl
                row signagectl " ($(calc %.0f "$M_RSS * 1048576 / $SET_LINES") B a line)"
            fi
        fi
        r=$((r + 1))
    done
    for p in cat awk jq ctl; do
        eval "w=\$${kind}_${p}_walls c=\$${kind}_${p}_cpus"
        [ -n "$w" ] || continue
        eval "${kind}_${p}_wall=$(best "$w") ${kind}_${p}_cpu=$(best "$c")"
        eval "${kind}_${p}_wmed=$(median "$w") ${kind}_${p}_cmed=$(median "$c")"
    done
    eval "${kind}_steal=\"\$(steal_report '') load average (1/5/15 min) \$load0 before, \$(cut -d' ' -f1-3 /proc/loadavg) after (the runs alone make about 1, jq | awk 2; more is other work competing)\""
    eval "echo \"  \$${kind}_steal\""
    agree "$kind"
}

# agree KIND: do signagectl, awk and jq give the same sums?
agree() {
    a=$RUN/$1-awk.out c=$RUN/$1-signagectl.out j=$RUN/$1-jq.out
    msg=
    if [ -s "$RUN/$1-jq.out" ] && [ -s "$a" ]; then
        if cmp -s "$a" "$j"; then msg="awk and jq agree"; else msg="awk and jq DIFFER"; fi
    fi
    if eval "[ -z \"\$${1}_ctl_wall\" ]"; then
        :
    elif [ "$REPORT_ARGS" = "--by campaign" ] && head -1 "$c" | grep -q ' shown '; then
        # the table since issue 13: campaign plays cut skipped errors h:mm:ss share;
        # both sides to whole seconds
        awk 'NR > 1 && !/^(total|no log):/ { split($6, t, ":"); print $1, $2, t[1] * 3600 + t[2] * 60 + t[3] }' \
            "$c" | LC_ALL=C sort >"$RUN/$1-ctl.sums"
        awk '{ printf "%s %s %d\n", $1, $2, int($3 + 0.5) }' "$a" | LC_ALL=C sort >"$RUN/$1-awk.whole"
        # awk's sums are printed to 0.1 s, ours rounded from milliseconds: 1 s apart at most
        if paste -d' ' "$RUN/$1-awk.whole" "$RUN/$1-ctl.sums" | awk '
            $1 != $4 || $2 != $5 || $3 - $6 > 1 || $6 - $3 > 1 { bad = 1 } END { exit bad || NR == 0 }'; then
            msg="$msg; signagectl agrees with awk on every campaign's plays and seconds"
        else
            msg="$msg; signagectl and awk DIFFER (diff $RUN/$1-awk.whole $RUN/$1-ctl.sums)"
        fi
    elif [ "$REPORT_ARGS" = "--by campaign" ]; then
        awk 'NR > 1 && !/^total:/ { print $1, $2, $3 }' "$c" | LC_ALL=C sort >"$RUN/$1-ctl.sums"
        if cmp -s "$a" "$RUN/$1-ctl.sums"; then
            msg="$msg; signagectl agrees with awk on every campaign's plays and seconds"
        else
            msg="$msg; signagectl and awk DIFFER (diff $a $RUN/$1-ctl.sums)"
        fi
    else
        t=$(sed -n 's/^total: \([0-9.]*\) s shown.*/\1/p' "$c")
        s=$(awk '{ s += $3; n++ } END { printf "%.1f %d", s, n }' "$a")
        if [ -z "$t" ]; then
            msg="$msg; signagectl's total not compared (no 'total: N s shown' line)"
        elif awk -v t="$t" -v s="${s% *}" -v n="${s#* }" \
            'BEGIN { d = t - s; exit !(d < 0.05 * n + 0.1 && -d < 0.05 * n + 0.1) }'; then
            msg="$msg; signagectl's total seconds ($t) agree with awk's"
        else
            msg="$msg; signagectl's total seconds ($t) DIFFER from awk's (${s% *})"
        fi
    fi
    [ -n "$msg" ] && echo "  check: ${msg#; }"
}

: >"$RUN/commands"
echo "$NAME: $CTL (sha256 $CTL_SHA) report --log TREE --from D --to D $REPORT_ARGS"
echo "$NAME: $NCPU CPUs, $(calc %.1f "$MEM_TOTAL_MB / 1024") GB RAM ($(calc %.1f "$MEM_AVAIL_MB / 1024") GB available)," \
    "awk = $AWK_NAME, jq: ${JQ_VERSION:-$HAVE_JQ}; data in $DIR"

# --- the day -----------------------------------------------------------------
set -- $(room_for day "$SCREENS" 1 "$EST_SCREEN_DAY")
day_n=$1
if ! set_ready day "$SCREENS" "$DAY" 1 && [ "$day_n" -lt "$SCREENS" ]; then
    echo "day: not enough room in $DIR for $SCREENS screens ($(gb "$2") GB free," \
        "~$(gb $((SCREENS * EST_SCREEN_DAY))) GB needed): the day is measured at $day_n screens"
else
    day_n=$SCREENS
fi
[ "$day_n" -gt 0 ] || { echo "day: no room at all; nothing measured"; exit 1; }
gen_set day "$day_n" "$DAY" 1 || exit 1
day_lines=$SET_LINES day_bytes=$SET_BYTES day_gen=$SET_GEN day_screens=$day_n
# Warm: the day fits in the page cache; every peer reads it from memory.
find "$SET/logs" -name 'play-*.jsonl' -exec cat {} + >/dev/null
echo "day: $day_n screens, $DAY: read once before timing (page cache warm)"
run_set day "$DAY" "$DAY" "$DAY_ROUNDS"

# --- the month -----------------------------------------------------------------
month_screens=0
month_to=$(date -u -d "$MONTH_FROM + $((MONTH_DAYS - 1)) days" +%F)
if [ "$MONTH_SCREENS" -gt 0 ] && [ "$MONTH_DAYS" -gt 0 ]; then
    per=$((day_bytes / day_n + 1))
    set -- $(room_for month "$MONTH_SCREENS" "$MONTH_DAYS" "$per")
    month_screens=$1
    if set_ready month "$MONTH_SCREENS" "$MONTH_FROM" "$MONTH_DAYS"; then
        month_screens=$MONTH_SCREENS
    elif [ "$month_screens" -lt "$MONTH_SCREENS" ]; then
        echo "month: NOT ENOUGH DISK for $MONTH_SCREENS screens x $MONTH_DAYS days" \
            "(~$(gb $((MONTH_SCREENS * MONTH_DAYS * per))) GB; $(gb "$2") GB usable in $DIR," \
            "$(gb $MARGIN) GB kept free): the month is measured at $month_screens screens" \
            "instead (BENCH_REPORT_MONTH_SCREENS sets it; BENCH_REPORT_DIR another disk)"
    fi
fi
if [ "$month_screens" -gt 0 ]; then
    gen_set month "$month_screens" "$MONTH_FROM" "$MONTH_DAYS" || month_screens=0
fi
if [ "$month_screens" -gt 0 ]; then
    month_lines=$SET_LINES month_bytes=$SET_BYTES month_gen=$SET_GEN
    if [ $((month_bytes / 1048576)) -gt $((MEM_AVAIL_MB / 2)) ]; then
        echo "month: $month_screens screens, $MONTH_FROM..$month_to; $(gb "$month_bytes") GB against" \
            "$(calc %.1f "$MEM_TOTAL_MB / 1024") GB of RAM: mostly read from disk, by every peer"
    else
        find "$SET/logs" -name 'play-*.jsonl' -exec cat {} + >/dev/null
        echo "month: $month_screens screens, $MONTH_FROM..$month_to: read once before timing" \
            "(page cache warm)"
    fi
    run_set month "$MONTH_FROM" "$month_to" 1
else
    echo "month: not measured"
fi

# --- summary -------------------------------------------------------------------
# summary KIND SCREENS DAYS LINES BYTES GEN
summary() {
    k=$1
    eval "sw=\$${k}_ctl_wall sc=\${${k}_ctl_cpu:-} sr=\${${k}_ctl_rss:-} sn=\$${k}_ctl_note"
    eval "aw=\$${k}_awk_wall ac=\$${k}_awk_cpu cw0=\$${k}_cat_wall cc0=\$${k}_cat_cpu"
    eval "jw=\$${k}_jq_wall jc=\$${k}_jq_cpu jn=\${${k}_jq_note:-} st=\$${k}_steal"
    echo "$k: $2 screens x $3 day(s), $4 lines, $(gb "$5") GB ($(calc %.0f "$5 / $4") B a line); $6"
    printf '  %-10s %9s %9s %12s\n' "" "wall s" "CPU s" "peak RSS MB"
    if [ -n "$sw" ]; then
        printf '  %-10s %9.3f %9.2f %12d\n' signagectl "$sw" "$sc" "$sr"
    else
        echo "  signagectl $sn"
    fi
    eval "printf '  %-10s %9.3f %9.2f %12d\n' awk \"\$aw\" \"\$ac\" \"\$${k}_awk_rss\""
    if [ -n "$jw" ]; then
        eval "printf '  %-10s %9.3f %9.2f %12d\n' 'jq | awk' \"\$jw\" \"\$jc\" \"\$${k}_jq_rss\""
    else
        echo "  jq | awk   $jn"
    fi
    eval "printf '  %-10s %9.3f %9.2f %12d\n' cat \"\$cw0\" \"\$cc0\" \"\$${k}_cat_rss\""
    if [ -n "$sw" ]; then
        line="  signagectl / awk: $(ratio "$sw" "$aw") wall, $(ratio "$sc" "$ac") CPU"
        [ -n "$jw" ] && line="$line;  / jq: $(ratio "$sw" "$jw") wall, $(ratio "$sc" "$jc") CPU"
        line="$line;  / cat: $(ratio "$sw" "$cw0") wall"
        echo "$line"
        echo "  signagectl peak RSS: $sr MB, $(calc %.0f "$sr * 1048576 / $4") B a line"
    fi
    eval "rw=\$${k}_ctl_walls ra=\$${k}_awk_walls rj=\$${k}_jq_walls rc=\$${k}_cat_walls"
    if [ "$(echo $ra | wc -w)" -gt 1 ]; then
        echo "  best of $(echo $ra | wc -w) rounds; wall s per round: signagectl${rw:- -}, awk$ra," \
            "jq${rj:- -}, cat$rc"
        if [ -n "$sw" ]; then
            eval "mw=\$${k}_ctl_wmed ma=\$${k}_awk_wmed mj=\${${k}_jq_wmed:-}"
            line="  on the medians: signagectl / awk $(ratio "$mw" "$ma")"
            [ -n "$mj" ] && line="$line, / jq $(ratio "$mw" "$mj")"
            echo "$line"
        fi
    fi
    echo "  $st"
}

echo
echo "==== $NAME summary ===="
echo "signagectl: $CTL (sha256 $CTL_SHA)"
echo "command: signagectl -c CFG report --log TREE --from D --to D $REPORT_ARGS"
echo "peers: cat FILES >/dev/null; $AWK_NAME (split on \"campaign\":\" and \"shown_ms\":);" \
    "jq -r '$JQ_TSV' | awk; same files, same run; on the day $DAY_ROUNDS rounds in turn, the month once"
echo "machine: $NCPU CPUs, $(calc %.1f "$MEM_TOTAL_MB / 1024") GB RAM; ${JQ_VERSION:-no jq}"
summary day "$day_screens" 1 "$day_lines" "$day_bytes" "$day_gen"
if [ "$month_screens" -gt 0 ]; then
    summary month "$month_screens" "$MONTH_DAYS" "$month_lines" "$month_bytes" "$month_gen"
    [ "$month_screens" -lt "$MONTH_SCREENS" ] &&
        echo "  (the month at $month_screens screens, not $MONTH_SCREENS: not enough disk)"
else
    echo "month: not measured"
fi
echo "commands timed (also in $RUN/commands):"
cat "$RUN/commands"
echo "===="
if [ -n "$clean_after" ]; then
    rm -rf "$DIR" && echo "$NAME: removed $DIR"
else
    echo "$NAME: logs kept in $DIR ($(du -sh "$DIR" | cut -f1)); rerun reuses them;" \
        "sh bench/bench_report.sh --clean removes them"
fi
