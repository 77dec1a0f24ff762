# The tests themselves: no check whose condition is partly outside it
# ("check N [ A ] && [ B ]" reports A alone; lib.sh's check_all takes
# several conditions).  tests/integration/checkscan.py reads every script.
. "$SRCDIR/tests/integration/lib.sh"

# (this one has the bad forms on purpose, as the scanner's own test below)
python3 "$SRCDIR/tests/integration/checkscan.py" $(ls "$SRCDIR"/tests/integration/t_*.sh | grep -v /t_checks.sh) >"$T/found"
rc=$?
check "every check's conditions are inside it (exit $rc; $(head -3 "$T/found" | tr '\n' ' '))" [ $rc = 0 ]
# the scanner itself, on a script that has each form
cat >"$T/t_x.sh" <<'X'
check "a" [ -f a ] && [ -f b ]
check "b" \
    cmp -s a b &&
    cmp -s c d
check "c" sh -c "[ -f a ] && [ -f b ]"
check "d" [ "$(x "d.ok && d.y")" = 1 ]
check_all "e" '[ -f a ]' '[ -f b ]'
check "f" grep -q 'x && y' file
X
python3 "$SRCDIR/tests/integration/checkscan.py" "$T/t_x.sh" >"$T/x.out"
check "the scanner finds the two checks with a condition outside" \
    sh -c "[ \"\$(cut -d: -f2 '$T/x.out' | tr '\n' ' ')\" = '1 2 ' ]"
# check_all: every condition, the failing one named
out=$(check_all "x" '[ 1 = 1 ]' '[ 1 = 2 ]' '[ 3 = 3 ]')
check "check_all fails on any false condition, naming it ($out)" [ "$out" = "not ok - x (false: [ 1 = 2 ])" ]
out=$(check_all "y" '[ 1 = 1 ]' 'true')
check "check_all passes when all hold ($out)" [ "$out" = "ok - y" ]
exit 0
