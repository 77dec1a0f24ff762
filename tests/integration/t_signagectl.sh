# signagectl: check, list, plan, at, withdraw, report, --json, and exit codes
# (0 success, 1 failure, 2 usage error) as SPEC §9 says.
. "$SRCDIR/tests/integration/lib.sh"

S=$T/state
NOW=2023-03-15T10:00:00+09:00
mkdir -p "$T/cfg" "$S/spool" "$T/work/img"
cat >"$T/cfg/signage.cfg" <<EOF
state = "$S";
screens = (
  { id = "shinjuku-west-plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; },
  { id = "kochi-station"; groups = [ "kochi" ]; width = 1920; height = 1080; }
);
EOF
C="$CTL -c $T/cfg/signage.cfg --now $NOW"
ff -f lavfi -i testsrc2=s=320x240 -frames:v 1 "$T/work/img/a.png"

# --- check ---------------------------------------------------------------------
cat >"$T/work/good.cfg" <<'EOF'
id = "good";
title = "良い"; owner = "高知県";
start = "2023-03-01"; end = "2023-03-31";
screens = [ "shinjuku-west" ];
weight = 3;
items = ( { type = "image"; file = "img/a.png"; duration = 5; },
          { type = "text"; text = "こんにちは"; duration = 5; } );
EOF
cat >"$T/work/bad.cfg" <<'EOF'
id = "Bad Id";
title = "x"; owner = "x";
start = "2023-02-30"; end = "2023-03-31";
screens = [ "nowhere" ];
items = ( { type = "image"; file = "img/missing.png"; } );
EOF
out=$($C check "$T/work/good.cfg")
check "check good: exit 0" [ $? -eq 0 ]
check "check good: says ok" sh -c "echo '$out' | grep -q ': ok'"
$C check "$T/work/bad.cfg" >"$T/bad.out" 2>&1
check "check bad: exit 1" [ $? -eq 1 ]
check "check bad: FILE:LINE: error: lines" grep -q "^$T/work/bad.cfg:[0-9]*: error:" "$T/bad.out"
check "check bad: the impossible date is named" grep -q '2023-02-30' "$T/bad.out"
check "check bad: the unknown screen is named" grep -q 'nowhere' "$T/bad.out"
$C check "$T/work/good.cfg" "$T/work/bad.cfg" >/dev/null 2>&1
check "check good+bad: exit 1" [ $? -eq 1 ]
$C --json check "$T/work/bad.cfg" "$T/work/good.cfg" >"$T/check.json"
check "check --json: one document" python3 -c "
import json,sys; d=json.load(open('$T/check.json'))
assert [x['ok'] for x in d]==[False,True], d
assert d[0]['errors'] and all(':' in e for e in d[0]['errors'])
assert d[1]['id']=='good'"
$C check "$T/work/nonexistent.cfg" >/dev/null 2>&1
check "check missing file: exit 1" [ $? -eq 1 ]
$C check >/dev/null 2>&1
check "check without files: usage, exit 2" [ $? -eq 2 ]

# --- accept through the scheduler, then list / plan / at ---------------------------
cp -r "$T/work/img" "$S/spool/" && cp "$T/work/good.cfg" "$S/spool/"
$SCHEDULER -c "$T/cfg/signage.cfg" --once --now $NOW 2>/dev/null
out=$($C list)
check "list: exit 0" [ $? -eq 0 ]
check "list: id, dates, state, screens, owner" sh -c "echo '$out' | grep -q '^good .*2023-03-01T00:00:00+09:00 .*2023-04-01T00:00:00+09:00 .*active .*shinjuku-west .*高知県'"
check "list: ended with a later --now" sh -c "$CTL -c $T/cfg/signage.cfg --now 2023-05-01 list | grep -q ' ended '"
check "list: upcoming with an earlier --now" sh -c "$CTL -c $T/cfg/signage.cfg --now 2023-01-01 list | grep -q ' upcoming '"
$C list --json >"$T/list.json"
check "list --json" python3 -c "
import json; d=json.load(open('$T/list.json'))
assert d[0]['id']=='good' and d[0]['state']=='active' and d[0]['screens']==['shinjuku-west']"

$C plan shinjuku-west-plaza --from 2023-03-30 --to 2023-04-02 >"$T/plan.txt"
check "plan: exit 0" [ $? -eq 0 ]
check "plan: window with start/end/priority/loop" \
    grep -q '^2023-03-01T00:00:00+09:00 .. 2023-04-01T00:00:00+09:00  priority 50, loop 10s' "$T/plan.txt"
check "plan: share" grep -q 'share: good 100.0%' "$T/plan.txt"
check "plan: slots" grep -q '+5s .*good #1 text' "$T/plan.txt"
check "plan: fallback after the campaign" grep -q '^2023-04-01T00:00:00+09:00 .. .*fallback$' "$T/plan.txt"
$C plan shinjuku-west-plaza --json --from 2023-03-30 --to 2023-04-02 >"$T/plan.json"
check "plan --json" python3 -c "
import json; d=json.load(open('$T/plan.json'))
w=d['windows'][0]; assert w['priority']==50 and w['loop_seconds']==10 and w['shares']=={'good':100.0}
assert [s['type'] for s in w['slots']]==['image','text']"
$C plan nowhere >/dev/null 2>"$T/err"
check "plan unknown screen: exit 1, names it" sh -c "[ $? -eq 1 ] && grep -q nowhere '$T/err'"
$C plan shinjuku-west-plaza --from 2023-03-30 --to 2023-03-01 >/dev/null 2>&1
check "plan --to before --from: exit 2" [ $? -eq 2 ]

out=$($C at shinjuku-west-plaza 2023-03-15T10:00:07)
check "at: one line, id item type start end" \
    [ "$out" = "good 1 text 2023-03-15T10:00:05.000+09:00 2023-03-15T10:00:10.000+09:00" ]
out=$($C at kochi-station 2023-03-15T10:00:07)
check "at: fallback is '-'" sh -c "echo '$out' | grep -q '^- 0 text '"
# the scheduler recorded where the screens list is, so `at` reads only
# around it; a record that does not hold changes nothing but the speed
check "the scheduler recorded where the screens list is (STATE/.config-place)" \
    grep -Eq '^[0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+$' "$S/.config-place"
cp "$S/.config-place" "$T/place"
printf '1 2 3 4 5 6 7\n' >"$S/.config-place"
check "at: the same answer with a record that does not hold" \
    [ "$($C at shinjuku-west-plaza 2023-03-15T10:00:07)" = "good 1 text 2023-03-15T10:00:05.000+09:00 2023-03-15T10:00:10.000+09:00" ]
head -c 3000 /dev/urandom >"$S/.config-place"
check "at: the same answer with a record of random bytes" \
    [ "$($C at shinjuku-west-plaza 2023-03-15T10:00:07)" = "good 1 text 2023-03-15T10:00:05.000+09:00 2023-03-15T10:00:10.000+09:00" ]
mv "$T/place" "$S/.config-place"
$C at shinjuku-west-plaza 2023-03-15T10:00:07 --json >"$T/at.json"
check "at --json keys" python3 -c "
import json; d=json.load(open('$T/at.json'))
assert set(d)=={'campaign','item','type','slot_start','slot_end'} and d['campaign']=='good' and d['item']==1"
$C at shinjuku-west-plaza 2023-13-45 >/dev/null 2>&1
check "at bad time: exit 2" [ $? -eq 2 ]
$C at shinjuku-west-plaza >/dev/null 2>&1
check "at missing TIME: exit 2" [ $? -eq 2 ]

# --- withdraw ---------------------------------------------------------------------
$C withdraw nosuch >/dev/null 2>"$T/err"
check "withdraw unknown: exit 1" [ $? -eq 1 ]
check "withdraw unknown: says what to do" grep -q 'signagectl list' "$T/err"
$C withdraw ../../etc/passwd >/dev/null 2>&1
check "withdraw hostile id: exit 1" [ $? -eq 1 ]
$C --json withdraw good >"$T/wd.json"
check "withdraw: exit 0" [ $? -eq 0 ]
check "withdraw --json" python3 -c "
import json; d=json.load(open('$T/wd.json')); assert d['withdrawn']=='good' and d['playlists_written']==1"
out=$($C at shinjuku-west-plaza 2023-03-15T10:00:07)
check "after withdraw: fallback" sh -c "echo '$out' | grep -q '^- '"
check "after withdraw: list empty" [ "$($C list | wc -l)" -eq 1 ]

# --- usage -----------------------------------------------------------------------
$CTL >/dev/null 2>&1
check "no command: exit 2" [ $? -eq 2 ]
$CTL -c "$T/cfg/signage.cfg" frobnicate >/dev/null 2>&1
check "unknown command: exit 2" [ $? -eq 2 ]
$CTL -c "$T/cfg/signage.cfg" --now yesterday list >/dev/null 2>&1
check "bad --now: exit 2" [ $? -eq 2 ]
$CTL -c "$T/nonexistent.cfg" list >/dev/null 2>"$T/err"
check "missing config: exit 1, names the file" sh -c "[ $? -eq 1 ] && grep -q nonexistent.cfg '$T/err'"
# --- report ----------------------------------------------------------------------
mkdir -p "$S/log"
$CTL -c "$T/cfg/signage.cfg" report >"$T/out" 2>&1
check "report: no logs yet: exit 0, nothing shown" sh -c "[ $? -eq 0 ] && grep -q 'total: 0:00:00 shown (0.0 s), 0:00:00 dark' '$T/out'"
e() { # screen campaign owner start end shown result
    printf '{"screen":"%s","campaign":"%s","owner":"%s","title":"t","item":0,"type":"image",' "$1" "$2" "$3"
    printf '"media":null,"sha256":null,"start":"2023-03-15T%s.000+09:00","end":"2023-03-15T%s.000+09:00",' "$4" "$5"
    printf '"planned_ms":%s,"shown_ms":%s,"result":"%s","generation":1}\n' "$6" "$6" "$7"
}
{
    e shinjuku-west-plaza good 高知県 10:00:00 10:00:10 10000 played
    e shinjuku-west-plaza - "" 10:00:10 10:00:20 10000 played
    echo 'this line is not JSON'
    e shinjuku-west-plaza good 高知県 10:00:30 10:00:40 10000 cut
} >"$S/log/play-2023-03-15.jsonl"
e kochi-station good 高知県 09:00:00 09:00:05 5000 played >"$S/log/play-2023-03-14.jsonl"
$C report >"$T/out" 2>"$T/err"
check "report: table exit 0" [ $? -eq 0 ]
check "report: owner row: plays, cut, skipped, errors, h:mm:ss, share" grep -Eq '^高知県 +3 +1 +0 +0 +0:00:25 +71\.4%$' "$T/out"
check "report: fallback row" grep -Eq '^\(fallback\) +1 +0 +0 +0 +0:00:10 ' "$T/out"
# dark: 2023-03-14 00:00 to now (10:00 on the 15th) is 122,400 s a screen;
# the log accounts for 5 s of it (kochi-station on the 14th)
check "report: dark time against the period in the total" grep -q "total: 0:00:35 shown (35.0 s, 100.0% of its screens' time), 67:59:55 dark (244795.0 s) on 2 screens, 1 unreadable log lines ignored" "$T/out"
check "report: the bad line is named" grep -q 'play-2023-03-15.jsonl:3' "$T/err"
$C report --by screen --from 2023-03-15 --to 2023-03-15 --csv >"$T/out" 2>/dev/null
check "report: --by screen --csv with a date range" grep -q '^"shinjuku-west-plaza","",3,2,1,0,0,0:00:30,30.000,1.0000,10:00:00,36000.000,0' "$T/out"
check "report: --from excludes earlier days; a screen without a log that day is dark, flagged" \
    grep -q '^"kochi-station","",0,0,0,0,0,0:00:00,0.000,0.0000,10:00:00,36000.000,1' "$T/out"
$C report --by screen --json >"$T/out" 2>/dev/null
check "report: --json is one JSON document" python3 -c "import json,sys; d=json.load(open('$T/out')); assert d['by']==['screen'] and len(d['rows'])==2"
$C report --by campaign --html "$T/report.html" >/dev/null 2>&1
check "report: --html writes a page with a chart" sh -c "grep -q '<svg' '$T/report.html' && grep -q '<td>t (good)</td>' '$T/report.html'"
$C report --by colour >/dev/null 2>&1
check "report: bad --by: exit 2" [ $? -eq 2 ]
$C report --from 2023-3-1 >/dev/null 2>&1
check "report: bad --from: exit 2" [ $? -eq 2 ]
$C report --html /nonexistent/dir/r.html >/dev/null 2>"$T/err"
check "report: unwritable --html: exit 1, names the file" sh -c "[ $? -eq 1 ] && grep -q /nonexistent/dir/r.html '$T/err'"
$C report --csv >"$T/out" 2>/dev/null
check "report --csv: UTF-8 with the byte-order mark Excel needs, CRLF" \
    sh -c "head -c 3 '$T/out' | od -An -tx1 | grep -q 'ef bb bf' && head -1 '$T/out' | grep -q \"\$(printf '\\r')\\$\""
$C report --csv --no-bom >"$T/out" 2>/dev/null
check "report --csv --no-bom: plain UTF-8" sh -c "head -c 6 '$T/out' | grep -q '^owner,'"
# the partner pack: Kochi's own view, rows by several keys, Excel and Chromium
$C report --owner 高知県 --by campaign,screen,day --csv >"$T/kochi.csv" 2>"$T/err"
check "report --owner --by campaign,screen,day: exit 0" [ $? -eq 0 ]
check "report --owner: rows as Excel reads them (BOM, names, h:mm:ss, share)" python3 -c "
import csv
rows = list(csv.DictReader(open('$T/kochi.csv', encoding='utf-8-sig', newline='')))
assert [(r['campaign'], r['screen'], r['day']) for r in rows] == [
    ('good', 'kochi-station', '2023-03-15'), ('good', 'shinjuku-west-plaza', '2023-03-15')], rows
r = rows[1]
assert r['campaign_title'] == 't' and r['plays'] == '2' and r['cut'] == '1', r
assert r['shown'] == '0:00:20' and 0.6666 <= float(r['share']) <= 0.6667, r
assert 'dark' not in r, r
"
$C report --owner 高知 >"$T/out" 2>"$T/err"
check "report --owner misspelt: exit 0, says nothing of it was found" sh -c "[ $? -eq 0 ] && grep -q 'no proof of play of owner 高知 ' '$T/err'"
$C report --owner 高知県 --from 2023-03-14 --to 2023-03-15 --html "$T/pack.html" >"$T/out" 2>"$T/err"
check "report --owner --html: the pack is written" sh -c "[ $? -eq 0 ] && grep -q 'wrote $T/pack.html' '$T/out'"
check "report --html: period, the partner, three charts, no script" sh -c "
    grep -q '2023-03-14 〜 2023-03-15 (Asia/Tokyo)' '$T/pack.html' &&
    grep -q '<dd>高知県</dd>' '$T/pack.html' && [ \$(grep -c '<svg' '$T/pack.html') -eq 3 ] &&
    ! grep -qi '<script' '$T/pack.html'"
if command -v chromium >/dev/null 2>&1; then
    timeout 60 chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$T/pack.html" >"$T/pack.dom" 2>/dev/null
    check "report --html: Chromium reads three charts and the table" sh -c "
        [ \$(grep -c '<svg' '$T/pack.dom') -eq 3 ] && grep -q '<td>t (good)</td>' '$T/pack.dom'"
else
    check "report --html: chromium is installed for this test" false
fi
# a week's report keeps summaries of the closed days (the 14th; the 15th is
# today) and gives the same figures from them
XDG_CACHE_HOME=$T/week-cache $C report --by screen,day --from 2023-03-09 --to 2023-03-15 --csv --no-cache >"$T/week0" 2>/dev/null
check "report --no-cache: no summary kept" sh -c "! ls '$T'/week-cache/signage/report/*.sum >/dev/null 2>&1"
XDG_CACHE_HOME=$T/week-cache $C report --by screen,day --from 2023-03-09 --to 2023-03-15 --csv >"$T/week1" 2>/dev/null
check "report: a summary of the closed day's file is kept" sh -c "[ \$(ls '$T'/week-cache/signage/report/*.sum | wc -l) -eq 1 ]"
XDG_CACHE_HOME=$T/week-cache $C report --by screen,day --from 2023-03-09 --to 2023-03-15 --csv >"$T/week2" 2>/dev/null
check "report: the same figures with and without summaries" sh -c "cmp -s '$T/week0' '$T/week1' && cmp -s '$T/week0' '$T/week2'"
# logs collected from two boxes, one directory per screen, a file collected twice
mkdir -p "$T/box1/shinjuku-west-plaza" "$T/box2/shinjuku-west-plaza" "$T/box2/kochi-station"
e shinjuku-west-plaza good 高知県 11:00:00 11:00:10 10000 played >"$T/box1/shinjuku-west-plaza/play-2023-03-15.jsonl"
cp "$T/box1/shinjuku-west-plaza/play-2023-03-15.jsonl" "$T/box2/shinjuku-west-plaza/"
e kochi-station good 高知県 11:00:00 11:00:05 5000 played >"$T/box2/kochi-station/play-2023-03-15.jsonl"
$C report --log "$T/box1" --log "$T/box2" >"$T/out" 2>"$T/err"
check "report --log from two boxes: each line counted once" grep -Eq '^高知県 +2 +0 +0 +0 +0:00:15 ' "$T/out"
check "report --log: says how many lines it found twice" grep -q '1 log lines found twice counted once' "$T/out"
$C report --log "$T/box1" --log /nonexistent/box2 >/dev/null 2>"$T/err"
check "report --log of a missing tree: exit 1, names it" sh -c "[ $? -eq 1 ] && grep -q /nonexistent/box2 '$T/err'"
# --- boxes uploading their proof of play (issue 15): parts and --boxes ---------
# parts WHOLE DIR A B...: lines A.. of WHOLE cut at lines B..., each run put in
# DIR as play-DAY.jsonl.<its first byte's offset, 12 digits>.part
parts() {
    _w=$1 _d=$2 _a=$3; shift 3
    for _b in "$@"; do
        _off=$(head -n $((_a - 1)) "$_w" | wc -c)
        sed -n "${_a},$((_b - 1))p" "$_w" >"$_d/$(basename "$_w").$(printf %012d "$_off").part"
        _a=$_b
    done
}
R=$T/whole-ref
mkdir -p "$R/shinjuku-west-plaza" "$R/kochi-station"
{
    e shinjuku-west-plaza good 高知県 09:00:00 09:00:10 10000 played
    e shinjuku-west-plaza - "" 09:00:10 09:00:20 10000 played
    e shinjuku-west-plaza good 高知県 09:00:20 09:00:25 5000 cut
    e shinjuku-west-plaza good 高知県 09:30:00 09:30:10 10000 played
    e shinjuku-west-plaza good 高知県 09:59:00 09:59:10 10000 played
} >"$R/shinjuku-west-plaza/play-2023-03-15.jsonl"
sed 's/2023-03-15T/2023-03-14T/g' "$R/shinjuku-west-plaza/play-2023-03-15.jsonl" >"$R/shinjuku-west-plaza/play-2023-03-14.jsonl"
e kochi-station good 高知県 09:00:00 09:00:05 5000 played >"$R/kochi-station/play-2023-03-15.jsonl"
B=$T/boxes
mkdir -p "$B/box-a/shinjuku-west-plaza" "$B/box-b/kochi-station" "$B/.hidden/kochi-station" \
    "$T/elsewhere/box-c/kochi-station" "$B/new
line/kochi-station"
# box-a: today in parts only; yesterday whole, and two of its parts left by a crash
parts "$R/shinjuku-west-plaza/play-2023-03-15.jsonl" "$B/box-a/shinjuku-west-plaza" 1 3 4 6
cp "$R/shinjuku-west-plaza/play-2023-03-14.jsonl" "$B/box-a/shinjuku-west-plaza/"
parts "$R/shinjuku-west-plaza/play-2023-03-14.jsonl" "$B/box-a/shinjuku-west-plaza" 1 2 4
check "box-a: three parts of today, two of yesterday beside its whole file" \
    sh -c "[ \$(ls '$B/box-a/shinjuku-west-plaza' | grep -c '\.part\$') -eq 5 ]"
cp "$R/kochi-station/play-2023-03-15.jsonl" "$B/box-b/kochi-station/"
# not boxes: a hidden directory, a file, a link to nowhere; a box behind a link
e kochi-station good 高知県 08:00:00 08:00:05 5000 played >"$B/.hidden/kochi-station/play-2023-03-15.jsonl"
echo "boxes of the network" >"$B/README"
ln -s "$T/nowhere" "$B/gone"
e kochi-station good 高知県 07:00:00 07:00:05 5000 played >"$T/elsewhere/box-c/kochi-station/play-2023-03-15.jsonl"
ln -s "$T/elsewhere/box-c" "$B/box-c"
# a box whose name has a line end
e kochi-station good 高知県 06:00:00 06:00:05 5000 played >"$B/new
line/kochi-station/play-2023-03-15.jsonl"
cp -r "$R" "$T/ref-all"
cat "$T/elsewhere/box-c/kochi-station/play-2023-03-15.jsonl" "$B/new
line/kochi-station/play-2023-03-15.jsonl" >>"$T/ref-all/kochi-station/play-2023-03-15.jsonl"
$C report --log "$T/ref-all" --by screen,day --from 2023-03-14 --to 2023-03-15 --csv >"$T/ref.csv" 2>/dev/null
$C report --boxes "$B" --by screen,day --from 2023-03-14 --to 2023-03-15 --csv >"$T/boxes.csv" 2>"$T/err"
check "report --boxes: exit 0" [ $? -eq 0 ]
check "report --boxes: the same figures as the whole files (parts, whole+parts, linked box)" cmp -s "$T/ref.csv" "$T/boxes.csv"
check "report --boxes: plaza's figures on the 15th, from three parts (5 plays, 45 s)" \
    grep -q '^"shinjuku-west-plaza","","2023-03-15",5,4,1,0,0,0:00:45,45.000,1.0000,' "$T/boxes.csv"
check "report --boxes: and on the 14th, whole and parts counted once (5 plays, 45 s)" \
    grep -q '^"shinjuku-west-plaza","","2023-03-14",5,4,1,0,0,0:00:45,45.000,1.0000,' "$T/boxes.csv"
check "report --boxes: kochi-station counts box-b, box-c and the box with a line end, not .hidden" \
    grep -q '^"kochi-station","","2023-03-15",3,3,0,0,0,0:00:15,15.000,1.0000,' "$T/boxes.csv"
check "report --boxes: the link to nowhere is named" grep -q "$B/gone" "$T/err"
$C report --boxes "$B" --by screen,day --from 2023-03-14 --to 2023-03-15 >"$T/out" 2>/dev/null
check "report --boxes: whole and parts side by side counted once, and said" \
    grep -q '3 log lines found twice counted once' "$T/out"
$C report --boxes "$B" --log "$T/box2" --by screen --from 2023-03-14 --to 2023-03-15 --csv >"$T/out" 2>/dev/null
check "report --boxes with --log: both read (box2's kochi-station line added)" \
    grep -q '^"kochi-station","",4,4,0,0,0,0:00:20,' "$T/out"
$C report --boxes /nonexistent/boxes >/dev/null 2>"$T/err"
check "report --boxes of a missing directory: exit 1, names it" sh -c "[ $? -eq 1 ] && grep -q /nonexistent/boxes '$T/err'"
$C report --boxes "$B/README" >/dev/null 2>"$T/err"
check "report --boxes of a file: exit 1, names it" sh -c "[ $? -eq 1 ] && grep -q 'README: cannot read the boxes directory' '$T/err'"
mkdir -p "$T/noboxes"
$C report --boxes "$T/noboxes" >"$T/out" 2>"$T/err"
check "report --boxes of an empty directory: exit 0, empty, says so (not STATE/log)" \
    sh -c "[ $? -eq 0 ] && grep -q 'no box directory in it' '$T/err' && grep -q 'total: 0:00:00 shown' '$T/out'"
# ten thousand boxes, one of them with a line
mkdir -p "$T/many"
(cd "$T/many" && seq -f 'box%05g' 1 10000 | xargs mkdir)
mkdir -p "$T/many/box05000/kochi-station"
cp "$R/kochi-station/play-2023-03-15.jsonl" "$T/many/box05000/kochi-station/"
t0=$(date +%s%N)
$C report --boxes "$T/many" --by screen --csv >"$T/out" 2>"$T/err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "report --boxes over 10,000 boxes: exit 0, the one line counted" \
    sh -c "[ $rc -eq 0 ] && grep -q '^\"kochi-station\",\"\",1,1,' '$T/out'"
check_range "report --boxes over 10,000 boxes: milliseconds" "$ms" 1 20000
mv "$S/log" "$S/log.away"
$C report >/dev/null 2>"$T/err"
check "report: log directory missing: exit 1, names it" sh -c "[ $? -eq 1 ] && grep -q '$S/log' '$T/err'"
mv "$S/log.away" "$S/log"

# --- withdraw and restore with a fallback that has media ------------------------
# signagectl cannot store media (no FFmpeg in it): it takes the fallback as
# the scheduler prepared it (STATE/.fallback), so it rewrites only the screens
# the campaign reaches, with the fallback's media, and the scheduler then
# finds nothing to rewrite.
F=$T/fb
mkdir -p "$F/state/spool"
ff -f lavfi -i color=c=navy:s=320x240 -frames:v 1 "$F/fb.png"
cat >"$F/signage.cfg" <<EOF
state = "$F/state";
fallback = { title = "東京都"; items = ( { type = "image"; file = "fb.png"; duration = 8; } ); };
screens = (
  { id = "s1"; groups = [ "g" ]; width = 1920; height = 1080; },
  { id = "s2"; groups = [ "h" ]; width = 1920; height = 1080; }
);
EOF
cp "$T/work/img/a.png" "$F/state/spool/"
printf 'id = "c1"; title = "t"; owner = "o"; start = "2023-03-01"; end = "2023-03-31";\nscreens = [ "g" ];\nitems = ( { type = "image"; file = "a.png"; } );\n' >"$F/state/spool/c1.cfg"
FC="$CTL -c $F/signage.cfg --now $NOW"
$SCHEDULER -c "$F/signage.cfg" --once --now $NOW 2>/dev/null
check "the scheduler recorded the prepared fallback" grep -q '^0 image 8000 [0-9a-f]\{64\} media/' "$F/state/.fallback"
out=$($FC withdraw c1)
check "withdraw with a media fallback: only the screen it reaches is rewritten" \
    sh -c "echo '$out' | grep -q '1 playlists rewritten'"
check_not "no playlist lost the fallback's medium" grep -q 'media = ""' "$F/state/playlists/s1.playlist" "$F/state/playlists/s2.playlist"
$SCHEDULER -c "$F/signage.cfg" --once --now $NOW 2>"$T/err"
check "the scheduler then rewrites nothing" grep -q '(0 written, 2 unchanged' "$T/err"
$FC restore c1 1 >/dev/null
check "restore: the same" grep -q '^generation = 3L;' "$F/state/playlists/s1.playlist"
check "restore: s2 untouched" grep -q '^generation = 1L;' "$F/state/playlists/s2.playlist"
# a fallback the scheduler has not prepared yet: it is left to the scheduler
sed -i 's/duration = 8;/duration = 9;/' "$F/signage.cfg"
$FC withdraw c1 >"$T/out" 2>"$T/err"
check "withdraw before the scheduler read the new fallback: exit 0, says who publishes" \
    sh -c "[ $? -eq 0 ] && grep -q 'has not prepared the fallback' '$T/err'"
check "and no playlist was written without the fallback's medium" \
    grep -q '^generation = 3L;' "$F/state/playlists/s1.playlist"
