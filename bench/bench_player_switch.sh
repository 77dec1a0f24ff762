#!/bin/sh
# bench_player_switch - signage-player across item switches, on a real X
# display (an Xvfb 1280x720x24 started here, black root window, so anything
# not covered by a picture is black), with peers measured in the same run:
#
#  1. black frames across switches: a loop of image / text / video slots of
#     1-2 s plays for BENCH_SWITCH_SECONDS (30) of real time while ffmpeg
#     x11grab records the screen at 30 fps through its blackframe filter
#     (a frame is black when >= 98% of its pixels have luma <= 32).  Peers:
#     the same detector on a synthetic clip with exactly one black frame per
#     cut (the detector works), and a naive player, one ffplay per item in
#     turn, recorded the same way (the detector sees real gaps on this
#     display).
#  2. frames at a switch against the others (--frame-log): the time from
#     the clock reading a frame is drawn for to the end of its present,
#     p50/p99 for switch frames and for the rest; presents per second per
#     kind of item (they happen only when the picture changes); how late
#     (clock time) each item's first frame is after its slot began.
#  3. first frame: process start to the first --frame-log line, for an image
#     slot and a video slot, median of 5; peers: ffplay -autoexit -t 0.1 on
#     the same file and display (start to exit), ffmpeg decoding 1 frame.
#  4. memory: --clock-rate 50 on 1 s slots for BENCH_SWITCH_MEM_SECONDS (60),
#     VmRSS sampled every 5 s; growth per 1000 switches.
#
# No thresholds: figures only.  Exits nonzero only if the player cannot run.
set -u
. "${SRCDIR:-.}/bench/steal.inc"
BUILD=${BUILD:-build}
SRCDIR=${SRCDIR:-.}
PLAYER=$BUILD/signage-player
SECS=${BENCH_SWITCH_SECONDS:-30}
MEMSECS=${BENCH_SWITCH_MEM_SECONDS:-60}
NAME=bench_player_switch
if [ ! -x "$PLAYER" ]; then
    echo "$NAME: $PLAYER not built"
    exit 1
