# signagectl status (each screen's health from its proof-of-play log and
# published playlist; the spool's pending and rejected files), list's
# pending files and end dates as written, and the --json answer of a
# command that fails: {"error": "...", "exit": N} on stdout.
. "$SRCDIR/tests/integration/lib.sh"

S=$T/state
NOW=2023-03-15T10:00:00+09:00
mkdir -p "$T/cfg" "$S/spool"
cat >"$T/cfg/signage.cfg" <<EOF2
state = "$S";
screens = (
  { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; },
  { id = "gou4"; groups = [ "shinjuku-west" ]; width = 1080; height = 1920; rotate = 90; },
  { id = "kochi-station"; groups = [ "kochi" ]; width = 1920; height = 1080; }
);
EOF2
C="$CTL -c $T/cfg/signage.cfg --now $NOW"

# --- --json when a command fails ---------------------------------------------------
# jerr FILE EXIT WORDS: FILE is one JSON document {"error", "exit"} with that
# exit status and an error holding WORDS.
jerr() {
    python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {'error', 'exit'}, d
assert d['exit'] == int(sys.argv[2]), d
assert sys.argv[3] in d['error'], d" "$@"
}
$C --json at nosuchscreen 2023-03-15T10:00 >"$T/j.out" 2>"$T/j.err"
rc=$?
check "--json at an unknown screen: exit 1" [ $rc -eq 1 ]
check "... one JSON document naming the screen and the file that lists them" \
    jerr "$T/j.out" 1 "signage.cfg: no screen \"nosuchscreen\""
check "... and the message is still on stderr for people" grep -q nosuchscreen "$T/j.err"
$CTL --json -c /nonexistent list >"$T/j.out" 2>/dev/null
check "--json with a missing configuration: the file and what to do" \
    jerr "$T/j.out" 1 "/nonexistent: error: cannot open"
check "... says how to give it" grep -q -- '-c FILE' "$T/j.out"
$C list --json --bogus >"$T/j.out" 2>/dev/null
check "--json after the command, usage error: exit 2 in the document" \
    jerr "$T/j.out" 2 "unexpected argument '--bogus'"
$CTL --json --bogus list >"$T/j.out" 2>/dev/null
check "--json, unknown global option: exit 2 in the document" jerr "$T/j.out" 2 "'--bogus'"
$C --json frobnicate >"$T/j.out" 2>/dev/null
check "--json, unknown command" jerr "$T/j.out" 2 "unknown command 'frobnicate'"
$C at plaza 2023-13-45 --json >"$T/j.out" 2>/dev/null
check "--json, a bad time: exit 2, the time named" jerr "$T/j.out" 2 "2023-13-45"
$C --json withdraw nosuch >"$T/j.out" 2>/dev/null
check "--json withdraw of an unknown campaign says what to do" jerr "$T/j.out" 1 "signagectl list"
$C at plaza 2023-13-45 >"$T/j.out" 2>/dev/null
check "without --json a failure prints nothing on stdout" [ ! -s "$T/j.out" ]
printf 'id = "Bad";\n' >"$T/bad.cfg"
$C --json check "$T/bad.cfg" >"$T/j.out" 2>/dev/null
check "check --json, a bad file: exit 1 and its own answer, not a second document" python3 -c "
import json; d = json.load(open('$T/j.out')); assert d[0]['ok'] is False and d[0]['errors'], d"

