#!/bin/sh
# The kiosk route (issue 14) for real, as deploy/signage-player@.service runs
# it: Debian's cage runs the real player on Wayland.  Its output is a window
# of Xvfb (wlroots' X11 backend, one 1024x768 output): with wlroots 0.15's
# headless backend cage composes nothing grim can see (the screenshots came
# out black, with the player's frames presented), so the headless backend is
# used only for the box with no monitor at all. grim's screenshot must show the due item
# upright over the whole output, the player's READY=1 and WATCHDOG=1 must
# reach NOTIFY_SOCKET through cage, and an unplugged monitor must not leave a
# black screen.  Debian 12's cage (0.1.4) ends when its last output goes
# (wl_display_terminate, the same path as its SIGTERM, which the headless
# backend's fixed output leaves the test to use) and has no output
# management for wlr-randr, so unplug and replug are: cage ends and must take
# the player with it, the unit's Restart=always starts it again and the item
# is back.  A missing tool is a failure, never a skip.
. tests/integration/lib.sh

for c in cage grim Xwayland Xvfb python3 compare setpriv; do
    command -v $c >/dev/null || fail "$c is not installed (make deps: cage grim xwayland)"
done
command -v cage >/dev/null && command -v grim >/dev/null || exit 0
ulimit -c 0 # cage 0.1.4 aborts in its own shutdown (fixed upstream in 0.2)

# cage refuses to run as root: as systemd's User=signage, run it as nobody
AS=
[ "$(id -u)" = 0 ] && AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
chmod 755 "$T"
K=$T/kiosk S=$T/kiosk/state RT=$T/kiosk/run
mkdir -p "$S/spool" "$RT"
chmod 700 "$RT"
# the picture: red top half, blue bottom half, the output's shape
ff -f lavfi -i color=c=red:s=1024x384 -f lavfi -i color=c=blue:s=1024x384 \
    -filter_complex vstack -frames:v 1 "$S/spool/upright.png"
cp "$S/spool/upright.png" "$T/ref.png"
cat >"$K/signage.cfg" <<CFG
state = "$S";
screens = ( { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1024; height = 768; } );
CFG
cat >"$S/spool/kiosk.cfg" <<'CFG'
id = "kiosk"; title = "キオスク"; owner = "東京都";
start = "2023-03-01"; end = "2023-03-31"; screens = [ "*" ];
items = ( { type = "image"; file = "upright.png"; duration = 600; } );
CFG
"$SCHEDULER" -c "$K/signage.cfg" --once --now 2023-03-15T10:00:00+09:00 2>"$T/sched.err"
check "the scheduler published the screen's playlist" test -f "$S/playlists/plaza.playlist"
[ -n "$AS" ] && chown -R 65534:65534 "$K"

# systemd's side of NOTIFY_SOCKET: each datagram's lines, with the sender's pid
listen() {
    /usr/bin/env python3 -c '
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
with open(sys.argv[2], "a") as f:
    while True:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        pid = [struct.unpack("i", d[:4])[0] for l, t, d in anc if t == socket.SCM_CREDENTIALS]
        for line in msg.decode().splitlines():
            f.write("%d %s\n" % (pid[0] if pid else -1, line))
        f.flush()
' "$1" "$2" &
    lpid=$!
    wait_until 5 [ -S "$1" ]
}
listen "$T/notify.sock" "$T/msgs"
# the monitor: a window of Xvfb that cage's X11 backend draws into
Xvfb -displayfd 3 -screen 0 1280x1024x24 -ac -nolisten tcp 3>"$T/xdisplay" 2>"$T/xvfb.err" &
xpid=$!
wait_until 10 test -s "$T/xdisplay"
XD=:$(cat "$T/xdisplay")