fi
for c in ffmpeg python3 sha256sum; do
    command -v $c >/dev/null 2>&1 || { echo "$NAME: no $c; nothing measured"; exit 0; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || exit 1
XPID='' PPID_='' NPID=''
cleanup() {
    for p in $NPID $PPID_; do
        kill "$p" 2>/dev/null
    done
    [ -n "$XPID" ] && kill "$XPID" 2>/dev/null
    wait 2>/dev/null
    if [ -n "${KEEP:-}" ]; then
        echo "$NAME: kept $T"
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
S=$T/state
mkdir -p "$S/media" "$S/playlists"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# --- a display ---------------------------------------------------------
# Xvfb :N with N from 90..149 not in use (lock file or socket); a collision
# with another starter makes Xvfb exit, and the next N is tried.
DISP=
if command -v Xvfb >/dev/null 2>&1; then
    n=$(( $$ % 60 ))
    i=0
    while [ $i -lt 60 ] && [ -z "$DISP" ]; do
        d=$(( 90 + (n + i) % 60 ))
        i=$((i + 1))
        [ -e /tmp/.X$d-lock ] || [ -e /tmp/.X11-unix/X$d ] && continue
        Xvfb :$d -br -nolisten tcp -screen 0 1280x720x24 >"$T/xvfb.err" 2>&1 &
        XPID=$!
        k=0
        while [ $k -lt 50 ]; do
            kill -0 "$XPID" 2>/dev/null || break
            if [ -S /tmp/.X11-unix/X$d ]; then
                DISP=:$d
                break
            fi
            sleep 0.1
            k=$((k + 1))
        done
        if [ -z "$DISP" ]; then
            kill "$XPID" 2>/dev/null
            wait "$XPID" 2>/dev/null
            XPID=
        fi
    done
fi
GRAB=no
if [ -n "$DISP" ]; then
    export DISPLAY=$DISP
    unset SDL_VIDEODRIVER WAYLAND_DISPLAY
    sleep 0.3
    ffmpeg -hide_banner -devices 2>/dev/null | grep -q x11grab && GRAB=yes
    echo "display: Xvfb $DISP 1280x720x24 (no GPU: the player draws through Mesa's software GL)"
else
    export SDL_VIDEODRIVER=dummy
    echo "display: no Xvfb could be started; parts 1 and the ffplay peers cannot be measured," \
        "the rest runs on SDL's dummy driver"
fi
export SDL_AUDIODRIVER=dummy

# --- media and playlists -----------------------------------------------
# store FILE EXT: moves FILE into STATE/media under its sha256; prints "sha path".
store() {
    h=$(sha256sum "$1" | cut -d' ' -f1)
    cp "$1" "$S/media/$h.$2"
    echo "$h media/$h.$2"
}
ff -f lavfi -i smptehdbars=s=1280x720 -frames:v 1 "$T/a.png" &&
    ff -f lavfi -i testsrc=s=1280x720 -frames:v 1 "$T/b.png" &&
    ff -f lavfi -i testsrc2=s=1280x720:r=30:d=3 -c:v libx264 -preset veryfast -pix_fmt yuv420p \
        "$T/v1.mp4" &&
    ff -f lavfi -i rgbtestsrc=s=1280x720:r=30:d=1 -c:v libx264 -preset veryfast -pix_fmt yuv420p \
        "$T/v2.mp4" || { echo "$NAME: ffmpeg could not make the media"; exit 0; }
set -- $(store "$T/a.png" png); IA=$1 IAP=$2
set -- $(store "$T/b.png" png); IB=$1 IBP=$2
set -- $(store "$T/v1.mp4" mp4); V1=$1 V1P=$2
set -- $(store "$T/v2.mp4" mp4); V2=$1 V2P=$2

img() { # item dur sha path
    echo "{ campaign = \"sw\"; item = $1; type = \"image\"; duration = $2; media = \"$4\";" \
        "sha256 = \"$3\"; background = \"#ffc000\"; }"
}
vid() { # item dur sha path
    echo "{ campaign = \"sw\"; item = $1; type = \"video\"; duration = $2; media = \"$4\";" \
        "sha256 = \"$3\"; background = \"#ffc000\"; }"
}
txt() { # item dur text bg
    echo "{ campaign = \"sw\"; item = $1; type = \"text\"; duration = $2; text = \"$3\";" \
        "background = \"$4\"; color = \"#ffffff\"; }"
}
# playlist FILE SLOT...: one window over 2023-03-10 (JST), the slots its loop.
playlist() {
    f=$1
    shift
    loop=$(printf '%s,\n' "$@" | sed '$ s/,$//')
    cat >"$f" <<EOF
format = 1;
screen = "bench";
timezone = "Asia/Tokyo";
width = 1280; height = 720;
rotate = 0;
generation = 1L;
generated_at = "2023-03-10T00:00:00.000+09:00";
fallback = ( );
windows = ( { start = "2023-03-10T00:00:00.000+09:00"; end = "2023-03-11T00:00:00.000+09:00";
  priority = 50; loop = ( $loop ); } );
EOF
}
TXT1='高知県\n牧野博士の新休日'
TXT2='東京都と高知県の\n相互PR 2023'
# The switch loop: 8.5 s; v2 (1 s) is shorter than its slot and holds its last frame.
SW_SLOTS="0:1.5:image 1:1.0:text 2:2.0:video 3:1.0:image 4:1.5:text 5:1.5:video"
playlist "$S/playlists/sw.playlist" "$(img 0 1.500 "$IA" "$IAP")" \
    "$(txt 1 1.000 "$TXT1" '#1565c0')" \
    "$(vid 2 2.000 "$V1" "$V1P")" "$(img 3 1.000 "$IB" "$IBP")" \
    "$(txt 4 1.500 "$TXT2" '#2e7d32')" "$(vid 5 1.500 "$V2" "$V2P")"
playlist "$S/playlists/img.playlist" "$(img 0 60.000 "$IA" "$IAP")"
playlist "$S/playlists/vid.playlist" "$(vid 0 60.000 "$V1" "$V1P")"
playlist "$S/playlists/mem.playlist" "$(img 0 1.000 "$IA" "$IAP")" \
    "$(txt 1 1.000 "$TXT1" '#1565c0')" \
    "$(vid 2 1.000 "$V1" "$V1P")" "$(img 3 1.000 "$IB" "$IBP")" \
    "$(txt 4 1.000 "$TXT2" '#2e7d32')" "$(vid 5 1.000 "$V2" "$V2P")"
CLOCK=2023-03-10T12:00:00

# --- the analysis, in Python -------------------------------------------
cat >"$T/h.py" <<'PY'
import bisect, os, re, signal, statistics, subprocess, sys, time

def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100.0
    i = int(k)
    j = min(i + 1, len(xs) - 1)
    return xs[i] + (xs[j] - xs[i]) * (k - i)

def frames(path):
    out = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 4:
                out.append((int(p[0]), p[1], p[2] + "#" + p[3]))
    return out

def grabbed(path):
    rx = re.compile(r"frame:(\d+) pblack:(\d+) pts:\S+ t:([0-9.]+)")
    out = []
    with open(path) as f:
        for m in rx.finditer(f.read()):
            out.append((float(m.group(3)), int(m.group(2))))
    return out

def black_runs(g, thr=98):
    runs, cur = [], 0
    for _, pb in g:
        if pb >= thr:
            cur += 1
        elif cur:
            runs.append(cur)
            cur = 0
    if cur:
        runs.append(cur)
    return runs

def clock_s(iso):  # seconds of the day from "2023-03-10T12:00:01.234+09:00"
    hms = iso.split("T")[1][:12]
    h, m, s = hms.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)

def switch(flog, glog, offset, skip, slots, parts="12"):
    fr = frames(flog)
    g = grabbed(glog)
    if not fr:
        print("  part 1/2: no frame log; nothing measured")
        return
    mono = [x[0] for x in fr]
    sw = [i for i in range(1, len(fr)) if fr[i][2] != fr[i - 1][2]]
    # 1. black frames, in the span recorded, from a second after the first frame on
    if "1" not in parts:
        pass
    elif g:
        t0 = fr[0][0] / 1000.0 + offset + skip
        span = [x for x in g if x[0] >= t0]
        black = [x for x in span if x[1] >= 98]
        lo = (span[0][0] - offset) * 1000 if span else 0
        hi = (span[-1][0] - offset) * 1000 if span else 0
        nsw = sum(1 for i in sw if lo <= mono[i] <= hi)
        dur = (span[-1][0] - span[0][0]) if len(span) > 1 else 0
        print("  recorded %.1f s: %d frames grabbed (%.1f fps), %d item switches in that span"
              % (dur, len(span), len(span) / dur if dur else 0, nsw))
        print("  black frames seen (player): %d  (runs: %s)"
              % (len(black), black_runs(span) or "none"))
        iv = [mono[i] - mono[i - 1] for i in range(1, len(mono))]
        print("  (a presented frame stays on screen until the next present, here p50 %.0f ms"
              " later; 30 fps sampling catches one that stays 33 ms with chance ~100%%, one of"
              " %.0f ms ~%.0f%%; a systematic one would show over %d switches)"
              % (pct(iv, 50), min(iv, default=0), min(100, 100 * min(iv, default=0) / 33.3), nsw))
        darkest = max((x[1] for x in span), default=0)
        print("  darkest grabbed frame: %d%% of its pixels black" % darkest)
        for t, pb in black[:10]:
            m = (t - offset) * 1000
            k = bisect.bisect_right(mono, m) - 1
            if k < 0:
                print("    black at mono %.0f ms: before the first frame" % m)
                continue
            last = max([i for i in sw if i <= k], default=0)
            print("    black at mono %.0f ms: item %s on screen, %.0f ms after it came on"
                  % (m, fr[k][2], m - mono[last]))
    else:
        print("  black frames: screen not recorded (no x11grab); cannot be measured here")
    if "2" not in parts:
        return
    # 2. the cost of a frame: from the clock reading the frame is drawn for
    # to the end of its present (the frame log's monotonic ms is written
    # after the present; at --clock-rate 1 the two clocks differ by a
    # constant, taken as the smallest difference seen)
    print("2. frames at a switch against the others (a second run of the same loop, not"
          " recorded: the recorder's load is not the player's; from --frame-log)")
    lag = [mono[i] - clock_s(fr[i][1]) * 1000 for i in range(len(fr))]
    base = min(lag)
    cost = {i: lag[i] - base for i in range(len(fr)) if mono[i] - mono[0] >= skip * 1000}
    swset = set(sw)
    s_c = [v for i, v in cost.items() if i in swset]
    n_c = [v for i, v in cost.items() if i not in swset]
    fmt = "  clock reading to presented, %-16s n=%5d  p50 %5.1f ms  p99 %5.1f ms  max %4.0f ms"
    print(fmt % ("switch frames:", len(s_c), pct(s_c, 50), pct(s_c, 99), max(s_c, default=0)))
    print(fmt % ("other frames:", len(n_c), pct(n_c, 50), pct(n_c, 99), max(n_c, default=0)))
    if s_c and n_c and pct(n_c, 99) > 0:
        print("  ratio p99(switch)/p99(other): %.2f" % (pct(s_c, 99) / pct(n_c, 99)))
    kinds = {it: k for it, _, k in slots}
    for k in ("image", "text", "video"):
        c = [cost[i] for i in sw if i in cost and kinds.get(fr[i][2].split("#")[1]) == k]
        if c:
            print("  switch into a%s %-6s n=%3d  p50 %5.1f ms  max %4.0f ms"
                  % ("n" if k == "image" else "", k + ":", len(c), pct(c, 50), max(c)))
    # presents per second of each kind of item (video: its new frames; a
    # still picture: its switch)
    per = {}
    for a, b in zip(sw, sw[1:] + [len(fr)]):
        k = kinds.get(fr[a][2].split("#")[1])
        if k and b - 1 > a:
            n, secs = per.get(k, (0, 0.0))
            per[k] = (n + (b - a), secs + (mono[b - 1] - mono[a]) / 1000.0)
    print("  presents per second: " + ", ".join(
        "%s %.1f" % (k, n / t) for k, (n, t) in sorted(per.items()) if t > 0))
    # lateness: the clock time of an item's first frame after its slot began
    offs, acc = {}, 0.0
    for it, du, _ in slots:
        offs[it] = acc
        acc += du
    late = []
    for i in sw:
        it = fr[i][2].split("#")[1]
        if it not in offs:
            continue
        pos = clock_s(fr[i][1]) % acc
        lat = (pos - offs[it]) % acc
        late.append(lat * 1000)
    if late:
        print("  first frame of an item after its slot began (clock): p50 %.0f ms, max %.0f ms"
              " (n=%d)" % (pct(late, 50), max(late), len(late)))
    seq = [fr[i][2].split("#")[1] for i in sw]
    exp = [it for it, _, _ in slots]
    bad = 0
    for a, b in zip(seq, seq[1:]):
        if exp[(exp.index(a) + 1) % len(exp)] != b:
            bad += 1
    print("  switches out of loop order (an item never shown): %d" % bad)

def detector(glog, cuts):
    g = grabbed(glog)
    runs = black_runs(g)
    print("  detector check: synthetic clip with %d one-frame black cuts: %d black frames"
          " found in %d runs -> %s" % (cuts, sum(runs), len(runs),
                                      "detector OK" if sum(runs) == cuts == len(runs)
                                      else "DETECTOR MISCOUNTS"))

def naive(glog, launches, skip):
    g = grabbed(glog)
    if not g:
        print("  naive peer: not recorded")
        return
    t0 = g[0][0] + skip
    span = [x for x in g if x[0] >= t0]
    runs = black_runs(span)
    print("  naive peer (one ffplay per item): %d items started, %d black frames in %d runs"
          " over %.1f s" % (launches, sum(runs), len(runs),
                           span[-1][0] - span[0][0] if len(span) > 1 else 0))

def first_frame(argv, flog, deadline=10.0):
    if os.path.exists(flog):
        os.unlink(flog)
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    ms = None
    while time.monotonic() - t0 < deadline and p.poll() is None:
        try:
            with open(flog) as f:
                line = f.readline()
            if line.endswith("\n"):
                ms = int(line.split()[0]) - t0 * 1000
                break
        except OSError:
            pass
        time.sleep(0.002)
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return ms

def to_exit(argv, deadline=15.0):
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        rc = p.wait(deadline)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None
    return (time.monotonic() - t0) * 1000 if rc == 0 else None

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None

def first(player, state, clock, tmp, img, vid, have_display, runs=5):
    res = {}
    for kind in ("image", "video"):
        pl = "%s/playlists/%s.playlist" % (state, "img" if kind == "image" else "vid")
        fl = "%s/first.log" % tmp
        argv = [player, "--playlist", pl, "--clock", clock, "--frame-log", fl]
        res[kind] = [first_frame(argv, fl) for _ in range(runs)]
    peers = {}
    if have_display:
        peers["ffplay -autoexit -t 0.1 (video, to exit)"] = [
            to_exit(["ffplay", "-hide_banner", "-loglevel", "error", "-an", "-autoexit", "-fs",
                     "-t", "0.1", vid]) for _ in range(runs)]
        peers["ffplay -autoexit -t 0.1 (image, to exit)"] = [
            to_exit(["ffplay", "-hide_banner", "-loglevel", "error", "-an", "-autoexit", "-fs",
                     "-t", "0.1", img]) for _ in range(runs)]
    peers["ffmpeg -frames:v 1 -f null (video)"] = [
        to_exit(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", vid, "-frames:v", "1", "-f",
                 "null", "-"]) for _ in range(runs)]
    def show(label, xs):
        m = med(xs)
        ok = sum(1 for x in xs if x is not None)
        if m is None:
            print("  %-44s not measured (did not run)" % label)
        else:
            print("  %-44s median %6.0f ms  (runs: %s)" % (label, m,
                  " ".join("%.0f" % x if x is not None else "-" for x in xs)))
        return m
    pm = {k: show("player, %s slot, start to first frame:" % k, res[k]) for k in res}
    qm = {k: show(k + ":", v) for k, v in peers.items()}
    for pk, pv in pm.items():
        for qk, qv in qm.items():
            if pv is not None and qv:
                want = "video" if "(video" in qk else "image"
                if want == pk:
                    print("  ratio player %s / %s: %.2f" % (pk, qk.split(" (")[0], pv / qv))
    return 0 if all(v is not None for v in pm.values()) else 1