# --- a network of screens, each in another state ------------------------------------
# plaza ok (its log 1 GB, mostly a hole), gou4 behind (logs generation 1 of
# 2), kochi-station stale, airport no log, castle errors, torn (its last
# line cut short), empty (a 0-byte log), binary (random bytes), dirlog (the
# day's log is a directory; yesterday's file holds its last line), secret
# (a log only root can read), legacy (the flat log of older players), hole
# (one fresh line after a gigabyte without a line end: read no further
# than the limit, and said so).
cat >"$T/cfg/signage.cfg" <<EOF2
state = "$S";
screens = (
  { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; },
  { id = "gou4"; groups = [ "shinjuku-west" ]; width = 1080; height = 1920; rotate = 90; },
  { id = "kochi-station"; groups = [ "kochi" ]; width = 1920; height = 1080; },
  { id = "airport"; groups = [ "kochi" ]; width = 1920; height = 1080; },
  { id = "castle"; groups = [ "kochi" ]; width = 1920; height = 1080; },
  { id = "torn"; groups = [ "kochi" ]; width = 1920; height = 1080; },
  { id = "empty"; groups = [ "kochi" ]; width = 1920; height = 1080; },
  { id = "binary"; groups = [ "kochi" ]; width = 1920; height = 1080; },
  { id = "dirlog"; groups = [ "kochi" ]; width = 1920; height = 1080; },
  { id = "secret"; groups = [ "kochi" ]; width = 1920; height = 1080; },
  { id = "legacy"; groups = [ "kochi" ]; width = 1920; height = 1080; },
  { id = "hole"; groups = [ "kochi" ]; width = 1920; height = 1080; }
);
EOF2
camp() { # id screens end [items]
    printf 'id = "%s"; title = "t %s"; owner = "高知県";\nstart = "2023-03-01"; end = "%s";\nscreens = [ %s ];\nitems = ( %s );\n' \
        "$1" "$1" "$3" "$2" "${4:-{ type = \"text\"; text = \"こんにちは\"; duration = 10; \}, { type = \"text\"; text = \"ようこそ\"; duration = 20; \}}"
}
camp kochi-expo '"shinjuku-west"' 2023-03-31 >"$S/spool/kochi-expo.cfg"
camp wood '"kochi"' "2023-03-31T22:00" >"$S/spool/wood.cfg"
$SCHEDULER -c "$T/cfg/signage.cfg" --once --now 2023-03-15T09:00:00+09:00 2>/dev/null
# gou4 alone gets generation 2, published at 09:10
camp gou4-only '"gou4"' 2023-03-20 >"$S/spool/gou4-only.cfg"
$SCHEDULER -c "$T/cfg/signage.cfg" --once --now 2023-03-15T09:10:00+09:00 2>/dev/null
check "gou4 is at generation 2" grep -q '^generation = 2L;' "$S/playlists/gou4.playlist"
check "plaza is still at generation 1" grep -q '^generation = 1L;' "$S/playlists/plaza.playlist"
# a campaign waiting for its picture, and one the scheduler refuses
camp wood-late '"kochi"' 2023-04-30 '{ type = "image"; file = "late.png"; duration = 10; }' \
    >"$S/spool/wood-late.cfg"
printf 'id = "Bad Id";\n' >"$S/spool/bad.cfg"
$SCHEDULER -c "$T/cfg/signage.cfg" --once --now 2023-03-15T09:55:00+09:00 2>/dev/null
check "wood-late waits for its medium" grep -q ' wood-late.cfg$' "$S/.pending"
check "bad.cfg is rejected" [ -f "$S/rejected/bad.cfg.error" ]
# after the scheduler's last look: one file not read yet, one still being copied
camp later '"kochi"' 2023-03-31 >"$S/spool/later.cfg"
exec 3>"$S/spool/copying.cfg"
printf 'id = "copying";\n' >&3
sleep 1.2 # later.cfg whole (settle = 1 s), copying.cfg still open

# e SCREEN CAMPAIGN ITEM START END RESULT GENERATION [ERROR]: one log line (SPEC §8)
e() {
    printf '{"screen":"%s","campaign":"%s","owner":"高知県","title":"t","item":%s,"type":"text",' "$1" "$2" "$3"
    printf '"media":null,"sha256":null,"start":"%s.000+09:00","end":"%s.000+09:00",' "$4" "$5"
    printf '"planned_ms":10000,"shown_ms":10000,"result":"%s",' "$6"
    [ -n "${8:-}" ] && printf '"error":"%s",' "$8"
    printf '"generation":%s}\n' "$7"
}
L=$S/log
D=2023-03-15
mkdir -p "$L/plaza" "$L/gou4" "$L/kochi-station" "$L/castle" "$L/torn" "$L/empty" \
    "$L/binary" "$L/dirlog/play-$D.jsonl" "$L/secret" "$L/hole"
