# Crash consistency of the spool: the daemon and --once are
# killed with SIGKILL at many points -- after random delays while an
# "operator" streams drops, replacements, renames from .part and deletes
# into the spool, and at each rename/link/unlink/fsync by strace fault
# injection, also while an older version is held open -- and after every
# restart:
#   - every operator file that was not deleted is in exactly one place
#     (spool/, the history of its campaign as <N>.src, or rejected/), byte
#     for byte, and nothing else is there;
#   - nothing is left in the spool once it has settled;
#   - bad files are rejected, good ones only as older than the current one;
#   - the newest version of every id is the published one, and every
#     history version holds the operator file it was made from;
#   - every rejected file has its .error and every .error its file;
#   - no temporary file remains;
#   - the playlists equal those of a clean --once over the same inputs.
#
# Bounded by default (a minute or two); CRASH_ROUNDS=N runs N cycles of
# every kind of kill instead of 1 (e.g. CRASH_ROUNDS=20 for a long run);
# KEEP=1 keeps the state, the ledger and every run's log.
#
# Every drop carries a unique token (tk + 6 digits) in its title, so it can
# be found wherever it went; $T/ledger records the drops in order:
#   D <tab> token <tab> v|b <tab> id <tab> spool name     (v: valid, b: bad)
#   X <tab> token                  (deleted from the spool by the operator)
. "$SRCDIR/tests/integration/lib.sh"