def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None

def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0

def poplines(logdir):
    """(items shown: played or cut, items skipped or in error) so far."""
    shown = other = 0
    try:
        for n in os.listdir(logdir):
            with open(os.path.join(logdir, n), "rb") as f:
                for line in f:
                    if b'"result":"played"' in line or b'"result":"cut"' in line:
                        shown += 1
                    else:
                        other += 1
    except OSError:
        pass
    return shown, other

def fl_switches(path):
    n, prev = 0, None
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) != 4:
                    continue
                key = (p[2], p[3])
                if prev is not None and key != prev:
                    n += 1
                prev = key
    except OSError:
        pass
    return n

def mem(player, state, clock, tmp, secs, every=5.0):
    fl = "%s/mem.frames" % tmp
    logdir = "%s/log" % state
    p = subprocess.Popen([player, "--playlist", "%s/playlists/mem.playlist" % state, "--clock",
                          clock, "--clock-rate", "50", "--frame-log", fl],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=open("%s/mem.err" % tmp, "w"))
    t0 = time.monotonic()
    rows = []
    k = 1
    while time.monotonic() - t0 < secs and p.poll() is None:
        time.sleep(max(0.0, t0 + k * every - time.monotonic()))
        k += 1
        r = rss_kb(p.pid)
        if r is None:
            break
        sh, ot = poplines(logdir)
        rows.append((time.monotonic() - t0, r, sh, ot, fl_switches(fl)))
    alive = p.poll() is None
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    if not rows:
        print("  memory: the player did not run (exit %s); not measured" % rc)
        return 1
    print("  samples (s: VmRSS KiB / items shown / items skipped, from the proof-of-play log):")
    for i in range(0, len(rows), 6):
        print("   " + "  ".join("%.0f: %d/%d/%d" % r[:4] for r in rows[i:i + 6]))
    a, b = rows[0], rows[-1]
    print("  RSS after %.0f s: %d KiB; at the end (%.0f s): %d KiB; peak %d KiB"
          % (a[0], a[1], b[0], b[1], max(r[1] for r in rows)))
    n = b[2] - a[2]
    print("  between them: %d items came on screen (%d switches in the frame log), %d more"
          " were prepared and skipped as not ready in time" % (n, b[4] - a[4], b[3] - a[3]))
    if n > 0:
        print("  growth per 1000 switches (items shown): %+.0f KiB; per 1000 items prepared"
              " (shown + skipped): %+.0f KiB" % ((b[1] - a[1]) * 1000.0 / n,
                                                   (b[1] - a[1]) * 1000.0 / (n + b[3] - a[3])))
    if len(rows) >= 4 and n > 0:
        # least squares over every sample: less at the mercy of one noisy sample
        xs = [r[2] for r in rows[1:]]  # from the second sample: past the warm-up
        ys = [r[1] for r in rows[1:]]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        if sxx > 0:
            k = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
            print("  least-squares slope over the %d samples from %.0f s: %+.0f KiB per 1000"
                  " switches; those samples spread %d KiB (max - min)"
                  % (len(xs), rows[1][0], k * 1000, max(ys) - min(ys)))
    if not alive:
        print("  NOTE: the player exited by itself (status %s) before the end" % rc)
    print("  player exit status on SIGTERM: %s" % rc)
    return 0

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "offset":
        print("%.6f" % (time.clock_gettime(time.CLOCK_REALTIME) -
                        time.clock_gettime(time.CLOCK_MONOTONIC)))
    elif cmd == "switch":
        slots = [tuple(s.split(":")) for s in sys.argv[6].split()]
        switch(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]),
               [(a, float(b), c) for a, b, c in slots], sys.argv[7] if len(sys.argv) > 7 else "12")
    elif cmd == "detector":
        detector(sys.argv[2], int(sys.argv[3]))
    elif cmd == "naive":
        naive(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "first":
        sys.exit(first(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6],
                       sys.argv[7], sys.argv[8] == "yes"))
    elif cmd == "mem":
        sys.exit(mem(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], float(sys.argv[6])))