truncate -s 1G "$L/plaza/play-$D.jsonl"
{
    echo
    e plaza kochi-expo 0 ${D}T08:50:00 ${D}T08:50:10 played 1
    e plaza kochi-expo 0 ${D}T09:59:30 ${D}T09:59:40 played 1
    e plaza kochi-expo 1 ${D}T09:59:40 ${D}T09:59:50 played 1
    e plaza kochi-expo 0 ${D}T09:59:50 ${D}T10:00:10 played 1 # not over at --now
} >>"$L/plaza/play-$D.jsonl"
e gou4 kochi-expo 1 ${D}T09:59:40 ${D}T09:59:50 played 1 >"$L/gou4/play-$D.jsonl"
e kochi-station wood 0 ${D}T09:29:50 ${D}T09:30:00 played 1 >"$L/kochi-station/play-$D.jsonl"
{
    e castle wood 0 ${D}T08:30:00 ${D}T08:30:10 error 1 "media/x.png: cannot decode"
    e castle wood 0 ${D}T09:40:00 ${D}T09:40:10 error 1 "media/x.png: cannot decode"
    e castle wood 0 ${D}T09:50:00 ${D}T09:50:10 skipped 1 "media/x.png: cannot decode"
    e castle wood 1 ${D}T09:59:20 ${D}T09:59:30 error 1 "media/y.png: file is missing"
    e castle wood 0 ${D}T09:59:40 ${D}T09:59:50 played 1
} >"$L/castle/play-$D.jsonl"
{
    e torn wood 0 ${D}T09:59:40 ${D}T09:59:50 played 1
    head -c 100000 /dev/zero | tr '\0' x # a line too long to be one
    echo
    printf '{"screen":"torn","campaign":"wo'
} >"$L/torn/play-$D.jsonl"
: >"$L/empty/play-$D.jsonl"
head -c 200000 /dev/urandom >"$L/binary/play-$D.jsonl"
e dirlog wood 0 2023-03-14T23:59:50 2023-03-15T00:00:00 played 1 >"$L/dirlog/play-2023-03-14.jsonl"
e secret wood 0 ${D}T09:59:40 ${D}T09:59:50 played 1 >"$L/secret/play-$D.jsonl"
chmod 000 "$L/secret/play-$D.jsonl"
truncate -s 1G "$L/hole/play-$D.jsonl"
{ echo; e hole wood 0 ${D}T09:59:40 ${D}T09:59:50 played 1; } >>"$L/hole/play-$D.jsonl"
{
    e legacy wood 1 ${D}T09:59:30 ${D}T09:59:40 played 1
    e plaza kochi-expo 0 ${D}T09:59:50 ${D}T09:59:55 played 1
} >"$L/play-$D.jsonl"

