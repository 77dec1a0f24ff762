#!/bin/sh
# 1,000 boxes on one nginx (issue 15): the load of the network form, where a
# central signage-scheduler publishes and every box pulls over HTTP.
#
# A real central state (gen_network.py, LOAD_BOXES x 2 screens, the real
# scheduler), a stock nginx on 127.0.0.1 with a generated config (read-only
# /state/, WebDAV PUT /upload/), and bench/sim_boxes (libcurl multi) as the
# boxes, polling every LOAD_INTERVAL s (+-20 %) instead of 60 s so the
# server sees the load of many more boxes.  Phases: cold start; LOAD_IDLE s
# of conditional polls (304s); a campaign with a LOAD_VIDEO_MB MB video
# published for every screen by the scheduler, until every box has it; one
# LOAD_PART_BYTES proof-of-play PUT per screen; then the peers in the same
# run: LOAD_IDLE s of unconditional GETs (a box that re-downloads every
# poll), and wrk on one playlist (200 and 304) as nginx's ceiling.
# Prints the per-box cost per day and a paper estimate for 100,000 boxes.
#
#   sh bench/bench_sync.sh        (or through make bench)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SRCDIR=${SRCDIR:-$top}
BUILD=${BUILD:-$top/build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
BOXES=${LOAD_BOXES:-1000}
PER_BOX=2
INTERVAL=${LOAD_INTERVAL:-1}
IDLE=${LOAD_IDLE:-30}
VIDEO_MB=${LOAD_VIDEO_MB:-5}
PART=${LOAD_PART_BYTES:-5120}
CAMPAIGNS=${LOAD_CAMPAIGNS:-2000}
WORKERS=${LOAD_WORKERS:-1}
NOW=2023-06-15T10:00:00+09:00
MARKER=launch-2026

for c in nginx wrk ffmpeg python3; do
    command -v $c >/dev/null 2>&1 || [ -x /usr/sbin/$c ] || {
        echo "bench_sync: needs $c (Debian: nginx wrk ffmpeg python3; make deps)"
        exit 1
    }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$BUILD/signage-scheduler" ] || [ ! -x "$BUILD/bench/sim_boxes" ]; then
    make -C "$SRCDIR" --no-print-directory BUILD="$BUILD" "$BUILD/signage-scheduler" \
        "$BUILD/bench/sim_boxes" >/dev/null || exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/signage-load.XXXXXX") || exit 1
ngx= sim=
cleanup() {
    [ -n "$sim" ] && kill "$sim" 2>/dev/null
    if [ -n "$ngx" ]; then
        kill -TERM "$ngx" 2>/dev/null
        wait "$ngx" 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

echo "machine before: $(uptime | sed 's/^ *//'); $(nproc) cores"
S=$T/state
mkdir -p "$S/spool/m" "$T/upload" "$T/tmp" "$T/logs"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=s=640x360 -frames:v 1 "$S/spool/m/a.png"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i color=c=navy:s=640x360 -frames:v 1 "$S/spool/m/b.jpg"
python3 "$SRCDIR/bench/gen_network.py" $((BOXES * PER_BOX)) "$CAMPAIGNS" "$T" "$S" || exit 1
SCHED="$BUILD/signage-scheduler -c $T/signage.cfg"
$SCHED --once --now $NOW 2>"$T/once.log"
grep -q 'published:' "$T/once.log" || { echo "scheduler failed:"; tail -5 "$T/once.log"; exit 1; }
# The new campaign's video, about VIDEO_MB MB (noise keeps the bit rate).
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
    -i "testsrc2=s=1280x720:r=25,noise=alls=20:allf=t" -t 10 -c:v libx264 -preset ultrafast \
    -b:v $((VIDEO_MB * 800))k -minrate $((VIDEO_MB * 800))k -maxrate $((VIDEO_MB * 800))k \
    -bufsize $((VIDEO_MB * 1600))k -x264-params nal-hrd=cbr -pix_fmt yuv420p -movflags +faststart \
    "$T/launch.mp4" || exit 1
npl=$(ls "$S/playlists" | grep -c '\.playlist$')
plb=$(find "$S/playlists" -name '*.playlist' -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s / NR }')
echo "central state: $npl playlists ($BOXES boxes x $PER_BOX screens, $CAMPAIGNS campaigns), mean $plb bytes;" \
    "media: $(ls "$S/media" | tr '\n' ' ')"

# nginx: own prefix, pid, logs and temp paths; workers as nobody when root.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user=
if [ "$(id -u)" = 0 ]; then
    user="user nobody nogroup;"
    chmod 755 "$T"
    chown nobody:nogroup "$T/upload"
fi
cat >"$T/nginx.conf" <<EOF
$user
worker_processes $WORKERS;
worker_rlimit_nofile 16384;
daemon off;
pid $T/nginx.pid;
error_log $T/logs/error.log warn;
events { worker_connections 8192; }
http {
    types { text/plain playlist; video/mp4 mp4; image/png png; image/jpeg jpg; }
    default_type application/octet-stream;
    log_format load '\$request_method \$status \$bytes_sent \$request_length \$uri';
    access_log $T/logs/access.log load buffer=256k flush=1s;
    client_body_temp_path $T/tmp/body;
    proxy_temp_path $T/tmp/proxy;
    fastcgi_temp_path $T/tmp/fastcgi;
    uwsgi_temp_path $T/tmp/uwsgi;
    scgi_temp_path $T/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    server_tokens off;
    server {
        listen 127.0.0.1:$port backlog=4096;
        location ~ /\. { deny all; }
        location /state/playlists/ {
            alias $S/playlists/;
            limit_except GET { deny all; }
            add_header Cache-Control "max-age=30";
        }
        location /state/media/ {
            alias $S/media/;
            limit_except GET { deny all; }
            add_header Cache-Control "public, max-age=31536000, immutable";
        }
        location /upload/ {
            alias $T/upload/;
            limit_except PUT DELETE { deny all; }
            dav_methods PUT DELETE;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
            client_max_body_size 16m;
        }
    }
}
EOF
"$NGINX" -p "$T" -c "$T/nginx.conf" -e "$T/logs/error.log" &
ngx=$!
i=0
while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 100 ] && kill -0 $ngx 2>/dev/null || { echo "nginx did not start:"; cat "$T/logs/error.log"; exit 1; }
    sleep 0.1
done
workers=$(cat /proc/$ngx/task/*/children | tr ' ' '\n' | grep . | tr '\n' ',')
pids="$ngx,${workers%,}"
URL=http://127.0.0.1:$port
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') on $URL, worker_processes $WORKERS (pids $pids), access log on (buffered)"

# cputime PIDS: utime+stime of the PIDS in seconds.
cputime() {
    for p in $(echo "$1" | tr ',' ' '); do cat /proc/$p/stat; done 2>/dev/null |
        awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); s += $12 + $13 } END { printf "%.2f", s / hz }'
}

echo "boxes: $BOXES x $PER_BOX screens, polling every $INTERVAL s (+-20 %) instead of 60 s," \
    "idle phases $IDLE s; a $VIDEO_MB MB video; $PART-byte proof-of-play parts spread over $((4 * INTERVAL)) s"
"$BUILD/bench/sim_boxes" "$URL" "$BOXES" $PER_BOX "$INTERVAL" "$IDLE" $MARKER "$PART" "$pids" \
    >"$T/sim.out" 2>"$T/sim.err" &
sim=$!
i=0
while ! grep -q '^publish-now' "$T/sim.out" && kill -0 $sim 2>/dev/null; do sleep 0.1; done
grep -v '^@\|^publish-now' "$T/sim.out"
mkdir -p "$S/spool/launch"
cp "$T/launch.mp4" "$S/spool/launch/launch.mp4"
printf 'id = "%s"; title = "Launch"; owner = "Tokyo"; start = "2023-06-01"; end = "2023-06-30";\nscreens = [ "*" ]; priority = 100;\nitems = ( { type = "video"; file = "launch/launch.mp4"; } );\n' \
    $MARKER >"$S/spool/$MARKER.cfg"
t0=$(date +%s%N)
$SCHED --once --now $NOW 2>"$T/publish.log"
pub_ms=$((($(date +%s%N) - t0) / 1000000))
kill -USR1 $sim
echo "[publish] the scheduler published the campaign for every screen in $pub_ms ms" \
    "($(grep -o '[0-9]* written, [0-9]* unchanged' "$T/publish.log" | tail -1)) while the boxes polled"
wait $sim
rc=$?
sim=
sed -n '/^publish-now/,$p' "$T/sim.out" | grep -v '^@\|^publish-now'
[ $rc = 0 ] || { echo "sim_boxes failed ($rc):"; tail -5 "$T/sim.err"; exit 1; }
kill -USR1 $ngx # reopen the logs: flushes the buffer
sleep 0.5
nput=$(find "$T/upload" -type f -name '*.part' | wc -l)
putb=$(find "$T/upload" -type f -name '*.part' -printf '%s\n' | sort -u | tr '\n' ' ')
echo "[upload] on the server: $nput parts of $putb bytes"
echo "nginx's access log (bytes_sent = response incl. headers, request_length = request incl. headers and body):"
awk '{ k = $1 " " $2 " " ($5 ~ /^\/state\/media/ ? "media" : $5 ~ /^\/state\/playlists/ ? "playlist" : "upload")
       n[k]++; s[k] += $3; r[k] += $4 }
     END { for (k in n) printf "  %-22s %8d requests, %9.0f B sent, %6.0f B received per request\n", k, n[k], s[k] / n[k], r[k] / n[k] }' \
    "$T/logs/access.log" | sort -k1,1 -k2,2
: >"$T/logs/access.log"
kill -USR1 $ngx

# Ceiling: wrk on one playlist, unconditional (200) and with its ETag (304).
plname=$(ls "$S/playlists" | grep '\.playlist$' | head -1)
pl=$S/playlists/$plname
etag=$(stat -c '%Y %s' "$pl" | awk '{ printf "\"%x-%x\"", $1, $2 }')
wrk_run() {
    label=$1
    shift
    c0=$(cputime "$pids")
    wrk -t1 -c64 -d10s "$@" "$URL/state/playlists/$plname" >"$T/wrk.out" 2>&1
    c1=$(cputime "$pids")
    rps=$(awk '/^Requests\/sec/ { printf "%d", $2 }' "$T/wrk.out")
    if grep -q 'Non-2xx' "$T/wrk.out" && [ $# = 0 ]; then
        echo "wrk: unexpected statuses: $(grep Non-2xx "$T/wrk.out")" >&2
    fi
    awk -v a="$c0" -v b="$c1" -v r="$rps" -v l="$label" 'BEGIN {
        printf "[wrk, %s] %d req/s; nginx CPU %.1f %% of one core, %.3f s per 1,000 requests\n",
            l, r, (b - a) * 10, (r > 0 ? (b - a) * 100 / r : 0) }'
}
wrk_200=$(wrk_run "200 of the playlist")
wrk_304=$(wrk_run "304 with its ETag" -H "If-None-Match: $etag")
echo "$wrk_200"
echo "$wrk_304"
echo "machine after: $(uptime | sed 's/^ *//')"

# The per-box cost per day and the 100,000-box estimate, from the figures above.
awk -v boxes="$BOXES" -v per="$PER_BOX" -v interval="$INTERVAL" \
    -v w304="$(echo "$wrk_304" | sed 's/.*\] \([0-9]*\) req.*/\1/')" -v w200="$(echo "$wrk_200" | sed 's/.*\] \([0-9]*\) req.*/\1/')" \
    -v c304="$(echo "$wrk_304" | sed 's/.*, \([0-9.]*\) s per.*/\1/')" '
function v(k, f) { return val[k, f] + 0 }
$1 ~ /^@/ { k = substr($1, 2); for (i = 2; i <= NF; i++) { split($i, a, "="); val[k, a[1]] = a[2] } }
END {
    polls = per * 86400 / 60; puts = per * 86400 / 300
    b304 = v("idle.pl304", "up") + v("idle.pl304", "down")
    b200 = v("publish.pl200", "up") + v("publish.pl200", "down")
    bmed = v("publish.media", "up") + v("publish.media", "down")
    bput = v("upload.put", "up") + v("upload.put", "down")
    bnai = v("naive.pl200", "up") + v("naive.pl200", "down")
    idle = polls * b304 + puts * bput
    change = idle + per * (b200 - b304) + bmed
    naive = polls * bnai + puts * bput
    cpu304 = v("idle", "cpu") / v("idle", "req"); cpuput = v("upload", "cpu") / v("upload", "req")
    cpunai = v("naive", "cpu") / v("naive", "req")
    cpuday = polls * cpu304 + puts * cpuput
    rps = v("idle", "req") / v("idle", "secs")
    printf "\nPer box per day (%d screens, a poll every 60 s, proof of play every 5 min; HTTP bytes measured above):\n", per
    printf "  %-44s %10s %14s %14s\n", "", "requests", "bytes", "nginx CPU s"
    printf "  %-44s %10d %14.0f %14.3f\n", "idle (every poll a 304)", polls + puts, idle, cpuday
    printf "  %-44s %10d %14.0f %14.3f\n", "one campaign change (2 playlists + 1 medium)", polls + puts + 1, change, cpuday
    printf "  %-44s %10d %14.0f %14.3f\n", "peer: naive box, unconditional GET each poll", polls + puts, naive, polls * cpunai + puts * cpuput
    printf "  a 304 exchange %d B (%d up, %d down); a changed playlist %d B; the medium %d B; a PUT %d B; an unconditional playlist GET %d B\n",
        b304, v("idle.pl304", "up"), v("idle.pl304", "down"), b200, bmed, bput, bnai
    printf "  naive / conditional, bytes per day: %.1fx; nginx CPU per request, unconditional 200 / 304: %.2fx\n",
        naive / idle, cpunai / cpu304
    printf "  idle polling served %.0f req/s = %d boxes polling every 60 s; %.3f s nginx CPU per 1,000 polls -> one core of nginx CPU serves %.0f boxes (polls + PUTs)\n",
        rps, rps * 60 / per, cpu304 * 1000, 86400 / cpuday
    if (w304 > 0 && w200 > 0)
        printf "  wrk ceiling (one nginx worker, 64 busy connections): %d 304s/s, %d 200s/s; the paced idle load is %.2fx the 304 ceiling;\n  nginx CPU per 304 paced / under wrk: %.2fx (%.3f vs %.3f s per 1,000: sparse requests cost a wakeup each)\n",
            w304, w200, rps / w304, cpu304 * 1000 / c304, cpu304 * 1000, c304

    N = 100000; pr = N * per / 60; ur = N * per / 300
    printf "\nPaper estimate, %d boxes x %d screens (from the per-request costs above):\n", N, per
    printf "  direct to origin:   %.0f polls/s (%.1f Mbit/s, %.2f cores of nginx CPU) + %.0f PUTs/s (%.1f Mbit/s, %.2f cores)\n",
        pr, pr * b304 * 8 / 1e6, pr * cpu304, ur, ur * bput * 8 / 1e6, ur * cpuput
    printf "                      a campaign to every box: %.0f GB of media from the origin (%.1f Gbit/s if all converge in one 60 s poll, %.2f Gbit/s over an hour)\n",
        N * bmed / 1e9, N * bmed * 8 / 60 / 1e9, N * bmed * 8 / 3600 / 1e9
    printf "  CDN, playlists max-age=30 + revalidation: each playlist URL is one screen'"'"'s, polled every 60 s > 30 s,\n"
    printf "                      so every poll is a revalidation at the origin: still %.0f conditional requests/s (304s), no relief;\n", pr
    printf "                      max-age=300 (changes up to 5 min late): %.0f revalidations/s at the origin (%.1f Mbit/s, %.2f cores)\n",
        N * per / 300, N * per / 300 * b304 * 8 / 1e6, N * per / 300 * cpu304
    printf "  CDN, media immutable (cached for ever): the origin sends each new medium once per edge cache:\n"
    printf "                      %.0f MB with an origin shield, %.0f MB for 50 edges, instead of %.0f GB\n",
        bmed / 1e6, 50 * bmed / 1e6, N * bmed / 1e9
    printf "  uploads (PUT) are not cacheable: %.0f/s reach the origin either way (%.1f Mbit/s)\n", ur, ur * bput * 8 / 1e6
}' "$T/sim.out"