# kiosk OUTPUTS CLOCK: cage and the player as the unit starts them, with
# systemd's environment (WATCHDOG_PID is the main process: cage); with no
# output, the headless backend
kiosk() {
    rm -f "$RT"/wayland-*
    if [ "$1" = 0 ]; then b="WLR_BACKENDS=headless WLR_HEADLESS_OUTPUTS=0"; else b="WLR_BACKENDS=x11 WLR_X11_OUTPUTS=$1 DISPLAY=$XD"; fi
    env XDG_RUNTIME_DIR="$RT" $b \
        WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 SDL_VIDEODRIVER=wayland \
        SDL_AUDIODRIVER=dummy NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=1000000 \
        sh -c 'export WATCHDOG_PID=$$; exec "$@"' sh $AS cage -d -- \
        "$PLAYER" -c "${KCFG:-$K/signage.cfg}" --screen plaza --clock "$2" >>"$T/cage.log" 2>&1 &
    cpid=$!
}
shot() { env XDG_RUNTIME_DIR="$RT" WAYLAND_DISPLAY=wayland-0 $AS grim - >"$1" && [ -s "$1" ]; }
# gone PID: the process has ended (a zombie waiting for its reaper counts)
gone() { _s=$(ps -o stat= -p "$1" 2>/dev/null); [ -z "$_s" ] || [ "${_s#Z}" != "$_s" ]; }
size_of() { identify -format '%wx%h' "$1"; }
# differs FILE: how many pixels differ from the picture by more than 10%
differs() { compare -metric AE -fuzz 10% "$1" "$T/ref.png" null: 2>&1 | cut -d' ' -f1; }
pix() { convert "$1" -format "%[fx:int(255*p{$2,$3}.r)] %[fx:int(255*p{$2,$3}.g)] %[fx:int(255*p{$2,$3}.b)]" info:; }
# near "R G B" R G B: each channel within 24
near() {
    set -- $1 "$2" "$3" "$4"
    [ $(( ($1-$4)*($1-$4) < 576 && ($2-$5)*($2-$5) < 576 && ($3-$6)*($3-$6) < 576 )) = 1 ]
}
player_pid() { pgrep -P "$cpid" -x signage-player; }
ready_count() { grep -c ' READY=1$' "$T/msgs"; }

# --- plugged in --------------------------------------------------------------
kiosk 1 2023-03-15T10:00:00+09:00
check "READY=1 reaches NOTIFY_SOCKET through cage" wait_until 15 grep -q ' READY=1$' "$T/msgs"
ppid_=$(player_pid)
check "the player runs as cage's child" [ -n "$ppid_" ]
check "READY=1 is sent by the player, not by cage" \
    sh -c "grep ' READY=1\$' '$T/msgs' | head -1 | grep -q '^${ppid_:-x} '"
sleep 1.6
n=$(grep -c "^${ppid_:-x} WATCHDOG=1\$" "$T/msgs")
check "the player pings the watchdog under cage, WATCHDOG_PID being cage's ($n pings)" [ "$n" -ge 2 ]
check "grim takes a screenshot of cage's output" shot "$T/on.png"
check "the screenshot is the output's size (1024x768)" [ "$(size_of "$T/on.png")" = 1024x768 ]
d=$(differs "$T/on.png")
check_range "the due item fills the output, upright: pixels unlike it" "${d:-999999}" 0 2000
check "top left is the picture's red, not black" near "$(pix "$T/on.png" 5 5)" 255 0 0
check "bottom right is the picture's blue" near "$(pix "$T/on.png" 1018 762)" 0 0 255

# --- unplugged: cage ends, and the player with it ------------------------------
# (cage 0.1.4 then aborts in its shutdown without waiting for the player;
# under systemd the unit's stop would end the player, here it must go alone)
kill -TERM $cpid
check "cage ends within 5 s once its output is gone" wait_until 5 gone $cpid
wait $cpid 2>/dev/null
check "the player leaves within 5 s when its compositor is gone" wait_until 5 gone "${ppid_:-0}"
log=$S/log/plaza/play-2023-03-15.jsonl
check "its proof of play was written for the time it was on screen" \
    grep -q '"campaign":"kiosk".*"start":"2023-03-15T10:00:0.*"result":"cut"' "$log"