# (LeakSanitizer cannot run under ptrace; the --json run below checks leaks)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -e trace=pread64,read -e signal=none -o "$T/strace.out" $C status >"$T/status.txt" 2>"$T/status.err"
rc=$?
check "status: exit 0 though screens are unhealthy (status informs)" [ $rc -eq 0 ]
check "status: nothing on stderr" [ ! -s "$T/status.err" ]
# the 1 GB log is read from its end, not whole: every read(2) and pread(2)
# of the run (the random log included) adds up to a few megabytes
bytes=$(awk '/^[0-9]+ +p?read(64)?\(/ { n = $NF; if (n ~ /^[0-9]+$/) s += n } END { print s + 0 }' "$T/strace.out")
check_range "status reads a few MB, not the 1 GB logs (bytes read)" "$bytes" 1000 20000000
row() { grep -qE "^$1 +$2 " "$T/status.txt"; }
check "table: plaza ok, its last item 10 s before now" row plaza ok
check "table: plaza's last log line 10s ago" sh -c "grep -qE '^plaza +ok +10s ago ' '$T/status.txt'"
check "table: gou4 behind, generation 1 of 2" sh -c "grep -qE '^gou4 +behind .* 1 of 2 ' '$T/status.txt'"
check "table: kochi-station stale, 30 minutes" sh -c "grep -qE '^kochi-station +stale +30m 00s ago ' '$T/status.txt'"
check "table: airport no log" row airport "no log"
check "table: castle errors, 2 in the hour and 1 skipped" sh -c "grep -qE '^castle +errors .* 2, 1 skipped$' '$T/status.txt'"
check "table: torn is read from the line before its torn end" row torn ok
check "table: empty, binary: no log" sh -c "grep -qE '^empty +no log ' '$T/status.txt' && grep -qE '^binary +no log ' '$T/status.txt'"
check "table: dirlog from yesterday's file: stale" row dirlog stale
check "table: legacy from the flat log: ok" row legacy ok
check "a note says what to do about the stale screen" \
    grep -q '^kochi-station: no proof of play for 30m 00s (stale after 10m 00s): is signage-player@kochi-station running?' "$T/status.txt"
check "a note names the torn line and the one too long" grep -q '^torn: .*play-2023-03-15.jsonl: its last 2 lines cannot be read' "$T/status.txt"
check "table: hole ok, its errors counted in what was read only (0+)" \
    sh -c "grep -qE '^hole +ok +10s ago .* 0\+$' '$T/status.txt'"
check "a note names the log that is a directory" grep -q '^dirlog: .*/dirlog/play-2023-03-15.jsonl: not a regular file' "$T/status.txt"
check "a note names the last error" grep -q '^castle: 2 errors and 1 item skipped in the last hour; the newest: wood #1 at 2023-03-15T09:59:30+09:00, error: media/y.png: file is missing' "$T/status.txt"
check "spool: the file waiting for media, and until when" \
    grep -q '^  wood-late.cfg  .*waiting for media since 2023-03-15T09:55:0.+09:00; rejected at 2023-03-15T10:05:0.+09:00' "$T/status.txt"
check "spool: the file being copied" grep -q '^  copying.cfg  .*being copied (a program has it open for writing)' "$T/status.txt"
check "spool: the file not read yet" grep -q '^  later.cfg  .*not read yet' "$T/status.txt"
check "rejected: the file and the first line of its .error" grep -q '^  bad.cfg  .* ago: .*bad.cfg:1: error: ' "$T/status.txt"
check "the summary line" grep -q '^7 of 12 screens need a look$' "$T/status.txt"

$C at plaza $NOW --json >"$T/at.json"
$C status --json >"$T/status.json" 2>/dev/null
check "status --json: exit 0" [ $? -eq 0 ]
check "status --json: every fact, as the table says" python3 - "$T/status.json" "$T/at.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
at = json.load(open(sys.argv[2]))
s = {x['screen']: x for x in d['screens']}
assert d['now'] == '2023-03-15T10:00:00+09:00' and d['healthy'] is False, d['healthy']
assert list(s) == ['plaza', 'gou4', 'kochi-station', 'airport', 'castle', 'torn', 'empty',
                   'binary', 'dirlog', 'secret', 'legacy', 'hole'], list(s)
h = {k: v['health'] for k, v in s.items()}
assert h == {'plaza': 'ok', 'gou4': 'behind', 'kochi-station': 'stale', 'airport': 'no log',
             'castle': 'errors', 'torn': 'ok', 'empty': 'no log', 'binary': 'no log',
             'dirlog': 'stale', 'secret': 'ok', 'legacy': 'ok', 'hole': 'ok'}, h