NOW=2023-03-15T10:00:00+09:00
S=$T/state
SP=$S/spool
LEDGER=$T/ledger
DROPS=$T/drops
VIOL=$T/violations
ROUNDS=${CRASH_ROUNDS:-1}
A_ROUNDS=20 # daemon kills per cycle
B_ROUNDS=20 # --once kills per cycle
IDS="spring-sale museum tokyo-marathon library ueno-zoo fireworks"
mkdir -p "$SP" "$DROPS" "$T/logs" "$T/parts"
: >"$LEDGER"
: >"$VIOL"
echo 0 >"$T/tokens"
screens='screens = (
  { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; },
  { id = "kochi-station"; groups = [ "kochi" ]; width = 1080; height = 1920; rotate = 90; }
);'
# settle 0.2 s while drops stream; settle 0 when the spool is complete
# (the strace runs, the restarts after them, the clean comparison run).
# history_keep = 0 keeps every version: none of the operator's files is
# pruned away.
for c in stream:0.2:"$S" once:0:"$S" clean:0:"$T/clean"; do
    name=${c%%:*} rest=${c#*:}
    cat >"$T/$name.cfg" <<EOF
state = "${rest#*:}";
timezone = "Asia/Tokyo";
pending_grace = 60;
settle = ${rest%%:*};
history_keep = 0;
$screens
EOF
done
SCHED="$SCHEDULER -c $T/stream.cfg"
# children PID: the processes PID started (the scheduler under strace)
children() {
    c=$(cat /proc/$1/task/*/children 2>/dev/null)
    [ -n "$c" ] || c=$(grep -l "^PPid:[[:space:]]*$1\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3)
    echo $c
}
# Interrupted: stop what runs in the background, then what lib.sh does.
pid='' oppid=''
trap 'if [ -n "$pid" ]; then for c in $(children $pid); do kill -9 $c; done; kill -9 $pid; fi 2>/dev/null
      [ -n "$oppid" ] && : >"$T/stop" && wait $oppid
      [ -n "${KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
ONCE="$SCHEDULER -c $T/once.cfg --once --now $NOW"
# A program killed under strace must not trip LeakSanitizer, which cannot
# run under ptrace.
NOLEAK=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# --- random numbers without bash: a file of them, read through fd 4 -------------
od -An -tu2 -N200000 /dev/urandom | tr -s ' ' '\n' | grep . >"$T/random"
exec 4<"$T/random"
rnd() { # rnd N: R = 0..N-1
    if ! read -r R <&4; then
        exec 4<"$T/random"
        read -r R <&4
    fi
    R=$((R % $1))
}
msleep() { # msleep MS
    f=$(($1 % 1000))
    [ $f -lt 100 ] && f=0$f
    [ $f -lt 10 ] && f=0$f
    sleep "$(($1 / 1000)).$f"
}
pick() { # pick WORDS...: P = one of them
    shift $((R % $# ))
    P=$1
}
logname() { # a fresh log file for one scheduler run
    nlog=$((${nlog:-0} + 1))
    L=$T/logs/$nlog.log
}
viol() { printf '%s\t%s\n' "$1" "$2" >>"$VIOL"; }

# --- the operator -------------------------------------------------------------
newtok() {
    ntok=$((ntok + 1))
    TOK=$(printf 'tk%06d' $ntok)
}
# content TOKEN ID KIND > file; KIND v (valid) or b0..b2 (three kinds of bad)
content() {
    rnd 80
    prio=$((R + 10))
    rnd 26
    dur=$((R + 5))
    case $3 in
    v) printf 'id = "%s";\ntitle = "drop %s";\nowner = "crash test";\nstart = "2023-03-01";\nend = "2023-03-31";\nscreens = [ "*" ];\npriority = %d;\nitems = ( { type = "text"; text = "%s of %s"; duration = %d; } );\n' \
        "$2" "$1" $prio "$1" "$2" $dur ;;
    b0) printf 'id = "%s";\ntitle = "drop %s";\nitems = ( { type = "text"; text = "%s" ;\n' "$2" "$1" "$1" ;;
    b1) printf 'id = "%s";\ntitle = "drop %s";\nowner = "x";\nstart = "2023-03-01";\nend = "2023-03-31";\nscreens = [ "atlantis" ];\nitems = ( { type = "text"; text = "x"; } );\n' "$2" "$1" ;;
    b2) printf 'id = "%s";\ntitle = "drop %s";\nowner = "x";\nstart = "2023-03-31";\nend = "2023-03-01";\nscreens = [ "*" ];\nitems = ( { type = "text"; text = "x"; } );\n' "$2" "$1" ;;
    esac
}
# Only the operator makes files in the spool; the scheduler only takes them
# away.  So a name found free here stays free until the operator uses it.
choose_name() { # choose_name TOKEN ID KIND: NAME, free in the spool
    rnd 4
    if [ "$3" = v ]; then
        case $R in 0) NAME="$2.cfg" ;; 1) NAME="$2 夏.cfg" ;; 2) NAME="$2-$1.cfg" ;; *) NAME="new-$1.cfg" ;; esac
    else
        case $R in 0 | 1) NAME="bad.cfg" ;; 2) NAME="$2.cfg" ;; *) NAME="bad-$1.cfg" ;; esac
    fi
    [ -e "$SP/$NAME" ] && NAME="$2-$1.cfg"
    return 0
}
recorded() { # the drop just made is complete in the spool: in the ledger, then a pause
    printf 'D\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$LEDGER"
    last2_tok=${last1_tok:-} last2_name=${last1_name:-}
    last1_tok=$1 last1_name=$4
    # Drops more than a clock tick apart: ctime order is drop order.
    rnd 31
    msleep $((R + 20))
}
op_drop() { # op_drop [good|bad]: a new file straight into the spool (printf > spool/x.cfg)
    want=${1:-}
    newtok
    rnd 6
    set -- $IDS
    pick "$@"
    id=$P kind=v
    rnd 10
    if [ "$want" = bad ] || { [ -z "$want" ] && [ -z "${burst:-}" ] && [ $R -lt 2 ]; }; then
        rnd 3
        kind=b$R
    fi
    # a replacement burst: the same id as the last drop
    [ -n "${burst:-}" ] && id=$burst && kind=v
    content $TOK $id $kind >"$DROPS/$TOK"
    choose_name $TOK $id ${kind%[0-9]}
    cat "$DROPS/$TOK" >"$SP/$NAME"
    recorded $TOK ${kind%[0-9]} $id "$NAME"
}
op_part_start() { # a copy begins: spool/NAME.part, renamed later
    newtok
    rnd 6
    set -- $IDS
    pick "$@"
    content $TOK $P v >"$DROPS/$TOK"
    printf '%s\n' "$P" >"$T/parts/$TOK"
    cat "$DROPS/$TOK" >"$SP/$TOK.cfg.part"
}
op_part_end() { # op_part_end [all|abandon]: a copy is done, renamed into place
    mode=${1:-one}
    for p in "$T"/parts/tk*; do
        [ -f "$p" ] || return 0
        tok=${p##*/}
        read -r id <"$p"
        if [ $mode = abandon ]; then
            rm -f "$SP/$tok.cfg.part" "$p" # never complete: never dropped
            return 0
        fi
        choose_name $tok $id v
        mv "$SP/$tok.cfg.part" "$SP/$NAME"
        rm -f "$p"
        recorded $tok v $id "$NAME"
        [ $mode = all ] || return 0
    done
}
op_delete() { # op_delete [last]: remove a recent drop if it is still in the spool
    rnd 3
    [ "${1:-}" = last ] && R=0
    case $R in
    0 | 1) tok=${last1_tok:-} name=${last1_name:-} ;;
    *) tok=${last2_tok:-} name=${last2_name:-} ;;
    esac
    [ -n "$tok" ] || return 0
    # The name may have been taken away and used again: delete only the
    # file that holds this drop.  Nobody else puts a file under that name.
    if grep -q "$tok" "$SP/$name" 2>/dev/null && rm "$SP/$name" 2>/dev/null; then
        printf 'X\t%s\n' "$tok" >>"$LEDGER"
    fi
}
# A file written, then held open: the scheduler must not read it before it
# is closed; it became complete (its ctime) when written, so a newer version
# of the same id, dropped meanwhile, wins.
op_hold() { # op_hold start|tick|release
    if [ -n "${held:-}" ]; then
        held_left=$((held_left - 1))
        [ $held_left -le 0 ] || [ $1 = release ] || return 0
        exec 5>&-
        held=
        return 0
    fi
    [ $1 = start ] || return 0
    newtok
    rnd 6
    set -- $IDS
    pick "$@"
    content $TOK $P v >"$DROPS/$TOK"
    choose_name $TOK $P v
    exec 5>"$SP/$NAME"
    cat "$DROPS/$TOK" >&5
    held=$TOK
    rnd 15
    held_left=$((R + 3))
    recorded $TOK v $P "$NAME"
    burst=$P
    op_drop
    burst=
}
op() { # one random operator action
    op_hold tick
    rnd 100
    burst=
    if [ $R -lt 3 ]; then
        op_hold start
    elif [ $R -lt 45 ]; then
        op_drop
    elif [ $R -lt 55 ]; then
        op_drop bad
    elif [ $R -lt 65 ]; then
        [ "$(ls "$T/parts" | wc -l)" -lt 3 ] && op_part_start
    elif [ $R -lt 75 ]; then
        op_part_end
    elif [ $R -lt 77 ]; then
        op_part_end abandon
    elif [ $R -lt 92 ]; then
        op_delete
    else
        burst=${last1_tok:+$(awk -F'\t' -v t="$last1_tok" '$1 == "D" && $2 == t { print $4 }' "$LEDGER")}
        op_drop
        burst=
    fi
}
# The operator at work until $T/stop appears, then it finishes its copies.
operator() {
    read -r ntok <"$T/tokens"
    exec 4<"$T/random.op"
    i=0
    while [ ! -e "$T/stop" ] && [ -d "$SP" ] && [ $i -lt 5000 ]; do
        op
        i=$((i + 1))
    done
    op_hold release
    op_part_end all
    echo $ntok >"$T/tokens"
}
start_operator() {
    rm -f "$T/stop"
    od -An -tu2 -N200000 /dev/urandom | tr -s ' ' '\n' | grep . >"$T/random.op"
    operator &
    oppid=$!
}
stop_operator() {
    : >"$T/stop"
    wait $oppid
    oppid=
}
# A batch made while no scheduler runs (the strace sweep), the same mix
# every time so that the number of calls to each system call is about the
# same: two versions of one id, one from a .part, a bad file, and a file
# deleted before it was taken.
batch() {
    read -r ntok <"$T/tokens"
    last1_tok='' last2_tok=''
    op_drop good
    burst=$id
    op_drop
    burst=
    op_part_start
    op_part_end all
    op_drop bad
    op_drop
    op_delete last
    echo $ntok >"$T/tokens"
}

