#!/bin/sh
# bench_player_still - what a still slide costs: one 1920x1080 picture on
# screen for BENCH_STILL_SECONDS (10) of real time, on a real X display (an
# Xvfb started here), measured from the third second on:
#
#  - CPU: utime + stime of the whole process, in cores;
#  - wake-ups: voluntary context switches of the main thread per second (each
#    sleep that ends is one; a loop ticking at 60 Hz makes about 60);
#  - presents per second (signage-player's --frame-log).
#
# Peers in the same run: ffplay showing the same PNG, and, when
# BENCH_PLAYER_BASE names another signage-player (an older build), that one.
# No thresholds: figures and ratios only.
set -u
. "${SRCDIR:-.}/bench/steal.inc"
. "${SRCDIR:-.}/bench/xvfb.inc"
BUILD=${BUILD:-build}
PLAYER=$BUILD/signage-player
SECS=${BENCH_STILL_SECONDS:-10}
NAME=bench_player_still
[ -x "$PLAYER" ] || { echo "$NAME: $PLAYER not built"; exit 1; }
for c in ffmpeg ffplay python3 sha256sum Xvfb; do
    command -v $c >/dev/null 2>&1 || { echo "$NAME: no $c; nothing measured"; exit 0; }
done
T=$(mktemp -d)
XPID=
cleanup() {
    [ -n "$XPID" ] && kill "$XPID" 2>/dev/null
    if [ -n "${KEEP:-}" ]; then echo "$NAME: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
S=$T/state
mkdir -p "$S/media" "$S/playlists"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:d=1" -frames:v 1 \
    "$T/still.png" || exit 1
H=$(sha256sum "$T/still.png" | cut -d' ' -f1)
cp "$T/still.png" "$S/media/$H.png"
cat >"$S/playlists/b.playlist" <<EOF
format = 1;
screen = "b";
timezone = "Asia/Tokyo";
width = 1920; height = 1080;
rotate = 0;
generation = 1L;
generated_at = "2023-03-10T00:00:00.000+09:00";
fallback = ( );
windows = ( { start = "2023-03-10T12:00:00.000+09:00"; end = "2023-03-10T13:00:00.000+09:00";
  priority = 50; loop = (
  { campaign = "bench"; item = 0; type = "image"; duration = 600.000;
    media = "media/$H.png"; sha256 = "$H"; background = "#000000"; }
  ); } );
EOF

xvfb_start || exit 1

cat >"$T/run.py" <<'PY'
import os, signal, subprocess, sys, time

tmp, secs, player, base = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
TCK = os.sysconf("SC_CLK_TCK")

def sp(path, flog):
    return [path, "--playlist", tmp + "/state/playlists/b.playlist",
            "--clock", "2023-03-10T12:00:00+09:00", "--frame-log", flog]

runs = [("signage-player", sp(player, tmp + "/f-new.log"), tmp + "/f-new.log")]
if base:
    runs.append(("signage-player (base)", sp(base, tmp + "/f-base.log"), tmp + "/f-base.log"))
runs.append(("ffplay", ["ffplay", "-fs", "-an", "-loglevel", "error", tmp + "/still.png"], None))

def cpu(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TCK

def wakeups(pid):
    try:
        with open("/proc/%d/task/%d/status" % (pid, pid)) as f:
            for line in f:
                if line.startswith("voluntary_ctxt_switches:"):
                    return int(line.split()[1])
    except OSError:
        return None

def presents(flog, t0, t1):
    if not flog or not os.path.exists(flog):
        return None
    n = 0
    with open(flog) as f:
        for line in f:
            ms = int(line.split()[0]) / 1000.0
            n += t0 <= ms <= t1
    return n

res = {}
for name, argv, flog in runs:
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=open(tmp + "/err.log", "a"))
    time.sleep(2.5)
    c0, w0, t0 = cpu(p.pid), wakeups(p.pid), time.monotonic()
    time.sleep(secs - 2.5)
    c1, w1, t1 = cpu(p.pid), wakeups(p.pid), time.monotonic()
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    if None in (c0, c1, w0, w1):
        print("  %-22s did not run" % name)
        continue
    span = t1 - t0
    n = presents(flog, t0, t1)
    res[name] = ((c1 - c0) / span, (w1 - w0) / span)
    print("  %-22s CPU %.4f cores, %6.1f wake-ups/s%s" % (
        name, res[name][0], res[name][1],
        ", %.1f presents/s" % (n / span) if n is not None else ""))
a = res.get("signage-player")
for peer in ("signage-player (base)", "ffplay"):
    b = res.get(peer)
    if a and b:
        print("  signage-player / %s: CPU %s, wake-ups %s" % (
            peer, "%.2f" % (a[0] / b[0]) if b[0] > 0 else "n/a",
            "%.2f" % (a[1] / b[1]) if b[1] > 0 else "n/a"))
PY
steal_start
python3 "$T/run.py" "$T" "$SECS" "$PLAYER" "${BENCH_PLAYER_BASE:-}" || exit 1
steal_report "  "