assert s['hole']['errors_whole_hour_read'] is False, s['hole']
assert any('without reaching an hour ago' in n for n in s['hole']['notes']), s['hole']['notes']
p = s['plaza']
assert p['last_log']['end'] == '2023-03-15T09:59:50.000+09:00', p['last_log']
assert p['last_log']['item'] == 1 and p['last_log_age_seconds'] == 10, p
assert p['generation']['loaded'] == 1 and p['generation']['published'] == 1, p['generation']
assert p['stale_after_seconds'] == 600, p['stale_after_seconds']
assert p['errors_last_hour'] == 0 and p['errors_whole_hour_read'] is True, p
on = p['on_screen']
assert {k: on[k] for k in at} == at, (on, at)  # what `at` says plays now
g = s['gou4']
assert g['generation']['loaded'] == 1 and g['generation']['published'] == 2, g['generation']
assert g['generation']['published_at'].startswith('2023-03-15T09:10:0'), g['generation']
assert g['problems'] == ['behind'] and any('signage-player@gou4' in n for n in g['notes']), g
k = s['kochi-station']
assert k['last_log_age_seconds'] == 1800 and k['problems'] == ['stale'], k
a = s['airport']
assert a['last_log'] is None and a['problems'] == ['no log'] and a['on_screen']['campaign'] == 'wood', a
c = s['castle']
assert c['errors_last_hour'] == 2 and c['skipped_last_hour'] == 1, c  # not the one at 08:30
assert c['last_error']['error'] == 'media/y.png: file is missing', c['last_error']
assert s['torn']['last_log']['end'] == '2023-03-15T09:59:50.000+09:00'
assert any('cut short' in n for n in s['torn']['notes']), s['torn']['notes']
assert any(n.endswith('empty') for n in s['empty']['notes']), s['empty']['notes']
assert any('no proof-of-play line' in n for n in s['binary']['notes']), s['binary']['notes']
dl = s['dirlog']
assert dl['last_log']['file'].endswith('/dirlog/play-2023-03-14.jsonl'), dl['last_log']
assert any('not a regular file' in n for n in dl['notes']), dl['notes']
lg = s['legacy']['last_log']
assert lg['file'].endswith('/log/play-2023-03-15.jsonl') and lg['item'] == 1, lg
sp = d['spool']
pend = {x['file']: x for x in sp['pending']}
assert set(pend) == {'wood-late.cfg', 'later.cfg', 'copying.cfg'}, pend
w = pend['wood-late.cfg']
assert w['waiting'] == 'waiting for media' and w['waiting_since'].startswith('2023-03-15T09:55:0'), w
assert w['rejected_after'].startswith('2023-03-15T10:05:0') and w['size'] > 50, w
assert pend['copying.cfg']['waiting'] == 'being copied' and pend['copying.cfg']['open_for_writing'], pend
assert pend['later.cfg']['waiting'] == 'not read yet', pend['later.cfg']
rej = sp['rejected']
assert [r['file'] for r in rej] == ['bad.cfg'], rej
assert rej[0]['reason'].startswith('bad.cfg:1: error:') and 0 <= rej[0]['age_seconds'] < 600, rej
PY

# the log only root can read: as another user, status names it and still
# tells the other screens
chmod 755 "$T"
setpriv --reuid=nobody --regid=nogroup --clear-groups $C status --json >"$T/nobody.json" 2>"$T/nobody.err"
check "status as another user: exit 0" [ $? -eq 0 ]
check "... the unreadable log is named, the others still told" python3 - "$T/nobody.json" <<'PY'
import json, sys
s = {x['screen']: x for x in json.load(open(sys.argv[1]))['screens']}
assert s['secret']['health'] == 'no log', s['secret']
assert any('Permission denied' in n and 'secret/play-2023-03-15.jsonl' in n for n in s['secret']['notes']), s['secret']['notes']
assert s['plaza']['health'] == 'ok' and s['castle']['errors_last_hour'] == 2, s['plaza']
PY