PY
PY="python3 $T/h.py"
# grab SECONDS OUT: records the display through blackframe (every frame's
# black share logged, wall-clock timestamps kept).
grab() {
    ffmpeg -nostdin -hide_banner -loglevel info -f x11grab -framerate 30 -video_size 1280x720 \
        -t "$1" -i "$DISP" -copyts -vf blackframe=amount=0:threshold=32 -f null - 2>"$2"
}
# waitline FILE SECS: until FILE has a complete line.
waitline() {
    k=0
    while [ $k -lt $(($2 * 20)) ]; do
        [ -s "$1" ] && [ "$(head -n 1 "$1" | wc -l)" = 1 ] && return 0
        sleep 0.05
        k=$((k + 1))
    done
    return 1
}

rc=0
# --- 1 and 2: switches on screen ---------------------------------------
echo "1. black frames across item switches (loop: image 1.5 s, text 1 s, video 2 s, image 1 s," \
    "text 1.5 s, 1 s video in a 1.5 s slot)"
"$PLAYER" --playlist "$S/playlists/sw.playlist" --clock "$CLOCK" --frame-log "$T/sw.frames" \
    2>"$T/sw.err" &
PPID_=$!
if ! waitline "$T/sw.frames" 10; then
    echo "  the player did not present a frame within 10 s; its messages:"
    sed 's/^/    /' "$T/sw.err" | tail -5
    exit 1