# --- the checks after a restart ---------------------------------------------------
cat >"$T/verify.awk" <<'EOF'
# Inputs, told apart by part: 1 ledger, 2 places (place<TAB>path),
# 3 tokens (path:token), 4 md5 of places, 5 md5 of drops, 6 history .cfg
# tokens (path:token), 7 current (id<TAB>token<TAB>version), 8 .error files
# saying "newer version" (path of the .error).
BEGIN { FS = "\t"; for (i = 1; i < ARGC; i++) partof[ARGV[i]] = i }
FNR == 1 { part = partof[FILENAME] }
function tokpath(line) { return substr(line, 1, length(line) - 9) }
function v(kind, msg) { printf "%s\t%s: %s\n", kind, label, msg }
part == 1 && $1 == "D" { n++; seq[n] = $2; order[$2] = n; kind[$2] = $3; id[$2] = $4; name[$2] = $5; ids[$4] = 1 }
part == 1 && $1 == "X" { del[$2] = 1 }
part == 2 { place[$2] = $1 }
part == 3 { p = tokpath($0); t = substr($0, length($0) - 7)
            if (p in ftok) ftok[p] = ftok[p] " " t; else ftok[p] = t }
part == 4 { md5[substr($0, 35)] = substr($0, 1, 32) }
part == 5 { dmd5[substr($0, length($0) - 7)] = substr($0, 1, 32) }
part == 6 { p = tokpath($0); t = substr($0, length($0) - 7)
            if (p in htok) htok[p] = htok[p] " " t; else htok[p] = t
            inhist[t] = 1 }
