#!/bin/sh
# bench_player_video - signage-player playing a 1080p30 H.264 clip against
# ffplay on the same file and the same display (Xvfb 1920x1080, no GPU:
# both draw through Mesa's software GL), measured the same way, alternately,
# BENCH_PLAYER_ROUNDS (2) rounds of BENCH_PLAYER_SECONDS (10) each.
#
# What the display showed is read off the display itself: every frame of
# the clip carries its number in a strip of 12 black/white blocks at the top
# left, and ffmpeg's x11grab samples a 768x2 strip of the screen 120 times a
# second.  From that, for both players alike:
#   - frames shown: distinct frame numbers seen on the display;
#   - frames skipped: numbers jumped over; out of order: numbers going back
#     (both counted from 1 s after the first frame to the clip's last);
#   - display interval: time between changes of the number on the display,
#     p50 / p99 / max (the clip changes every 33.3 ms; sampling adds up to
#     8.3 ms of jitter to both);
#   - CPU: utime + stime of the player's whole process (its decode and
#     render threads, and Mesa's), from 2 s after start to the end;
#   - peak RSS: the process's VmHWM just before it is stopped.
# No thresholds: figures and ratios only.
set -u
. "${SRCDIR:-.}/bench/steal.inc"
. "${SRCDIR:-.}/bench/xvfb.inc"
BUILD=${BUILD:-build}
PLAYER=$BUILD/signage-player
SECS=${BENCH_PLAYER_SECONDS:-10}
ROUNDS=${BENCH_PLAYER_ROUNDS:-2}
NAME=bench_player_video
if [ ! -x "$PLAYER" ]; then
    echo "$NAME: $PLAYER not built; skipped"
    exit 0
fi
for c in Xvfb ffplay ffmpeg python3; do
    command -v $c >/dev/null 2>&1 || { echo "$NAME: no $c; skipped"; exit 0; }
done
ffmpeg -hide_banner -devices 2>/dev/null | grep -q x11grab ||
    { echo "$NAME: ffmpeg has no x11grab; skipped"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || exit 1
XPID=
cleanup() {
    [ -n "$XPID" ] && kill "$XPID" 2>/dev/null
    if [ -n "${KEEP:-}" ]; then echo "$NAME: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
S=$T/state
mkdir -p "$S/media" "$S/playlists"

# the clip: testsrc2 with the frame number in binary, 64x64 blocks from the left
ffmpeg -nostdin -v error -y \
    -f lavfi -i "color=black:s=768x64:r=30:d=$SECS,format=gray,geq=lum='255*mod(floor(N/pow(2\,floor(X/64)))\,2)'" \
    -f lavfi -i "testsrc2=size=1920x1080:rate=30:d=$SECS" \
    -filter_complex "[1][0]overlay=0:0:shortest=1,format=yuv420p" \
    -c:v libx264 -preset veryfast "$T/clip.mp4" || exit 1
H=$(sha256sum "$T/clip.mp4" | cut -d' ' -f1)
cp "$T/clip.mp4" "$S/media/$H.mp4"
DUR=$((SECS + 30))
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
  { campaign = "bench"; item = 0; type = "video"; duration = $DUR.000;
    media = "media/$H.mp4"; sha256 = "$H"; background = "#000000"; }
  ); } );
EOF

xvfb_start || exit 1

cat >"$T/run.py" <<'PY'
import os, signal, statistics, subprocess, sys, time

disp, tmp, secs, rounds = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
players = {
    "signage-player": [sys.argv[5], "--playlist", tmp + "/state/playlists/b.playlist",
                       "--clock", "2023-03-10T12:00:00+09:00"],
    "ffplay": ["ffplay", "-fs", "-an", "-autoexit", "-loglevel", "error", tmp + "/clip.mp4"],
}
TCK = os.sysconf("SC_CLK_TCK")
W = 768