n1=$(grep -c ' WATCHDOG=1$' "$T/msgs"); sleep 1.2; n2=$(grep -c ' WATCHDOG=1$' "$T/msgs")
check "no watchdog pings once nothing is on screen ($n1 then $n2)" [ "$n1" -eq "$n2" ]

# the unit restarts while no monitor is there: the player says why and ends,
# so does cage, and Restart=always tries again (a black screen never pings)
r0=$(ready_count)
kiosk 0 2023-03-15T10:04:00+09:00
check "with no output at all cage and the player end at once" wait_until 10 gone $cpid
wait $cpid 2>/dev/null
check "the player says there is no display" grep -q 'did not add any displays' "$T/cage.log"
check "and never said READY=1" [ "$(ready_count)" -eq "$r0" ]

# --- plugged in again: the unit's restart shows the item --------------------------
kiosk 1 2023-03-15T10:05:00+09:00
check "READY=1 again after the replug" wait_until 15 sh -c "[ \$(grep -c ' READY=1\$' '$T/msgs') -gt $r0 ]"
ppid_=$(player_pid)
sleep 1
check "grim after the replug" shot "$T/again.png"
d=$(differs "$T/again.png")
check_range "the item is on screen again, whole and upright: pixels unlike it" "${d:-999999}" 0 2000
check "the player is alive and pinging" sh -c "kill -0 ${ppid_:-0} && grep -q '^${ppid_:-x} WATCHDOG=1\$' '$T/msgs'"
kill -TERM $cpid
wait_until 5 gone $cpid
wait $cpid 2>/dev/null
wait_until 5 gone "${ppid_:-0}"
check "proof of play goes on after the replug" \
    grep -q '"campaign":"kiosk".*"start":"2023-03-15T10:05:0' "$log"

# --- a picture of another shape than the output -----------------------------------
# The screen is 1920x1080, the output 1024x768: the picture is letterboxed
# from the very first frame.  (A window made at the picture's size showed
# its top-left corner, cropped, until cage's fullscreen size came: a
# garbled first second at every start and every replug.)
B=$T/big
mkdir -p "$B/state/spool"
cp "$T/ref.png" "$B/state/spool/upright.png"
cat >"$B/state/spool/kiosk.cfg" <<'CFG'
id = "kiosk"; title = "キオスク"; owner = "東京都";
start = "2023-03-01"; end = "2023-03-31"; screens = [ "*" ];
items = ( { type = "image"; file = "upright.png"; duration = 600; } );
CFG
cat >"$B/signage.cfg" <<CFG
state = "$B/state";
screens = ( { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; } );
CFG
"$SCHEDULER" -c "$B/signage.cfg" --once --now 2023-03-15T10:00:00+09:00 2>>"$T/sched.err"
[ -n "$AS" ] && chown -R 65534:65534 "$B"
lit() { [ "$(convert "$1" -format '%[fx:mean>0.05]' info: 2>/dev/null)" = 1 ]; }
first_lit() {
    _n=300
    while [ $_n -gt 0 ]; do
        shot "$1" 2>/dev/null && lit "$1" && return 0
        sleep 0.05
        _n=$((_n - 1))
    done
    return 1
}
KCFG=$B/signage.cfg kiosk 1 2023-03-15T10:06:00+09:00
check "the first frame of a 1920x1080 picture on a 1024x768 output is caught" first_lit "$T/first.png"
sleep 1.5
shot "$T/settled.png"
d=$(compare -metric AE -fuzz 10% "$T/first.png" "$T/settled.png" null: 2>&1 | cut -d' ' -f1)
check_range "the first frame is already the settled one, letterboxed: pixels unlike it" "${d:-999999}" 0 800
check "the settled frame has the picture's red at the centre's top half" near "$(pix "$T/settled.png" 512 300)" 255 0 0
check "and black bars above and below the 16:9 picture" near "$(pix "$T/settled.png" 512 20)" 0 0 0
kill -TERM $cpid
wait_until 5 gone $cpid
wait $cpid 2>/dev/null
kill $lpid $xpid 2>/dev/null
wait $lpid $xpid 2>/dev/null
exit 0