part == 7 { cur[$1] = $2; curv[$1] = $3 }
part == 8 { newer[substr($0, 1, length($0) - 6)] = 1 }
END {
    for (p in place) {
        if (!(p in ftok)) { v("place", "no operator file: " p); continue }
        t = ftok[p]
        if (t ~ / /) { v("place", "holds several drops (" t "): " p); continue }
        if (!(t in order)) { v("place", "not a drop: " p); continue }
        cnt[t]++
        if (t in where) where[t] = where[t] " " p; else where[t] = p
        wplace[t] = place[p]
        if (md5[p] != dmd5[t]) v("bytes", t " changed: " p)
        if (place[p] == "spool") v("spool", t " still in the spool after a restart: " p)
    }
    for (i = 1; i <= n; i++) {
        t = seq[i]
        if (t in del) {
            if (cnt[t]) v("place", t " (deleted by the operator) is back: " where[t])
            if (t in inhist) maybe[t] = 1
            continue
        }
        if (!cnt[t]) { v("place", t " (" kind[t] ", " id[t] ", dropped as \"" name[t] "\") is lost"); continue }
        if (cnt[t] > 1) { v("place", t " is in " cnt[t] " places: " where[t]); continue }
        if (kind[t] == "b" && wplace[t] != "rej") v("judged", "bad " t " was not rejected: " where[t])
    }
    # The newest drop of every id wins.  A drop deleted while the scheduler
    # was taking it (its version written, the move failing) may win too.
    for (i = 1; i <= n; i++) {
        t = seq[i]
        if (kind[t] != "v") continue
        if (!(t in del)) { want[id[t]] = t; ok[id[t]] = " " t " " }
        else if (t in maybe) ok[id[t]] = ok[id[t]] t " "
        # a good file rejected: only as older than a later version
        if (!(t in del) && wplace[t] == "rej") {
            later = 0
            for (j = i + 1; j <= n && !later; j++)
                if (id[seq[j]] == id[t] && kind[seq[j]] == "v" && (!(seq[j] in del) || (seq[j] in maybe)))
                    later = 1
            if (!later || !(where[t] in newer))
                v("judged", "good " t " rejected (" where[t] ")" (later ? "" : ", no later version of " id[t]))
        }
    }
    for (d in ids) {
        if (!(d in ok) && (d in cur)) v("current", d " is published (" cur[d] ") but no drop of it stands")
        else if ((d in ok) && !(d in cur)) v("current", d " not published; want " (d in want ? want[d] : "-") "; allowed:" ok[d])
        else if ((d in ok) && index(ok[d], " " cur[d] " ") == 0)
            v("current", d " publishes " cur[d] " (version " curv[d] "); want " (d in want ? want[d] : "-") "; allowed:" ok[d])
    }
    for (d in cur) if (!(d in ids)) v("current", "unknown campaign " d " published")
    # history: version N's .cfg and .src come from the same drop
    for (p in htok) {
        s = substr(p, 1, length(p) - 3) "src"
        if (s in ftok) { if (ftok[s] != htok[p]) v("history", p " holds " htok[p] ", its .src " ftok[s]) }
        else if (!(htok[p] in del)) v("history", p " (" htok[p] ") has no .src")
    }
    for (p in place) if (place[p] == "src") {
        c = substr(p, 1, length(p) - 3) "cfg"
        if (!(c in htok)) v("history", p " has no .cfg")
    }
    nm = 0; for (t in maybe) nm++
    printf "MAYBE\t%d\n", nm > "/dev/stderr"
}
EOF
nverify=0 nmaybe=0
# verify LABEL: the invariants on the state as it is (nothing running).
verify() {
    label=$1 V=$T/v
    nverify=$((nverify + 1))
    rm -rf "$V"
    mkdir -p "$V"
    {
        find "$SP" -mindepth 1 -maxdepth 1 -printf 'spool\t%p\n'
        find "$S/campaigns" -path '*/history/*' -type f -name '*.src' -printf 'src\t%p\n'
        find "$S/rejected" -mindepth 1 -maxdepth 1 ! -name '*.error' ! -name '*.tmp.??????' -printf 'rej\t%p\n'
    } >"$V/places"
    cut -f2 "$V/places" | tr '\n' '\0' | xargs -0 -r grep -o -H 'tk[0-9][0-9][0-9][0-9][0-9][0-9]' | sort -u >"$V/tokens"
    cut -f2 "$V/places" | tr '\n' '\0' | xargs -0 -r md5sum >"$V/md5" 2>/dev/null
    find "$DROPS" -type f -print0 | xargs -0 -r md5sum >"$V/dmd5"
    find "$S/campaigns" -path '*/history/*' -type f -name '*.cfg' -print0 |
        xargs -0 -r grep -o -H 'tk[0-9][0-9][0-9][0-9][0-9][0-9]' | sort -u >"$V/hist"
    find "$S/campaigns" -mindepth 1 -maxdepth 1 -name '*.cfg' -print0 | xargs -0 -r awk '
        FNR == 1 { if (f) print id "\t" t "\t" v; f = FILENAME; id = f; sub(/.*\//, "", id); sub(/\.cfg$/, "", id); t = "-"; v = "-" }
        /^title = / { if (match($0, /tk[0-9]+/)) t = substr($0, RSTART, RLENGTH) }
        /^version = / { v = $3; sub(/;/, "", v) }
        END { if (f) print id "\t" t "\t" v }' >"$V/cur"
    find "$S/rejected" -name '*.error' -print0 | xargs -0 -r grep -l 'already has a newer version' >"$V/newer"
    awk -v label="$label" -f "$T/verify.awk" "$LEDGER" "$V/places" "$V/tokens" "$V/md5" "$V/dmd5" \
        "$V/hist" "$V/cur" "$V/newer" >>"$VIOL" 2>"$V/maybe"
    m=$(sed -n 's/^MAYBE\t//p' "$V/maybe")
    [ "${m:-0}" -gt "$nmaybe" ] && nmaybe=$m
    # rejected/: pairs
    find "$S/rejected" -mindepth 1 -maxdepth 1 ! -name '*.tmp.??????' -printf '%f\n' | awk -v label="$label" '
        { have[$0] = 1 }
        END { for (f in have) {
                if (f ~ /\.error$/) { b = substr(f, 1, length(f) - 6); if (!(b in have)) printf "rejpair\t%s: rejected/%s without its file\n", label, f }
                else if (!((f ".error") in have)) printf "rejpair\t%s: rejected/%s without its .error\n", label, f } }' >>"$VIOL"
    find "$S" \( -name '*.tmp.??????' -o -name '.incoming.??????' \) -printf "temp\t$label: %P left\n" >>"$VIOL"
    # the playlists of a clean run over the published campaigns
    rm -rf "$T/clean"
    mkdir -p "$T/clean/spool"
    while IFS='	' read -r cid ctok _; do
        if [ -f "$DROPS/$ctok" ]; then cp "$DROPS/$ctok" "$T/clean/spool/$cid.cfg"; fi
    done <"$V/cur"
    logname
    if ! $SCHEDULER -c "$T/clean.cfg" --once --now $NOW 2>"$L"; then
        viol exit "$label: the clean --once failed, see $L"
    fi
    for p in "$S"/playlists/*.playlist "$T"/clean/playlists/*.playlist; do
        [ -f "$p" ] || continue
        b=${p##*/}
        grep -v '^generation = \|^generated_at = ' "$S/playlists/$b" >"$V/a" 2>/dev/null
        grep -v '^generation = \|^generated_at = ' "$T/clean/playlists/$b" >"$V/b" 2>/dev/null
        if [ ! -f "$S/playlists/$b" ] || [ ! -f "$T/clean/playlists/$b" ] || ! cmp -s "$V/a" "$V/b"; then
            viol playlist "$label: playlists/$b differs from a clean --once: $(diff "$V/a" "$V/b" | grep '^[<>]' | head -4 | tr '\n' ' ')"
        fi
    done
}
# restart LABEL: a clean --once after a kill, then the checks.
restart() {
    logname
    $ONCE 2>"$L"
    rc=$?
    [ $rc -eq 0 ] || viol exit "$1: the restart (--once) exited $rc, see $L"
    verify "$1"
}

kills_daemon=0 kills_once=0 kills_inject=0 kills_dinject=0 kills_held=0 early=0
t_start=$(date +%s)
# the system calls strace can kill at (rename, link, unlink are not on
# every architecture)
SYSCALLS=
for sc in rename renameat renameat2 link linkat unlink unlinkat fsync fdatasync; do
    strace -o /dev/null -e trace=$sc true 2>/dev/null && SYSCALLS="$SYSCALLS $sc"
done
if strace -f -o /dev/null -e trace=fsync -e inject=fsync:signal=SIGKILL:when=1 true 2>/dev/null; then
    check "strace can inject faults:$SYSCALLS" [ -n "$SYSCALLS" ]
else
    check "strace can inject faults (strace -e inject, /usr/bin/strace)" false
fi

# --- (a) the daemon killed after random delays, (b) --once likewise --------------
cycle=0
while [ $cycle -lt "$ROUNDS" ]; do
    cycle=$((cycle + 1))
    start_operator
    r=0
    while [ $r -lt $A_ROUNDS ]; do
        r=$((r + 1))
        logname
        $SCHED --now $NOW 2>"$L" &
        pid=$!
        rnd 10
        if [ $R -lt 3 ]; then rnd 150; else rnd 1350 && R=$((R + 150)); fi
        msleep $R
        kill -9 $pid 2>/dev/null
        { wait $pid; } 2>/dev/null
        rc=$? pid=
        if [ $rc -eq 137 ]; then
            kills_daemon=$((kills_daemon + 1))
        else
            viol exit "cycle $cycle daemon round $r: exited $rc before the kill, see $L"
        fi
    done
    stop_operator
    # the restart: the daemon until the spool is empty, then SIGTERM
    logname
    : >"$L"
    $SCHED --now $NOW 2>"$L" &
    pid=$!
    i=0
    while [ $i -lt 1200 ]; do
        if grep -q watching "$L" && ! find "$SP" -mindepth 1 -maxdepth 1 -name '*.cfg' | grep -q .; then
            break
        fi
        sleep 0.1
        i=$((i + 1))
    done
    kill -TERM $pid
    wait $pid
    rc=$? pid=
    [ $rc -eq 0 ] || viol exit "cycle $cycle: the restarted daemon exited $rc on SIGTERM, see $L"
    verify "cycle $cycle, after $A_ROUNDS daemon kills"
    echo "# $(($(date +%s) - t_start)) s, cycle $cycle: daemon killed $kills_daemon times so far, $(grep -c '^D' "$LEDGER") drops"

    start_operator
    r=0
    while [ $r -lt $B_ROUNDS ]; do
        r=$((r + 1))
        logname
        $SCHED --once --now $NOW 2>"$L" &
        pid=$!
        rnd 400
        msleep $R
        kill -9 $pid 2>/dev/null
        { wait $pid; } 2>/dev/null
        rc=$? pid=
        if [ $rc -eq 137 ]; then
            kills_once=$((kills_once + 1))
        elif [ $rc -eq 0 ]; then
            early=$((early + 1))
        else
            viol exit "cycle $cycle --once round $r: exited $rc, see $L"
        fi
    done
    stop_operator
    restart "cycle $cycle, after $B_ROUNDS --once kills"
    echo "# $(($(date +%s) - t_start)) s, cycle $cycle: --once killed $kills_once times so far ($early finished first)"

    # --- (c) a kill at each rename, link, unlink and fsync (strace) ------------------
    for sc in $SYSCALLS; do
        k=1
        while [ $k -le 300 ]; do
            batch
            logname
            # (not --seccomp-bpf: with it strace 6.1 injects no signal)
            ASAN_OPTIONS=$NOLEAK strace -f -o /dev/null -e trace=$sc \
                -e inject=$sc:signal=SIGKILL:when=$k $ONCE 2>"$L"
            rc=$?
            if [ $rc -eq 137 ]; then
                kills_inject=$((kills_inject + 1))
                # now and then a second crash, during the recovery
                rnd 3
                if [ $R -eq 0 ]; then
                    rnd 9
                    pick $SYSCALLS
                    rnd 6
                    logname
                    ASAN_OPTIONS=$NOLEAK strace -f -o /dev/null -e trace=$P \
                        -e inject=$P:signal=SIGKILL:when=$((R + 1)) $ONCE 2>"$L"
                    rc=$?
                    case $rc in
                    0) ;;
                    137) kills_inject=$((kills_inject + 1)) ;;
                    *) viol exit "cycle $cycle, recovery after $sc #$k killed at $P #$((R + 1)): exited $rc, see $L" ;;
                    esac
                fi
                restart "cycle $cycle, killed at $sc #$k"
            elif [ $rc -eq 0 ]; then
                verify "cycle $cycle, $sc #$k not reached"
                break
            else
                viol exit "cycle $cycle, $sc #$k: strace --once exited $rc, see $L"
                restart "cycle $cycle, after $sc #$k"
                break
            fi
            k=$((k + 1))
        done
        echo "# $(($(date +%s) - t_start)) s, cycle $cycle: $sc: killed at calls 1..$((k - 1))"
    done
    echo "# $(($(date +%s) - t_start)) s, cycle $cycle: $kills_inject injected kills of --once so far"

    # --- (d) the same for the daemon, the batch dropped while it watches: at
    # every other call (odd ones in odd cycles, even ones in even cycles) -----
    for sc in $SYSCALLS; do
        k=$((2 - cycle % 2))
        while [ $k -le 300 ]; do
            logname
            : >"$L"
            ASAN_OPTIONS=$NOLEAK strace -f -o /dev/null -e trace=$sc \
                -e inject=$sc:signal=SIGKILL:when=$k $SCHED --now $NOW 2>"$L" &
            pid=$!
            i=0
            while [ $i -lt 600 ] && kill -0 $pid 2>/dev/null && ! grep -q watching "$L"; do
                sleep 0.05
                i=$((i + 1))
            done
            kill -0 $pid 2>/dev/null && batch
            i=0
            while [ $i -lt 600 ] && kill -0 $pid 2>/dev/null &&
                find "$SP" -mindepth 1 -maxdepth 1 -name '*.cfg' | grep -q .; do
                sleep 0.05
                i=$((i + 1))
            done
            # still running: it took every file; stop the daemon (not strace,
            # which would let it go on untraced)
            if kill -0 $pid 2>/dev/null; then
                for c in $(children $pid); do kill -TERM $c; done
            fi
            { wait $pid; } 2>/dev/null
            rc=$? pid=
            if [ $rc -eq 137 ]; then
                kills_dinject=$((kills_dinject + 1))
                restart "cycle $cycle, daemon killed at $sc #$k"
            elif [ $rc -eq 0 ]; then
                verify "cycle $cycle, daemon: $sc #$k not reached"
                break
            else
                viol exit "cycle $cycle, daemon, $sc #$k: exited $rc, see $L"
                restart "cycle $cycle, daemon, after $sc #$k"
                break
            fi
            k=$((k + 2))
        done
    done
    echo "# $(($(date +%s) - t_start)) s, cycle $cycle: $kills_dinject injected kills of the daemon so far"

    # --- (e) a kill at each rename while an older version is held open ---------------
    # The older file (complete, but still open for writing) is judged after
    # the newer one, which the kill may have left half accepted.
    k=1
    while [ $k -le 100 ]; do
        read -r ntok <"$T/tokens"
        last1_tok='' last2_tok=''
        op_drop good
        rm -f "$T/held.open"
        (exec 5>>"$SP/$NAME" && : >"$T/held.open" && sleep 0.6) &
        hpid=$!
        burst=$id
        op_drop
        burst=
        echo $ntok >"$T/tokens"
        i=0
        while [ ! -e "$T/held.open" ] && [ $i -lt 100 ]; do sleep 0.02 && i=$((i + 1)); done
        logname
        ASAN_OPTIONS=$NOLEAK strace -f -o /dev/null -e trace=rename \
            -e inject=rename:signal=SIGKILL:when=$k $ONCE 2>"$L"
        rc=$?
        wait $hpid
        if [ $rc -eq 137 ]; then
            kills_held=$((kills_held + 1))
            restart "cycle $cycle, an older file held open, killed at rename #$k"
        elif [ $rc -eq 0 ]; then
            verify "cycle $cycle, an older file held open, rename #$k not reached"
            break
        else
            viol exit "cycle $cycle, an older file held open, rename #$k: exited $rc, see $L"
            restart "cycle $cycle, an older file held open, after rename #$k"
            break
        fi
        k=$((k + 1))
    done
    echo "# $(($(date +%s) - t_start)) s, cycle $cycle: $kills_held kills with an older file held open so far"