def cpu(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TCK

def peak_rss_mb(pid):
    """VmHWM: the most resident memory the process had, in MB."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None

def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100.0
    i = int(k)
    j = min(i + 1, len(xs) - 1)
    return xs[i] + (xs[j] - xs[i]) * (k - i)

def one(name, argv, k):
    raw, info = "%s/grab-%s-%d.raw" % (tmp, name, k), "%s/grab-%s-%d.txt" % (tmp, name, k)
    grab = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "info", "-y", "-f", "x11grab",
         "-framerate", "120", "-video_size", "%dx2" % W, "-i", "%s+0,31" % disp,
         "-vf", "format=gray,showinfo", "-fps_mode", "passthrough", "-f", "rawvideo", raw],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(info, "w"))
    time.sleep(0.5)
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=open("%s/%s-%d.err" % (tmp, name, k), "w"))
    time.sleep(2.0)
    c0 = cpu(p.pid)
    t0 = time.monotonic()
    time.sleep(max(secs - 2.5, 1.0))
    c1 = cpu(p.pid)
    t1 = time.monotonic()
    rss = peak_rss_mb(p.pid)
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    time.sleep(0.3)
    grab.send_signal(signal.SIGINT)
    grab.wait(10)
    # samples: (grab time s, frame number)
    times = []
    with open(info) as f:
        for line in f:
            if "Parsed_showinfo" in line and " pts_time:" in line:
                times.append(float(line.split(" pts_time:")[1].split()[0]))
    with open(raw, "rb") as f:
        data = f.read()
    n = min(len(times), len(data) // (2 * W))
    samples = []
    for i in range(n):
        row = data[i * 2 * W + W:i * 2 * W + 2 * W]  # the second line (y = 32)
        code = sum(1 << b for b in range(12) if row[32 + 64 * b] > 128)
        samples.append((times[i], code))
    # the steady part: from the first change after 1 s of playing to the clip's end
    ch = [i for i in range(1, len(samples)) if samples[i][1] != samples[i - 1][1]]
    if len(ch) < 10:
        return None
    start = samples[ch[0]][0] + 1.0
    # ...and up to the clip's last frame (after it, the player holds it and
    # ffplay exits: neither is playing any more)
    top = max(c for _, c in samples)
    end = min(i for i in ch if samples[i][1] == top)
    chs = [i for i in ch if start <= samples[i][0] and i <= end]
    seen, skipped, back, iv = set(), 0, 0, []
    for a, b in zip(chs, chs[1:]):
        iv.append((samples[b][0] - samples[a][0]) * 1000)
    for i in chs:
        old, new = samples[i - 1][1], samples[i][1]
        seen.add(new)
        if new > old + 1:
            skipped += new - old - 1
        elif new < old:
            back += 1
    span = samples[chs[-1]][0] - samples[chs[0]][0] if chs else 0
    return {
        "cpu": (c1 - c0) / (t1 - t0) if c0 is not None and c1 is not None else None,
        "rss": rss,
        "shown": len(seen), "skipped": skipped, "back": back, "span": span,
        "fps": (len(chs) - 1) / span if span else 0,
        "p50": pct(iv, 50), "p99": pct(iv, 99), "max": max(iv) if iv else 0,
        "rate": n / (samples[-1][0] - samples[0][0]) if n > 1 else 0,
    }

res = {name: [] for name in players}
for k in range(rounds):
    for name, argv in players.items():
        r = one(name, argv, k)
        res[name].append(r)
        if r is None:
            print("  %s round %d: the display showed no playing video" % (name, k + 1))
        else:
            print("  %-15s round %d: CPU %.2f cores, peak RSS %.0f MB, %d frames shown in %.1f s "
                  "(%.1f fps), %d skipped, %d out of order, display interval p50 %.1f p99 %.1f "
                  "max %.0f ms (display sampled at %.0f Hz)"
                  % (name, k + 1, r["cpu"] or -1, r["rss"] or -1, r["shown"], r["span"], r["fps"],
                     r["skipped"],
                     r["back"], r["p50"], r["p99"], r["max"], r["rate"]))

def median(name, key):
    xs = [r[key] for r in res[name] if r and r[key] is not None]
    return statistics.median(xs) if xs else None

a, b = "signage-player", "ffplay"
print("medians over %d rounds (the display's view, %g s each):" % (rounds, secs))
for key, label in (("cpu", "CPU (cores)"), ("rss", "peak RSS (MB)"),
                   ("fps", "frames shown per second"),
                   ("skipped", "frames skipped"), ("p99", "display interval p99 (ms)"),
                   ("max", "display interval max (ms)")):
    x, y = median(a, key), median(b, key)
    if x is None or y is None:
        print("  %-28s not measured" % label)
        continue
    ratio = " ratio %.2f" % (x / y) if y else ""
    print("  %-28s player %8.2f  ffplay %8.2f %s" % (label, x, y, ratio))
sys.exit(0 if all(res[a]) else 1)
PY
echo "display: Xvfb :$d 1920x1080x24; clip: $SECS s of 1080p30 H.264 with its frame number in the picture"
steal_start
python3 "$T/run.py" ":$d" "$T" "$SECS" "$ROUNDS" "$PLAYER"
rc=$?
steal_report ""
exit $rc
