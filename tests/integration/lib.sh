# Sourced by tests/integration/t_*.sh.  Gives each script a scratch
# directory ($T, removed at exit), the built programs, and TAP-like checks
# whose "ok"/"not ok" lines tests/run-tests.sh counts.
set -u
: "${BUILD:?run through make test}"
: "${SRCDIR:?run through make test}"
SCHEDULER=$BUILD/signage-scheduler
PLAYER=$BUILD/signage-player
CTL=$BUILD/signagectl
T=$(mktemp -d "${TMPDIR:-/tmp}/signage-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"' EXIT
ok()   { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
# check NAME COMMAND...: ok when the command succeeds.
check() { n=$1; shift; if "$@"; then ok "$n"; else fail "$n"; fi; }
# check_not NAME COMMAND...: ok when the command fails.
check_not() { n=$1; shift; if "$@"; then fail "$n"; else ok "$n"; fi; }
