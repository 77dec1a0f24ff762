# Campaign files that must be refused, kept as data: tests/data/campaigns/
# NNN-what.cfg, and NNN-what.expect with the fixed strings that must each be
# in the message.  `signagectl check` refuses each with exit 1, naming the
# file; the scheduler moves each to rejected/ with the same message in its
# .error and accepts nothing.  The two encodings Windows tools produce,
# UTF-16 and Shift_JIS, are written here rather than kept as files.
. "$SRCDIR/tests/integration/lib.sh"

D=$SRCDIR/tests/data/campaigns
S=$T/state
mkdir -p "$T/cfg" "$T/c" "$S/spool"
cat >"$T/cfg/signage.cfg" <<EOF2
state = "$S";
screens = (
  { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; },
  { id = "kochi-station"; groups = [ "kochi" ]; width = 1920; height = 1080; }
);
EOF2
C="$CTL -c $T/cfg/signage.cfg --now 2023-03-15T10:00:00+09:00"
cp "$D"/*.cfg "$D"/*.expect "$T/c/"
printf '\377\376i\000d\000 \000=\000' >"$T/c/020-utf16.cfg"
echo 'the file is saved as UTF-16 (Notepad calls it "Unicode"); save it as UTF-8' >"$T/c/020-utf16.expect"
printf 'id = "a"; title = "\223\214\213\236"; owner = "o"; start = "2023-03-01"; end = "2023-03-31";\nscreens = [ "*" ]; items = ( { type = "text"; text = "x"; } );\n' >"$T/c/021-sjis.cfg"
echo ':1: error: this line is not valid UTF-8; save the file as UTF-8 (not Shift_JIS' >"$T/c/021-sjis.expect"
n=$(ls "$T/c" | grep -c '\.cfg$')
check_range "the corpus of refused campaigns is all there" "$n" 21 1000

# says_all FILE EXPECT: every line of EXPECT is in FILE, as fixed text.
says_all() {
    while IFS= read -r want; do
        [ -z "$want" ] || grep -qF -- "$want" "$1" || { echo "# missing: $want"; return 1; }
    done <"$2"
}
for f in "$T"/c/*.cfg; do
    name=$(basename "$f" .cfg)
    $C check "$f" >"$T/$name.out" 2>&1
    rc=$?
    check "check $name: exit 1" [ $rc -eq 1 ]
    check "check $name: names the file and says what to fix" \
        sh -c "grep -q '$name.cfg' '$T/$name.out' && grep -q 'error' '$T/$name.out'"
    check "check $name: the message of $name.expect" says_all "$T/$name.out" "$T/c/$name.expect"
done

# The scheduler refuses the same files the same way.
cp "$T"/c/*.cfg "$S/spool/"
$SCHEDULER -c "$T/cfg/signage.cfg" --once --now 2023-03-15T10:00:00+09:00 2>"$T/sched.log"
check "scheduler: survives the corpus (exit 0)" [ $? -eq 0 ]
check "scheduler: accepts none of them" [ -z "$(ls -A "$S/campaigns" 2>/dev/null | grep -v history)" ]
for f in "$T"/c/*.cfg; do
    name=$(basename "$f" .cfg)
    e=$S/rejected/$name.cfg.error
    if [ "$name" = 007-missing-file ]; then
        # it waits for its medium (pending_grace) rather than being refused at once
        check "scheduler: $name waits in the spool for its medium" [ -f "$S/spool/$name.cfg" ]
        continue
    fi
    check "scheduler: $name is moved to rejected/, unchanged" cmp -s "$f" "$S/rejected/$name.cfg"
    check "scheduler: $name.error says what check says" says_all "$e" "$T/c/$name.expect"
done