done

# --- results ------------------------------------------------------------------------
drops=$(grep -c '^D' "$LEDGER")
valid=$(grep -c '^D	[^	]*	v' "$LEDGER")
deleted=$(grep -c '^X' "$LEDGER")
grep -l 'AddressSanitizer\|LeakSanitizer\|runtime error:\|Segmentation\|Assertion' "$T"/logs/*.log >"$T/crashed"
while read -r f; do viol crash "$f: $(grep -m1 'Sanitizer\|runtime error\|Segmentation\|Assertion' "$f")"; done <"$T/crashed"
nviol=$(wc -l <"$VIOL")
kills=$((kills_daemon + kills_once + kills_inject + kills_dinject + kills_held))
echo "# drops: $drops ($valid valid, $((drops - valid)) bad, $deleted deleted by the operator);" \
    "deleted while being taken: $nmaybe"
echo "# kills: $kills (daemon $kills_daemon, --once $kills_once; injected by strace: --once" \
    "$kills_inject, daemon $kills_dinject, with a file held open $kills_held);" \
    "restarts checked: $nverify; violations: $nviol"
check "the operator dropped files ($drops, $deleted deleted)" [ "$drops" -ge 50 -a "$deleted" -ge 1 ]
check "the daemon was killed $kills_daemon times" [ $kills_daemon -ge $((A_ROUNDS * ROUNDS)) ]
check "--once was killed $kills_once times" [ $kills_once -ge 1 ]
check "--once was killed at $kills_inject injected system calls" [ $kills_inject -ge 20 ]
check "the daemon was killed at $kills_dinject injected system calls" [ $kills_dinject -ge 10 ]
check "--once was killed at $kills_held renames with a file held open" [ $kills_held -ge 2 ]
inv() { # inv KEY TEXT
    n=$(grep -c "^$1	" "$VIOL")
    check "$2 ($nverify restarts, $n violations)" [ "$n" -eq 0 ]
    grep "^$1	" "$VIOL" | head -10 | sed 's/^[^	]*	/#   /'
}
inv place "every operator file in exactly one place, none lost, none duplicated"
inv bytes "every operator file byte for byte"
inv spool "nothing left in the spool after a restart"
inv judged "bad files rejected, good ones only as older"
inv current "the newest version of every id is the published one"
inv history "every history version with the operator file it came from"
inv rejpair "every rejected file with its .error, every .error with its file"
inv temp "no temporary file left"
inv playlist "playlists equal those of a clean --once"
inv exit "the scheduler exits cleanly when not killed"
inv crash "no crash or sanitizer report"