fi
OFFSET=$($PY offset)
if [ "$GRAB" = yes ]; then
    grab "$((SECS + 1))" "$T/sw.grab"
else
    sleep "$SECS"
    : >"$T/sw.grab"
    echo "  (no X display with x11grab: black frames cannot be measured here)"
fi
RSS1=$(sed -n 's/^VmRSS:[[:space:]]*//p' "/proc/$PPID_/status" 2>/dev/null)
kill -TERM "$PPID_" 2>/dev/null
wait "$PPID_"
prc=$?
PPID_=
$PY switch "$T/sw.frames" "$T/sw.grab" "$OFFSET" 1 "$SW_SLOTS" 1
# part 2: the same loop again, with nothing else running
steal_start
"$PLAYER" --playlist "$S/playlists/sw.playlist" --clock "$CLOCK" --frame-log "$T/sw2.frames" \
    2>"$T/sw2.err" &
PPID_=$!
sleep "$((2 * SECS + 1))" # twice as long: p99 over some 140 switches, not 20
kill -TERM "$PPID_" 2>/dev/null
wait "$PPID_"
PPID_=
$PY switch "$T/sw2.frames" /dev/null "$OFFSET" 1 "$SW_SLOTS" 2
steal_report "  "
nw=$(grep -c 'late\|not ready\|skipped' "$T/sw.err")
echo "  player: VmRSS ${RSS1:-?} at the end; exit $prc on SIGTERM;" \
    "$nw warnings of late or skipped items"