# only the screens asked about; all well: "healthy" true, exit 0
$C status plaza legacy >"$T/two.txt" 2>&1
check "status SCREEN...: exit 0" [ $? -eq 0 ]
check "status SCREEN...: only those, all ok" sh -c "[ \$(grep -cE '^(plaza|legacy) +ok ' '$T/two.txt') = 2 ] && ! grep -q '^gou4' '$T/two.txt' && grep -q '^all 2 screens ok$' '$T/two.txt'"
$C status plaza --json >"$T/one.json"
check "status --json of a healthy screen: healthy true" python3 -c "
import json; d = json.load(open('$T/one.json')); assert d['healthy'] is True and len(d['screens']) == 1, d"
$C status nowhere --json >"$T/j.out" 2>/dev/null
check "status of an unknown screen: exit 1, the document names it" jerr "$T/j.out" 1 'no screen "nowhere"'
$C status --bogus >/dev/null 2>&1
check "status with an unknown option: exit 2" [ $? -eq 2 ]
sed "s|^state = .*|state = \"$T/nostate\";|" "$T/cfg/signage.cfg" >"$T/cfg/nostate.cfg"
$CTL -c "$T/cfg/nostate.cfg" --json status >"$T/j.out" 2>/dev/null
check "status when STATE cannot be read: exit 1, says what to check" \
    jerr "$T/j.out" 1 "$T/nostate: the state directory cannot be read"
check "... and it created nothing" [ ! -e "$T/nostate" ]

# --- a central server's box trees (issue 15): today in parts only ------------------
# box1 uploads plaza's day in runs (parts); box2 holds a copy of its last part
# (collected twice); box3's gou4 day is whole, with a part a crash left beside it
BX=$T/boxes
mkdir -p "$BX/box1/plaza" "$BX/box2/plaza" "$BX/box3/gou4" "$BX/box3/castle"
P0=$BX/box1/plaza/play-$D.jsonl.000000000000.part
{
    e plaza kochi-expo 0 ${D}T09:40:00 ${D}T09:40:10 played 1
    e plaza kochi-expo 1 ${D}T09:50:00 ${D}T09:50:20 played 1
} >"$P0"
P1=$BX/box1/plaza/play-$D.jsonl.$(printf %012d "$(wc -c <"$P0")").part
{
    e plaza kochi-expo 0 ${D}T09:58:00 ${D}T09:58:00 error 1 "media/z.png: cannot decode"
    e plaza kochi-expo 1 ${D}T09:59:38 ${D}T09:59:58 played 1
} >"$P1"
cp "$P1" "$BX/box2/plaza/"
{
    e gou4 gou4-only 0 ${D}T09:59:00 ${D}T09:59:10 played 2
    e gou4 gou4-only 1 ${D}T09:59:10 ${D}T09:59:45 played 2
} >"$BX/box3/gou4/play-$D.jsonl"
head -n 1 "$BX/box3/gou4/play-$D.jsonl" >"$BX/box3/gou4/play-$D.jsonl.000000000000.part"
: >"$BX/box3/gou4/play-$D.jsonl.0000000000.part" # not a part's name: not read
$C status --boxes "$BX" --json >"$T/boxes.json" 2>"$T/boxes.err"
check "status --boxes: exit 0" [ $? -eq 0 ]
check "status --boxes: the newest line of any tree, from today's newest part" python3 - "$T/boxes.json" <<'PY'
import json, sys
s = {x['screen']: x for x in json.load(open(sys.argv[1]))['screens']}
p = s['plaza']
assert p['last_log']['end'] == '2023-03-15T09:59:58.000+09:00', p['last_log']
import re
assert re.search(r'/box1/plaza/play-2023-03-15\.jsonl\.000000000[1-9]\d\d\.part$',
                 p['last_log']['file']), p['last_log']
