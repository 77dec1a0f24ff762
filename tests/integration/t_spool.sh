# The spool never loses, reorders or half-reads an operator's file (issue 8):
# the newest version wins across passes and restarts, slow writers are read
# only when complete (with a read lease as root, and as another user without
# one), a crash never leaves a rejected file without its reason, temporary
# files are cleaned at start, every accepted version stays recoverable with
# `signagectl history` / `restore`, and what Windows tools save gets a
# message an operator can act on.
. "$SRCDIR/tests/integration/lib.sh"

NOW=2023-03-15T10:00:00+09:00
chmod 755 "$T" # the scheduler runs as nobody below

# mkcfg DIR EXTRA: a config for the state DIR/state
mkcfg() {
    mkdir -p "$1/state/spool"
    cat >"$1/signage.cfg" <<EOF
state = "$1/state";
timezone = "Asia/Tokyo";
$2
screens = (
  { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; },
  { id = "kochi-station"; groups = [ "kochi" ]; width = 1920; height = 1080; }
);
EOF
}
# camp ID TITLE [ITEMS]: a campaign file on stdout
camp() {
    cat <<EOF
id = "$1";
title = "$2";
owner = "高知県";
start = "2023-03-01";
end = "2023-03-31";
screens = [ "*" ];
items = ( ${3:-{ type = \"text\"; text = \"$2\"; duration = 10; \}} );
EOF
}
title() { sed -n 's/^title = "\(.*\)";$/\1/p' "$1"; }
spool_empty() { [ -z "$(ls "$1/state/spool" | grep '\.cfg$')" ]; }
daemon_up() { grep -q watching "$1"; }
# no_temps STATE: none of the scheduler's temporary files (the spool is the operators')
no_temps() { [ -z "$(find "$1" -path "$1/spool" -prune -o \( -name '*.tmp.??????' -o -name '.incoming.??????' \) -print)" ]; }

# --- 1. the newest version wins, by event or by scan, across restarts ------------
D=$T/newest
mkcfg "$D" "pending_grace = 60; settle = 0.3;"
SCHED="$SCHEDULER -c $D/signage.cfg --now $NOW"
CTLD="$CTL -c $D/signage.cfg --now $NOW"
camp same v1 >"$D/state/spool/a-v1.cfg"
$SCHED 2>"$D/log" &
pid=$!
sleep 0.5
camp same v2 >"$D/state/spool/b-v2.cfg"
wait_until 20 spool_empty "$D"
check "a file found at start and one that arrives later: the later one plays" \
    [ "$(title "$D/state/campaigns/same.cfg")" = v2 ]
check "both versions kept in the history" \
    cmp -s "$D/state/campaigns/history/same/2.src" /dev/stdin <<EOF
$(camp same v2)
EOF
check "the earlier version kept too" grep -q 'title = "v1"' "$D/state/campaigns/history/same/1.src"
# An older file that could only be judged later (its media were missing)
# never replaces a newer one: it is rejected, naming the newer version.
camp later old '{ type = "image"; file = "late.png"; }' >"$D/state/spool/c-old.cfg"
sleep 0.5
camp later new >"$D/state/spool/d-new.cfg"
wait_until 20 [ -f "$D/state/campaigns/later.cfg" ]
ffmpeg -nostdin -loglevel error -f lavfi -i color=c=red:s=64x64 -frames:v 1 "$D/state/spool/late.png"
wait_until 20 [ -f "$D/state/rejected/c-old.cfg.error" ]
check "an older file arriving complete later is rejected" [ -f "$D/state/rejected/c-old.cfg" ]
check "... and the newer one still plays" [ "$(title "$D/state/campaigns/later.cfg")" = new ]
check "... the .error names the newer version" \
    grep -q 'c-old.cfg: error: campaign "later" already has a newer version (version 1, from d-new.cfg' \
    "$D/state/rejected/c-old.cfg.error"
check "... and says how to make it current anyway" grep -q 'copy it into spool/ again' \
    "$D/state/rejected/c-old.cfg.error"
kill -TERM $pid
wait $pid
# --once takes a spool of several versions oldest first.
for v in 1 2 3; do camp order "o$v" >"$D/state/spool/order-$v.cfg"; sleep 0.05; done
touch -d '2020-01-01' "$D/state/spool/order-3.cfg" # mtime is not what counts
$SCHED --once 2>/dev/null
check "--once: the file that became complete last plays" \
    [ "$(title "$D/state/campaigns/order.cfg")" = o3 ]

# --- 2. history and restore ----------------------------------------------------------
out=$($CTLD history same)
check "history lists both versions, the current one marked" \
    sh -c 'printf "%s\n" "$1" | grep -q "^\*       2  .*b-v2.cfg  v2" && printf "%s\n" "$1" | grep -q "^        1  .*a-v1.cfg  v1"' _ "$out"
check "history says which plays" sh -c 'printf "%s\n" "$1" | grep -q "2 versions; version 2 plays now"' _ "$out"
out=$($CTLD restore same 1)
check "restore: exit 0" [ $? -eq 0 ]
check "restore says what it did" sh -c 'printf "%s\n" "$1" | grep -q "restored same version 1 as version 3"' _ "$out"
check "restore: version 1's campaign plays again" [ "$(title "$D/state/campaigns/same.cfg")" = v1 ]
check "restore: the playlists carry it" grep -q '"v1"' "$D/state/playlists/plaza.playlist"
check "restore: the operator's file stands for the new version too" \
    cmp -s "$D/state/campaigns/history/same/1.src" "$D/state/campaigns/history/same/3.src"
$CTLD --json history same >"$D/h.json"
check "history --json: three versions, the third current, restored from 1" python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
assert [x["version"] for x in v] == [1, 2, 3], v
assert [x["current"] for x in v] == [False, False, True], v
assert v[2]["restored_from"] == 1 and v[0]["restored_from"] is None, v
assert v[1]["source"] == "b-v2.cfg" and v[1]["title"] == "v2", v
assert v[0]["file"] == "campaigns/history/same/1.src", v
' "$D/h.json"
$CTLD withdraw same >/dev/null
check "withdraw: the campaign no longer plays" [ ! -e "$D/state/campaigns/same.cfg" ]
check "withdraw: its history stays" [ -f "$D/state/campaigns/history/same/2.src" ]
check "history after withdraw says none plays" sh -c "$CTLD history same | grep -q 'none plays now (withdrawn)'"
$CTLD restore same 2 >/dev/null
check "restore undoes a withdraw" [ "$(title "$D/state/campaigns/same.cfg")" = v2 ]
out=$($CTLD restore same 4)
check "restoring the version that plays changes nothing" \
    sh -c 'printf "%s\n" "$1" | grep -q "version 4 already plays"' _ "$out"
$CTLD restore same 99 2>"$D/err"
check "restore of a version that never was: exit 1" [ $? -eq 1 ]
check "... saying so and where to look" grep -q 'has no version 99; `signagectl history same` lists them' "$D/err"
$CTLD restore same two 2>"$D/err"
check "restore with a bad VERSION: exit 2" [ $? -eq 2 ]
check "... naming it" grep -q "not 'two'" "$D/err"
$CTLD restore same 2>/dev/null
check "restore without VERSION: exit 2" [ $? -eq 2 ]
$CTLD history nosuch 2>"$D/err"
check "history of an unknown campaign: exit 1" [ $? -eq 1 ]
check "... saying so" grep -q 'campaign "nosuch" has no accepted versions' "$D/err"
$CTLD history '../spool' 2>/dev/null
check "history refuses a path for an id" [ $? -eq 1 ]
# A newer file in the spool still wins over a restored version.
camp same v5 >"$D/state/spool/e-v5.cfg"
$SCHED --once 2>/dev/null
check "a file dropped after a restore replaces it" [ "$(title "$D/state/campaigns/same.cfg")" = v5 ]
# history_keep bounds the history, and never drops the version that plays.
K=$T/keep
mkcfg "$K" "history_keep = 2; settle = 0;"
for v in 1 2 3 4; do
    camp kept "k$v" >"$K/state/spool/k$v.cfg"
    $SCHEDULER -c "$K/signage.cfg" --once --now $NOW 2>/dev/null
done
check "history_keep = 2: the two newest versions remain" \
    [ "$(ls "$K/state/campaigns/history/kept" | tr '\n' ' ')" = "3.cfg 3.src 4.cfg 4.src " ]
$CTL -c "$K/signage.cfg" --now $NOW restore kept 1 2>"$K/err"
check "a version removed by history_keep cannot be restored, and that is said" \
    grep -q 'has no version 1' "$K/err"

# --- 3. slow writers: read only when complete ---------------------------------------
# writer FILE PAUSE: writes FILE in two halves, holding it open PAUSE seconds between
writer() {
    camp "$(basename "$1" .cfg)" "paused $2 s" >"$T/$(basename "$1").full"
    {
        head -c 70 "$T/$(basename "$1").full"
        sleep "$2"
        tail -c +71 "$T/$(basename "$1").full"
    } >"$1"
}
# As root the scheduler sees the writer through a read lease.
W=$T/lease
mkcfg "$W" "pending_grace = 60;"
$SCHEDULER -c "$W/signage.cfg" --now $NOW 2>"$W/log" &
wpid=$!
# As another user, with no lease on root's files, it must tell from what it reads.
N=$T/nolease
mkcfg "$N" "pending_grace = 60;"
chown -R nobody "$N/state"
chmod 777 "$N/state/spool"
setpriv --reuid=nobody --regid=nogroup --clear-groups $SCHEDULER -c "$N/signage.cfg" --now $NOW \
    2>"$N/log" &
npid=$!
# A writer that never closes, with a short grace: read as it is after the grace.
G=$T/grace
mkcfg "$G" "pending_grace = 4;"
$SCHEDULER -c "$G/signage.cfg" --now $NOW 2>"$G/log" &
gpid=$!
wait_until 20 daemon_up "$W/log"
wait_until 20 daemon_up "$N/log"
wait_until 20 daemon_up "$G/log"
wpids=
for p in 1 3 10 30; do
    writer "$W/state/spool/lease-$p.cfg" $p &
    wpids="$wpids $!"
    writer "$N/state/spool/nolease-$p.cfg" $p &
    wpids="$wpids $!"
done
# A complete file whose writer keeps it open, and half a file never closed.
camp open-complete "open" >"$T/open.full"
sh -c 'cat "$1"; exec sleep 600' _ "$T/open.full" >"$W/state/spool/open-complete.cfg" &
holder=$!
sh -c 'head -c 70 "$1"; exec sleep 600' _ "$T/open.full" >"$G/state/spool/half-open.cfg" &
halfholder=$!
# A broken file closed at once is rejected at once, even without a lease.
printf 'id = "broken";\ntitle = "x" owner = "y";\n' >"$N/state/spool/broken.cfg"
sleep 6
check "a file held open is not read while its writer has it open" \
    [ -f "$W/state/spool/open-complete.cfg" -a ! -e "$W/state/campaigns/open-complete.cfg" ]
check "... and that is logged" grep -q 'spool/open-complete.cfg: still open for writing' "$W/log"
check "without a lease, a closed broken file is rejected without waiting for the grace" \
    [ -f "$N/state/rejected/broken.cfg.error" ]
wait_until 10 [ -f "$G/state/rejected/half-open.cfg.error" ]
check "a writer that never closes: after the grace its file is judged as it is" \
    grep -q 'another program still had the file open for writing' "$G/state/rejected/half-open.cfg.error"
kill $holder $halfholder 2>/dev/null
wait $holder $halfholder 2>/dev/null
for p in $wpids; do wait $p; done
wait_until 20 spool_empty "$W"
wait_until 20 spool_empty "$N"
for p in 1 3 10 30; do
    check "lease: a writer pausing $p s mid-file: accepted whole" \
        [ "$(title "$W/state/campaigns/lease-$p.cfg")" = "paused $p s" ]
    check "no lease: a writer pausing $p s mid-file: accepted whole" \
        [ "$(title "$N/state/campaigns/nolease-$p.cfg")" = "paused $p s" ]
done
check "the closed writer's complete file accepted once closed" [ -f "$W/state/campaigns/open-complete.cfg" ]
check "lease: nothing half-read into rejected/" [ -z "$(ls "$W/state/rejected")" ]
check "no lease: nothing but the broken file in rejected/" \
    [ "$(ls "$N/state/rejected" | tr '\n' ' ')" = "broken.cfg broken.cfg.error " ]
check "no lease: half files were seen and waited for, not rejected" \
    grep -q 'cannot be read yet, perhaps still being written' "$N/log"
check "no lease: the scheduler really ran without a lease (not root)" \
    [ "$(stat -c %U "$N/state/campaigns/nolease-1.cfg")" = nobody ]
kill -TERM $wpid $npid $gpid
wait $wpid $npid $gpid

# --- 4. a crash never leaves a rejected file without its reason ----------------------
C=$T/crash
kills=0 bad=0
for sc in renameat2 link rename fsync unlink; do
    k=1
    while [ $k -le 12 ]; do
        rm -rf "$C"
        mkcfg "$C" "settle = 0;"
        printf 'garbage\n' >"$C/state/spool/bad.cfg"
        camp good "good" >"$C/state/spool/good.cfg"
        strace -f -o /dev/null -e trace=$sc -e inject=$sc:signal=SIGKILL:when=$k \
            $SCHEDULER -c "$C/signage.cfg" --once --now $NOW 2>/dev/null
        rc=$?
        [ $rc -eq 137 ] && kills=$((kills + 1))
        $SCHEDULER -c "$C/signage.cfg" --once --now $NOW 2>/dev/null
        r=$C/state/rejected
        if ! [ -f "$r/bad.cfg" -a -f "$r/bad.cfg.error" ] || [ -n "$(ls "$r" | grep -v '^bad\.cfg')" ] ||
            ! grep -q 'bad.cfg:2: error: syntax error' "$r/bad.cfg.error" ||
            [ "$(title "$C/state/campaigns/good.cfg")" != good ] ||
            [ -n "$(ls "$C/state/spool")" ] || ! no_temps "$C/state"; then
            bad=$((bad + 1))
            echo "# after SIGKILL at $sc #$k: $(cd "$C/state" && find . -type f | sort | tr '\n' ' ')"
        fi
        [ $rc -ne 137 ] && break # the run got past its last $sc
        k=$((k + 1))
    done
done
echo "# fault injection: $kills kills at rename/link/fsync/unlink, $bad left a bad state"
check "fault injection killed the scheduler at many points ($kills)" [ $kills -ge 15 ]
check "after every kill and a restart: the rejected file has its reason, the good one plays, no temp file" \
    [ $bad -eq 0 ]

# --- 5. repair at start: temporary files, orphan and missing .error, old layout -----
R=$T/repair
mkcfg "$R" "settle = 0;"
camp legacy "legacy" >"$R/state/spool/legacy.cfg"
$SCHEDULER -c "$R/signage.cfg" --once --now $NOW 2>/dev/null
s=$R/state
# The layout before versions were kept: campaigns/<id>.cfg without a version, <id>.src.
grep -v '^version = \|^arrived_ns = \|^mtime_ns = ' "$s/campaigns/history/legacy/1.cfg" >"$T/legacy.cfg"
cp "$s/campaigns/history/legacy/1.src" "$s/campaigns/legacy.src"
rm -rf "$s/campaigns/history/legacy" "$s/campaigns/legacy.cfg"
cp "$T/legacy.cfg" "$s/campaigns/legacy.cfg"
for f in campaigns/x.cfg.tmp.Ab12Cd playlists/plaza.playlist.tmp.zzzzzz media/.incoming.q1w2e3 \
    rejected/r.cfg.error.tmp.AAAAAA .pending.tmp.000000; do
    head -c 1000 /dev/urandom >"$s/$f"
done
printf 'x\n' >"$s/spool/operator.tmp.abcdef"
printf 'garbage\n' >"$s/rejected/no-reason.cfg"
printf 'old reason\n' >"$s/rejected/moved-back.cfg.error"
$SCHEDULER -c "$R/signage.cfg" --once --now $NOW 2>"$R/log"
check "temporary files left by a crash are removed" no_temps "$s"
check "... and each is logged" [ "$(grep -c 'removed a temporary file left by a crash' "$R/log")" -eq 5 ]
check "a file in the spool that looks like a temporary file is the operator's: left alone" \
    [ -f "$s/spool/operator.tmp.abcdef" ]
check "a rejected file without its reason gets one" \
    grep -q 'no-reason.cfg: error: the scheduler stopped before it wrote why' "$s/rejected/no-reason.cfg.error"
check "an .error whose file never moved is removed" [ ! -e "$s/rejected/moved-back.cfg.error" ]
check "an old-layout campaign becomes version 1 of its history" \
    grep -q '^version = 1;' "$s/campaigns/legacy.cfg"
check "... its operator's file moved into the history" \
    [ -f "$s/campaigns/history/legacy/1.src" -a ! -e "$s/campaigns/legacy.src" ]
check "... and it still plays" grep -q '"legacy"' "$s/playlists/plaza.playlist"

# --- 6. what operators really save ---------------------------------------------------
M=$T/msg
mkcfg "$M" "settle = 0;"
sp=$M/state/spool
camp utf16 "Unicode" | iconv -f UTF-8 -t UTF-16 >"$sp/notepad-unicode.cfg"
: >"$sp/empty.cfg"
printf '\r\n  \r\n' >"$sp/blank.cfg"
sjis=$(printf '\223\214\213\236')  # 東京 in Shift_JIS
camp sjis-bad "x" | sed 's/^title.*/title = "x" oops/' >"$sp/$sjis-bad.cfg"
camp sjis-name "名前" >"$sp/$sjis.cfg"
$SCHEDULER -c "$M/signage.cfg" --once --now $NOW 2>"$M/log"
check "UTF-16: rejected with what to do" \
    grep -q 'notepad-unicode.cfg: error: the file is saved as UTF-16 (Notepad calls it "Unicode"); save it as UTF-8' \
    "$M/state/rejected/notepad-unicode.cfg.error"
check "empty file: says so" grep -q 'empty.cfg: error: the file is empty (0 bytes)' \
    "$M/state/rejected/empty.cfg.error"
check "blank file: says so" grep -q 'blank.cfg: error: the file is empty (nothing but blank space)' \
    "$M/state/rejected/blank.cfg.error"
check "a name that is not UTF-8: the file is rejected under its own name" [ -f "$M/state/rejected/$sjis-bad.cfg" ]
check "... its .error shows the name escaped" \
    grep -q '^\\x93\\x8c\\x8b\\x9e-bad.cfg:3: error' "$M/state/rejected/$sjis-bad.cfg.error"
check "... the .error is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$M/state/rejected/$sjis-bad.cfg.error" -o /dev/null
check "... and so is the log" iconv -f UTF-8 -t UTF-8 "$M/log" -o /dev/null
check "a valid campaign with such a name is accepted" [ -f "$M/state/campaigns/history/sjis-name/1.src" ]
check "... its source is recorded escaped" grep -q 'source = "\\\\x93\\\\x8c\\\\x8b\\\\x9e.cfg";' \
    "$M/state/campaigns/sjis-name.cfg"
check "... and it reads back after a restart" sh -c "$CTL -c '$M/signage.cfg' --now $NOW list | grep -q sjis-name"
printf '\0\0\0\0' | head -c 4096 /dev/zero >"$sp/zeros.cfg"
$SCHEDULER -c "$M/signage.cfg" --once --now $NOW 2>/dev/null
check "a file of zero bytes only (a copy that never finished): says so" \
    grep -q 'zeros.cfg: error: the file holds only zero bytes (4096): its copy never finished' \
    "$M/state/rejected/zeros.cfg.error"
long=$(printf '高知県%.0s' $(seq 1 27))  # 243 bytes
printf 'garbage\n' >"$sp/$long.cfg"
$SCHEDULER -c "$M/signage.cfg" --once --now $NOW 2>/dev/null
check "a name too long to add .error to: rejected under a shortened name" \
    sh -c "ls '$M/state/rejected' | grep -q '^高知県.*~\.cfg\$'"
check "... with its reason, naming the whole file" \
    sh -c "grep -q '^$long.cfg:[0-9]*: error' '$M/state/rejected/'*'~.cfg.error'"
check "... and nothing is left in the spool" spool_empty "$M"

# --- 7. a file replaced while it is being accepted is judged on its own ------------
X=$T/swap
mkcfg "$X" "settle = 0; history_keep = 0;"
camp swap v1 >"$X/state/spool/sw.cfg"
# The first fsync (the new version) is held 2 s; the operator replaces the file meanwhile.
strace -f -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=2000000:when=1 \
    $SCHEDULER -c "$X/signage.cfg" --once --now $NOW 2>"$X/log" &
spid=$!
sleep 1
camp swap v2 >"$X/state/spool/.sw.part"
mv "$X/state/spool/.sw.part" "$X/state/spool/sw.cfg"
wait $spid
$SCHEDULER -c "$X/signage.cfg" --once --now $NOW 2>>"$X/log"
check "a file replaced during its acceptance: the replacement plays" \
    [ "$(title "$X/state/campaigns/swap.cfg")" = v2 ]
h=$X/state/campaigns/history/swap
okh=true
for c in "$h"/*.cfg; do
    [ -f "${c%.cfg}.src" ] || continue
    [ "$(title "$c")" = "$(title "${c%.cfg}.src")" ] || okh=false
done
check "... every version's operator file is the one it was read from" $okh
check "... the replacement is in the history" grep -q 'title = "v2"' "$h"/*.src
check "... and the spool is empty" spool_empty "$X"

# --- 8. no busy loop, and --once sees what signagectl changed while it waited ------
B=$T/busy
mkcfg "$B" "pending_grace = 1; settle = 0.2;"
$SCHEDULER -c "$B/signage.cfg" --now $NOW 2>"$B/log" &
bpid=$!
wait_until 20 daemon_up "$B/log"
camp waiting w '{ type = "image"; file = "missing.png"; }' >"$B/state/spool/w.cfg"
wait_until 10 grep -q 'spool/w.cfg: pending' "$B/log"
# Its writer comes back and keeps adding to it past its grace: it is never
# quiet long enough to be judged, and the daemon must wait, not spin.
sh -c 'exec 3>>"$1"; i=0; while [ $i -lt 16 ]; do printf " " >&3; sleep 0.5; i=$((i + 1)); done' \
    _ "$B/state/spool/w.cfg" &
hold=$!
sleep 2
timeout -s INT 3 strace -f -c -o "$B/strace" -e trace=fcntl,newfstatat -p $bpid 2>"$B/strace.err"
calls=$(awk '$NF == "newfstatat" { print $4 }' "$B/strace")
echo "# stat calls in 3 s while a file waits: ${calls:-0}"
check "strace watched the daemon" grep -q 'attached' "$B/strace.err"
check "a file that keeps changing past its grace does not make the daemon spin (${calls:-0} stats in 3 s)" \
    [ "${calls:-0}" -lt 300 ]
wait $hold
kill -TERM $bpid
wait $bpid
O=$T/stale
mkcfg "$O" "settle = 3;"
camp gone gone >"$O/state/spool/gone.cfg"
touch -d '-1 min' "$O/state/spool/gone.cfg"
$SCHEDULER -c "$O/signage.cfg" --once --now $NOW 2>/dev/null
camp fresh fresh >"$O/state/spool/fresh.cfg" # settles for 3 s: --once waits
$SCHEDULER -c "$O/signage.cfg" --once --now $NOW 2>/dev/null &
opid=$!
sleep 1
$CTL -c "$O/signage.cfg" --now $NOW withdraw gone >/dev/null
wait $opid
check "--once that waited for a settling file takes the fresh one" grep -q '"fresh"' "$O/state/playlists/plaza.playlist"
check "... and publishes what signagectl withdrew meanwhile as withdrawn" \
    sh -c "! grep -q '\"gone\"' '$O/state/playlists/plaza.playlist'"