grep 'late\|not ready\|skipped' "$T/sw.err" | head -3 | sed 's/^/    /'

# Peer: the detector on a synthetic clip, 1 s of colour, one black frame,
# and so on: CUTS black frames exactly.
CUTS=10
ff -f lavfi -i "testsrc2=s=640x360:r=30:d=$((CUTS + 1))" \
    -vf "drawbox=c=black:t=fill:enable='eq(mod(n\,30)\,29)*lt(n\,$((CUTS * 30)))'" \
    -c:v libx264 -preset ultrafast -qp 0 -pix_fmt yuv444p "$T/cuts.mp4"
ffmpeg -nostdin -hide_banner -loglevel info -i "$T/cuts.mp4" \
    -vf blackframe=amount=0:threshold=32 -f null - 2>"$T/cuts.grab"
$PY detector "$T/cuts.grab" "$CUTS"

# Peer: a naive player, one ffplay per item (the same pictures: the text
# slides as the player's own screenshots), recorded the same way.
if [ "$GRAB" = yes ] && command -v ffplay >/dev/null 2>&1; then
    for it in 1 4; do
        "$PLAYER" --playlist "$S/playlists/sw.playlist" --out "$T/t$it.png" \
            --screenshot-at "2023-03-10T00:00:0$([ $it = 1 ] && echo 2 || echo 6)" 2>/dev/null
    done
    clip() {
        ff -loop 1 -i "$1" -t "$2" -r 30 -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$3"
    }
    clip "$T/a.png" 1.5 "$T/n0.mp4" && clip "$T/t1.png" 1 "$T/n1.mp4" &&
        ff -i "$T/v1.mp4" -t 2 -c copy "$T/n2.mp4" && clip "$T/b.png" 1 "$T/n3.mp4" &&
        clip "$T/t4.png" 1.5 "$T/n4.mp4" && cp "$T/v2.mp4" "$T/n5.mp4"
    NSECS=10
    (
        end=$(( $(date +%s) + NSECS + 1 ))
        n=0
        while [ "$(date +%s)" -lt $end ]; do
            ffplay -hide_banner -loglevel error -an -autoexit -fs "$T/n$((n % 6)).mp4" </dev/null \
                >/dev/null 2>&1
            n=$((n + 1))
            echo $n >"$T/naive.n"
        done
    ) &
    NPID=$!
    sleep 1
    grab "$NSECS" "$T/naive.grab"
    wait "$NPID"
    NPID=
    $PY naive "$T/naive.grab" "$(cat "$T/naive.n" 2>/dev/null || echo 0)" 0.5
else
    echo "  naive peer: no X display or no ffplay; not measured"
fi

# --- 3: first frame ----------------------------------------------------
echo "3. first frame (median of 5; the peers' times are to their exit)"
HAVE=no
[ -n "$DISP" ] && command -v ffplay >/dev/null 2>&1 && HAVE=yes
$PY first "$PLAYER" "$S" "$CLOCK" "$T" "$T/a.png" "$T/v1.mp4" "$HAVE" || rc=1

# --- 4: memory ---------------------------------------------------------
echo "4. memory across switches (--clock-rate 50, 1 s slots: 50 switches a second," \
    "$MEMSECS s real time)"
rm -rf "$S/log"
$PY mem "$PLAYER" "$S" "$CLOCK" "$T" "$MEMSECS" || rc=1
n=$(grep -c 'late\|not ready\|skipped' "$T/mem.err")
echo "  player warnings of late or skipped items: $n"
exit $rc