assert p['last_log_age_seconds'] == 2 and p['health'] == 'errors', p
# the error line is in box1 and box2: counted once
assert p['errors_last_hour'] == 1 and p['skipped_last_hour'] == 0, p
assert p['last_error']['error'] == 'media/z.png: cannot decode', p['last_error']
g = s['gou4']
assert g['last_log']['file'].endswith('/box3/gou4/play-2023-03-15.jsonl'), g['last_log']
assert g['last_log']['end'] == '2023-03-15T09:59:45.000+09:00' and g['health'] == 'ok', g
assert not g['notes'], g['notes']  # the empty "part" of 10 digits is no log: not read
# STATE/log is not read with --boxes: castle has no log in the trees
c = s['castle']
assert c['health'] == 'no log' and any('log trees given' in n for n in c['notes']), c
PY
check "status --boxes: nothing on stderr" [ ! -s "$T/boxes.err" ]
$C status --log "$S/log" --boxes "$BX" castle plaza --json >"$T/both.json" 2>/dev/null
check "status --log and --boxes, screens after: both trees read" python3 - "$T/both.json" <<'PY'
import json, sys
s = {x['screen']: x for x in json.load(open(sys.argv[1]))['screens']}
assert list(s) == ['plaza', 'castle'], list(s)
assert s['castle']['errors_last_hour'] == 2 and s['castle']['skipped_last_hour'] == 1, s['castle']
assert s['plaza']['last_log']['end'] == '2023-03-15T09:59:58.000+09:00', s['plaza']
assert s['plaza']['errors_last_hour'] == 1, s['plaza']
PY
$C status --boxes "$T/no-such-boxes" >/dev/null 2>"$T/err"
check "status --boxes of a missing directory: exit 1, names it" sh -c "[ $? -eq 1 ] && grep -q no-such-boxes '$T/err'"

# --- list: the files waiting in the spool, ends as the operator wrote them ----------------
$C list >"$T/list.txt" 2>"$T/list.err"
check "list: exit 0" [ $? -eq 0 ]
check "list: the accepted campaign's end as written beside the instant" \
    grep -qE '^kochi-expo +2023-03-01T00:00:00\+09:00 +2023-04-01T00:00:00\+09:00 +2023-03-31 +active ' "$T/list.txt"
check "list: a date-time end as written" grep -qE '^wood +.* 2023-03-31T22:00:00\+09:00 +2023-03-31T22:00 +active ' "$T/list.txt"
check "list: the campaign waiting for media is a pending row" \
    grep -qE '^wood-late +2023-03-01T00:00:00\+09:00 +2023-05-01T00:00:00\+09:00 +2023-04-30 +pending +kochi ' "$T/list.txt"
check "list: and a note says what it waits for" \
    grep -q '^  spool/wood-late.cfg (194 B, .* in the spool): waiting for its media since 2023-03-15T09:55:0.+09:00; put them into spool/ before 2023-03-15T10:05:0.+09:00' "$T/list.txt"
check "list: the file being copied is pending too" grep -q '^  spool/copying.cfg .*being copied' "$T/list.txt"
$C list --json >"$T/list.json"
check "list --json: the old keys, end_as_written, and the pending files after the accepted" python3 - "$T/list.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
states = [x['state'] for x in d]
assert states[:3] == ['active'] * 3 and set(states[3:]) == {'pending'}, states
k = d[[x['id'] for x in d].index('kochi-expo')]
assert k['end'] == '2023-04-01T00:00:00.000+09:00' and k['end_as_written'] == '2023-03-31', k
assert set(k) >= {'id', 'title', 'owner', 'start', 'end', 'screens', 'priority', 'weight', 'items', 'state'}
p = {x['file']: x for x in d if x['state'] == 'pending'}
w = p['wood-late.cfg']
assert w['id'] == 'wood-late' and w['end_as_written'] == '2023-04-30' and w['end'] == '2023-05-01T00:00:00.000+09:00', w
assert w['screens'] == ['kochi'] and w['waiting'] == 'waiting for media' and w['items'] == 1, w
assert p['later.cfg']['waiting'] == 'not read yet' and p['later.cfg']['unreadable'] is None, p['later.cfg']
PY
exec 3>&-
