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
