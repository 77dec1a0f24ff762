#!/bin/sh
# The systemd contract (SPEC §7, issue 3/4): under a NOTIFY_SOCKET both
# daemons report READY=1, ping WATCHDOG=1 when WATCHDOG_USEC asks for it
# (the player only while it presents frames), and say STOPPING=1 on SIGTERM.
# A small python3 listener stands in for systemd.
. tests/integration/lib.sh

export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
S=$T/state
mkdir -p "$S/spool"
cat >"$T/signage.cfg" <<CFG
state = "$S";
screens = ( { id = "plaza"; groups = [ "shinjuku-west" ]; width = 640; height = 360; } );
CFG
cat >"$S/spool/hello.cfg" <<'CFG'
id = "hello"; title = "こんにちは"; owner = "東京都";
start = "2023-03-01"; end = "2023-03-31"; screens = [ "*" ];
items = ( { type = "text"; text = "こんにちは"; duration = 2; } );
CFG

# wait_for FILE PATTERN: up to 10 s.
wait_for() { wait_until 10 grep -q "$2" "$1" 2>/dev/null; }

# --- scheduler ---------------------------------------------------------------
listen "$T/sched.sock" "$T/sched.msgs"
NOTIFY_SOCKET=$T/sched.sock WATCHDOG_USEC=400000 \
    "$SCHEDULER" -c "$T/signage.cfg" --now 2023-03-15T10:00:00+09:00 2>"$T/sched.err" &
spid=$!
check "scheduler: READY=1 once it is watching" wait_for "$T/sched.msgs" READY=1
check "scheduler: the playlist was published before READY" test -f "$S/playlists/plaza.playlist"
sleep 1.2
n=$(grep -c WATCHDOG=1 "$T/sched.msgs")
check "scheduler: pings the watchdog ($n pings in ~1.2 s at 400 ms)" [ "$n" -ge 2 ]
kill -TERM $spid; wait $spid; rc=$?
check "scheduler: SIGTERM exits 0" [ $rc -eq 0 ]
check "scheduler: STOPPING=1" grep -q STOPPING=1 "$T/sched.msgs"
check "scheduler: STATUS= for systemctl status: campaigns, spool, last publish" \
    grep -Eq '^STATUS=1 campaigns; 0 files waiting in the spool; 1 accepted, 0 rejected since start; published [0-9T:+-]+: 1 screens, 1 written$' "$T/sched.msgs"
kill $lpid 2>/dev/null; wait $lpid 2>/dev/null

# --- player ------------------------------------------------------------------
listen "$T/player.sock" "$T/player.msgs"
NOTIFY_SOCKET=$T/player.sock WATCHDOG_USEC=400000 \
    "$PLAYER" -c "$T/signage.cfg" --screen plaza --clock 2023-03-15T10:00:00+09:00 \
    --frame-log "$T/frames" 2>"$T/player.err" &
ppid_=$!
check "player: READY=1 after its first frame" wait_for "$T/player.msgs" READY=1
check "player: a frame was presented" test -s "$T/frames"
sleep 1.5
n=$(grep -c WATCHDOG=1 "$T/player.msgs")
check "player: pings the watchdog from the render loop ($n pings)" [ "$n" -ge 2 ]
kill -TERM $ppid_; wait $ppid_; rc=$?
check "player: SIGTERM exits 0" [ $rc -eq 0 ]
check "player: STOPPING=1" grep -q STOPPING=1 "$T/player.msgs"
check "player: STATUS= says what is on screen and the playlist generation" \
    grep -Eq '^STATUS=on screen: hello item 0; playlist generation [0-9]+$' "$T/player.msgs"
kill $lpid 2>/dev/null; wait $lpid 2>/dev/null

# --version on every program; under systemd (JOURNAL_STREAM naming stderr)
# each line carries its priority for the journal, and nowhere else
for p in "$SCHEDULER" "$PLAYER" "$CTL"; do
    n=$(basename "$p")
    check "$n --version: its name and the release, exit 0" \
        sh -c "'$p' --version | grep -Eq '^$n [0-9]+\.[0-9]+\.[0-9]+\$'"
done
: >"$T/journal"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal") "$CTL" -c "$T/signage.cfg" at nowhere 2023-03-15T10:00 \
    2>>"$T/journal" >/dev/null
check "errors carry journald's priority <3> when stderr is the journal" \
    grep -q '^<3>signagectl: error: ' "$T/journal"
JOURNAL_STREAM=1:1 "$CTL" -c "$T/signage.cfg" at nowhere 2023-03-15T10:00 2>"$T/notjournal" >/dev/null
check "and not when JOURNAL_STREAM names another stream" grep -q '^signagectl: error: ' "$T/notjournal"
mkdir -p "$T/jspool/spool"
printf 'id = "Bad Id";\n' >"$T/jspool/spool/bad.cfg"
printf 'state = "%s";\nscreens = ( { id = "plaza"; groups = [ "g" ]; width = 640; height = 360; } );\n' \
    "$T/jspool" >"$T/js.cfg"
: >"$T/journal2"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal2") "$SCHEDULER" -c "$T/js.cfg" --once \
    --now 2023-03-15T10:00:00+09:00 2>>"$T/journal2"
check "a rejection is a warning (<4>) in the journal: journalctl -p warning finds it" \
    sh -c "grep -qE '^<[34]>signage-scheduler: (error|warning): .*bad.cfg' '$T/journal2'"
exit 0
