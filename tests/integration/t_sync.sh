# Many boxes (issue 15, SPEC §10): a central state made by the real
# scheduler, served read-only by a real nginx on loopback (started here,
# with its own prefix, logs and temp paths), and two box state trees fed
# by signage-sync: media before playlists, one 304 per screen when idle,
# an outage survived, corrupt and hostile answers refused, a download
# resumed, proof of play uploaded by parts and whole (WebDAV PUT/DELETE).
. "$SRCDIR/tests/integration/lib.sh"

SYNC=$BUILD/signage-sync
export TZ=Asia/Tokyo
for c in nginx ffmpeg python3 sha256sum; do
    command -v $c >/dev/null || { fail "$c is not installed (make deps installs it)"; exit 0; }
done
check "nginx has the WebDAV module" sh -c 'nginx -V 2>&1 | grep -q http_dav_module'

# --- the central state ----------------------------------------------------------
C=$T/central
mkdir -p "$C/spool/kochi"
cat >"$T/central.cfg" <<EOF
state = "$C";
settle = 0;
screens = (
  { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; },
  { id = "gou4"; groups = [ "shinjuku-west" ]; width = 1080; height = 1920; rotate = 90; }
);
EOF
DAY0=$(date +%F)
NOW=${DAY0}T12:00:00+09:00
# camp ID ITEMS: a campaign on every screen from today for 60 days
camp() {
    printf 'id = "%s";\ntitle = "%s";\nowner = "高知県";\nstart = "%s";\nend = "%s";\nscreens = [ "*" ];\nitems = ( %s );\n' \
        "$1" "$1" "$DAY0" "$(date -d "$DAY0 60 days" +%F)" "$2"
}
central() { $SCHEDULER -c "$T/central.cfg" --once --now "$NOW" 2>>"$T/central.log"; }
ff -f lavfi -i testsrc=size=320x180:rate=1 -frames:v 1 "$C/spool/kochi/a.png"
# ~1.5 MB of video: a rate-limited download takes a few seconds
ff -f lavfi -i "testsrc2=size=640x360:rate=25,noise=alls=60:allf=t" -t 3 -c:v libx264 -preset ultrafast \
    -b:v 4M -pix_fmt yuv420p "$C/spool/kochi/expo.mp4"
camp kochi-expo '{ type = "image"; file = "kochi/a.png"; duration = 10; },
  { type = "video"; file = "kochi/expo.mp4"; },
  { type = "text"; text = "牧野博士の新休日"; duration = 10; }' >"$C/spool/kochi-expo.cfg"
central
check "central: the campaign is accepted" [ -f "$C/campaigns/kochi-expo.cfg" ]
check_all "central: both screens' playlists are published" \
    '[ -f "$C/playlists/plaza.playlist" ]' '[ -f "$C/playlists/gou4.playlist" ]'

# --- nginx on loopback -----------------------------------------------------------
N=$T/nginx
mkdir -p "$N/tmp" "$T/boxes" "$T/evil/playlists" "$T/evil/media"
PORT=$(shuf -i 20000-60000 -n 1)
{ nginx_head "$N"; cat <<EOF; } >"$N/nginx.conf"
    log_format sync '\$request_method \$uri \$status \$bytes_sent "\$http_range" "\$http_expect"';
    access_log $N/access.log sync;
    server {
        listen 127.0.0.1:$PORT;
        location /state/playlists/ { alias $C/playlists/; }
        location /state/media/ { alias $C/media/; }
        location /evil/playlists/ { alias $T/evil/playlists/; }
        location /evil/media/ { alias $T/evil/media/; }
        location /upload/box-3/ {
            alias $T/boxes/box-3/;
            dav_methods PUT; # DELETE: 405
            create_full_put_path on;
        }
        location /upload/ {
            alias $T/boxes/;
            dav_methods PUT DELETE;
            create_full_put_path on;
            client_max_body_size 64m;
        }
    }
}
EOF
start_nginx() {
    rm -f "$N/nginx.pid"
    nginx -p "$N" -c "$N/nginx.conf" -e "$N/error.log" 2>>"$N/start.err" &
    NGINX=$!
    wait_until 5 test -s "$N/nginx.pid"
    sleep 0.2
}
stop_nginx() { kill "$NGINX" 2>/dev/null; wait "$NGINX" 2>/dev/null; }
lpid= dpid= rpid= spid=
trap 'stop_nginx; for p in $lpid $dpid $rpid $spid; do kill $p 2>/dev/null; done; [ -n "${KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"' EXIT
start_nginx
check "nginx serves the central playlists" \
    sh -c "python3 -c 'import urllib.request,sys; urllib.request.urlopen(sys.argv[1])' \
        http://127.0.0.1:$PORT/state/playlists/plaza.playlist"
U=http://127.0.0.1:$PORT

# --- two boxes -----------------------------------------------------------------
# box N SCREENS [EXTRA]: box N's signage.cfg, pulling SCREENS from /state/
box() {
    mkdir -p "$T/box$1"
    cat >"$T/box$1.cfg" <<EOF
state = "$T/box$1";
screens = (
  { id = "plaza"; width = 1920; height = 1080; },
  { id = "gou4"; width = 1080; height = 1920; rotate = 90; }
);
sync = { url = "${URL:-$U/state/}"; screens = $2; upload = "$U/upload/box-$1/";
         interval = 1; max_backoff = 4; ${3:-} };
EOF
}
once() { $SYNC -c "$T/box$1.cfg" --once 2>>"$T/sync$1.log"; }
# consistent N: every playlist of box N names only media it has
consistent() {
    for p in "$T/box$1"/playlists/*.playlist; do
        [ -f "$p" ] || continue
        for m in $(sed -n 's/.*media = "\(media\/[^"]*\)".*/\1/p' "$p"); do
            [ -f "$T/box$1/$m" ] || return 1
        done
    done
}
# verified N: every medium of box N is named by its SHA-256
verified() {
    for f in "$T/box$1"/media/*; do
        [ "$(sha256sum <"$f" | cut -c1-64)" = "$(basename "${f%.*}")" ] || return 1
    done
}

box 1 '[ "plaza", "gou4" ]' 'rate_limit = 600000;'
box 2 '[ "plaza" ]'
# box 1 downloads slowly (rate_limit): watch that no playlist ever names a
# medium the box lacks while it runs
once 1 &
spid=$!
bad=0 seen=0
while kill -0 $spid 2>/dev/null; do
    consistent 1 || bad=$((bad + 1))
    [ -n "$(ls "$T/box1/.sync/" 2>/dev/null | grep '\.part$')" ] && seen=$((seen + 1))
    sleep 0.05
done
wait $spid
rc=$?
check "box 1: --once exits 0 ($rc)" [ $rc = 0 ]
check "box 1: a download was seen in progress ($seen looks)" [ $seen -gt 0 ]
check "box 1: at no time did a playlist name a missing medium ($bad times)" [ $bad = 0 ]
check_all "box 1: both screens' playlists are the central ones" \
    'cmp -s "$C/playlists/plaza.playlist" "$T/box1/playlists/plaza.playlist"' \
    'cmp -s "$C/playlists/gou4.playlist" "$T/box1/playlists/gou4.playlist"'
check_all "box 1: its media are there and verified ($(ls "$T/box1/media" | wc -l))" \
    '[ "$(ls "$T/box1/media" | wc -l)" = 2 ]' 'verified 1'
once 2
check "box 2: --once exits 0" [ $? = 0 ]
check "box 2: only its screen (plaza)" \
    sh -c "cmp -s '$C/playlists/plaza.playlist' '$T/box2/playlists/plaza.playlist' && ! [ -e '$T/box2/playlists/gou4.playlist' ]"
check "box 2: media verified" verified 2
check "no .part or temporary playlist is left" \
    sh -c "[ -z \"\$(ls '$T/box1/.sync' '$T/box2/.sync' | grep -E '\.part\$|\.new\$')\" ]"

# --- idle: one conditional request per screen, answered 304 ----------------------
: >"$N/access.log"
once 1 && once 2
check "an idle poll succeeds on both boxes" [ $? = 0 ]
sleep 0.3
req=$(wc -l <"$N/access.log")
n304=$(grep -c ' 304 ' "$N/access.log")
bytes=$(awk '{ s += $4 } END { print s + 0 }' "$N/access.log")
check_range "idle poll: one request per screen (box 1: 2, box 2: 1)" "$req" 3 3
check_range "idle poll: every answer is 304" "$n304" 3 3
check_range "idle poll: bytes sent by the server for 3 screens" "$bytes" 1 1500
echo "# idle poll: $req requests, $bytes bytes ($(awk '{print $1, $2, $3, $4}' "$N/access.log" | tr '\n' ';'))"

# --- proof of play ---------------------------------------------------------------
L=$T/box1/log/plaza
mkdir -p "$L"
line() { printf '{"screen":"plaza","campaign":"kochi-expo","item":%d,"result":"played"}\n' "$1"; }
{ line 0; line 1; printf '{"screen":"plaza","campa'; } >"$L/play-$DAY0.jsonl"
once 1
P=$T/boxes/box-1/plaza
check "upload: the complete lines went as part 0" \
    sh -c "{ echo '$(line 0)'; echo '$(line 1)'; } | cmp -s - '$P/play-$DAY0.jsonl.000000000000.part'"
off=$({ line 0; line 1; } | wc -c)
printf 'ign":"kochi-expo","item":2,"result":"played"}\n' >>"$L/play-$DAY0.jsonl"
line 3 >>"$L/play-$DAY0.jsonl"
once 1
part2=$P/play-$DAY0.jsonl.$(printf %012d "$off").part
check "upload: the new lines alone went as the part at offset $off" \
    sh -c "tail -c +$((off + 1)) '$L/play-$DAY0.jsonl' | cmp -s - '$part2'"
check "upload: the parts together are the file" \
    sh -c "cat '$P/play-$DAY0.jsonl.000000000000.part' '$part2' | cmp -s - '$L/play-$DAY0.jsonl'"
: >"$N/access.log"
once 1
check "upload: nothing new, nothing sent" sh -c "! grep -q '^PUT' '$N/access.log'"
# the file replaced by another as long (a new inode): not sent from the old
# offset, mid-line, but from 0 as a new file
cp "$L/play-$DAY0.jsonl" "$T/today.old"
for i in 20 21 22 23 24; do line $i; done >"$L/play-$DAY0.jsonl.new"
mv "$L/play-$DAY0.jsonl.new" "$L/play-$DAY0.jsonl"
once 1
check "upload: a replaced file goes again from offset 0" \
    cmp -s "$L/play-$DAY0.jsonl" "$P/play-$DAY0.jsonl.000000000000.part"
check "upload: and the replacement is logged" grep -q "replaced since" "$T/sync1.log"
# a past day with parts already sent, then closed: whole, parts deleted
PAST=$(date -d "$DAY0 3 days ago" +%F)
{ line 0; line 1; } >"$L/play-$PAST.jsonl"
once 1
check "upload: a past day still changing goes by parts" [ -f "$P/play-$PAST.jsonl.000000000000.part" ]
line 2 >>"$L/play-$PAST.jsonl"
touch -d '2 hours ago' "$L/play-$PAST.jsonl"
once 1
check "upload: the closed day is there whole" cmp -s "$L/play-$PAST.jsonl" "$P/play-$PAST.jsonl"
check "upload: and its parts are deleted" sh -c "! ls '$P' | grep -q '^play-$PAST.jsonl.*part\$'"
check "upload: today's parts stay" [ -f "$part2" ]
# a box offline for a week: each closed day goes whole, no parts
for i in 4 5 6 7 8 9 10; do
    d=$(date -d "$DAY0 $i days ago" +%F)
    line "$i" >"$L/play-$d.jsonl"
    touch -d "$i days ago" "$L/play-$d.jsonl"
done
: >"$N/access.log"
once 1
check_range "upload: a week of closed days, one PUT each" "$(grep -c '^PUT .*jsonl 20[14] ' "$N/access.log")" 7 7
check "upload: no part for them" sh -c "! ls '$P' | grep -E 'play-$(date -d "$DAY0 7 days ago" +%F).*part'"
once 1
check "upload: a done day is not sent again" sh -c "[ \$(grep -c '^PUT' '$N/access.log') = 7 ]"
# lines written into a done day: the whole file again, once quiet
W=$(date -d "$DAY0 5 days ago" +%F)
line 50 >>"$L/play-$W.jsonl"
touch -d '5 days ago' "$L/play-$W.jsonl"
once 1
check "upload: lines added to a done day are sent (the whole file again)" \
    cmp -s "$L/play-$W.jsonl" "$P/play-$W.jsonl"

# a large body is sent at once, without waiting for a 100-continue
G=$(date -d "$DAY0 30 days ago" +%F)
seq 1 20000 | xargs printf '{"screen":"plaza","campaign":"kochi-expo","item":%d,"result":"played"}\n' >"$L/play-$G.jsonl"
touch -d '30 days ago' "$L/play-$G.jsonl"
: >"$N/access.log"
once 1
sleep 0.2
check "upload: a large day goes whole ($(wc -c <"$L/play-$G.jsonl") bytes)" cmp -s "$L/play-$G.jsonl" "$P/play-$G.jsonl"
check "upload: without Expect: 100-continue" sh -c "grep '^PUT .*play-$G' '$N/access.log' | grep -qv '100-continue'"

# a day with MAX_PARTS (4096) parts recorded: no more parts (they could not
# be recorded, so never deleted); the rest goes in the whole file at close
F=$(date -d "$DAY0 20 days ago" +%F)
{ line 0; line 1; } >"$L/play-$F.jsonl"
{ echo "offset $(line 0 | wc -c)"; seq -f 'part %.0f' 1000000 1004095; } \
    >"$T/box1/.sync/up/plaza/play-$F.jsonl"
: >"$N/access.log"
once 1
sleep 0.2
check "upload: past 4096 parts a day, no part is sent" sh -c "! grep -q '^PUT .*play-$F' '$N/access.log'"

# a server that refuses DELETE (405): the day is done once PUT whole, the
# part is dropped with a warning, and nothing is sent again pass after pass
box 3 '[ "plaza" ]'
mkdir -p "$T/box3/log/plaza"
{ line 0; line 1; } >"$T/box3/log/plaza/play-$PAST.jsonl"
once 3
line 2 >>"$T/box3/log/plaza/play-$PAST.jsonl"
touch -d '2 hours ago' "$T/box3/log/plaza/play-$PAST.jsonl"
once 3
check "upload, DELETE refused: the closed day is there whole" \
    cmp -s "$T/box3/log/plaza/play-$PAST.jsonl" "$T/boxes/box-3/plaza/play-$PAST.jsonl"
check "upload, DELETE refused: said once" grep -q "DELETE of 1 part refused (HTTP 405)" "$T/sync3.log"
: >"$N/access.log"
once 3
once 3
sleep 0.2
check "upload, DELETE refused: nothing sent again" sh -c "! grep -qE '^(PUT|DELETE) /upload/box-3/' '$N/access.log'"

# the upload url changed (a new central server, a box renamed): the new
# server gets every day again, from the start
cp "$T/box1.cfg" "$T/box1.saved"
sed -i "s#upload = \"$U/upload/box-1/\"#upload = \"$U/upload/box-1b/\"#" "$T/box1.cfg"
once 1
check "upload url changed: said" grep -q "the upload url changed (it went to $U/upload/box-1/plaza/" "$T/sync1.log"
check "upload url changed: every day of the box is on the new server" sh -c "
    for f in '$L'/play-*.jsonl; do
        n=\${f##*/}
        if [ -f '$T/boxes/box-1b/plaza/'\$n ]; then cmp -s \$f '$T/boxes/box-1b/plaza/'\$n || exit 1
        else cat '$T/boxes/box-1b/plaza/'\$n.*.part 2>/dev/null | cmp -s \$f - || exit 1; fi
    done"
cp "$T/box1.saved" "$T/box1.cfg"

# a PUT answered with a redirect (a captive portal, a login proxy): not
# followed, not taken as stored; the day stays on the box however old
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(303); self.send_header("Location", "/portal/login")
        self.send_header("Content-Length", "0"); self.end_headers()
    def do_GET(self):
        if self.path.startswith("/portal/"):
            self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
            self.wfile.write(b"ok"); return
        self.send_error(404)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$((PORT + 3))" &
rpid=$!
wait_until 5 sh -c "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $((PORT + 3))))' 2>/dev/null"
box 7 '[ "plaza" ]'
sed -i "s#upload = \"[^\"]*\"#upload = \"http://127.0.0.1:$((PORT + 3))/up/\"#" "$T/box7.cfg"
echo 'log_keep_days = 5;' >>"$T/box7.cfg"
OLD=$(date -d "$DAY0 10 days ago" +%F)
mkdir -p "$T/box7/log/plaza"
line 0 >"$T/box7/log/plaza/play-$OLD.jsonl"
touch -d "$OLD 23:00" "$T/box7/log/plaza/play-$OLD.jsonl"
once 7
rc=$?
check "PUT redirected: the pass fails ($rc)" [ $rc = 1 ]
check "PUT redirected: said, with what to check" grep -q "HTTP 303 (a redirect, not followed for an upload" "$T/sync7.log"
check "PUT redirected: the day is not recorded as sent" sh -c "! grep -q done '$T/box7/.sync/up/plaza/play-$OLD.jsonl' 2>/dev/null"
once 7
check "PUT redirected: the day stays on the box past log_keep_days" [ -f "$T/box7/log/plaza/play-$OLD.jsonl" ]
kill $rpid
wait $rpid 2>/dev/null
rpid=

# --- a corrupted medium is refused -----------------------------------------------
ff -f lavfi -i testsrc=size=320x180:rate=1 -vf negate -frames:v 1 "$C/spool/kochi/b.png"
camp kochi-b '{ type = "image"; file = "kochi/b.png"; duration = 10; }' >"$C/spool/kochi-b.cfg"
cp "$T/box2/playlists/plaza.playlist" "$T/plaza.before"
central
MB=$(sed -n 's/.*media = "media\/\([0-9a-f]*\.png\)".*/\1/p' "$C/campaigns/kochi-b.cfg")
cp "$C/media/$MB" "$T/b.good"
head -c "$(wc -c <"$T/b.good")" /dev/urandom >"$C/media/$MB"
once 2
check "corrupt: --once exits 1" [ $? = 1 ]
check "corrupt: it is logged" grep -q "corrupt download refused" "$T/sync2.log"
check "corrupt: the .part is deleted" [ ! -e "$T/box2/.sync/$MB.part" ]
check "corrupt: the medium is not taken" [ ! -e "$T/box2/media/$MB" ]
check "corrupt: the box keeps the old playlist" cmp -s "$T/plaza.before" "$T/box2/playlists/plaza.playlist"
cp "$T/b.good" "$C/media/$MB"
once 2
check "corrupt: once the server is right, the new playlist arrives" \
    cmp -s "$C/playlists/plaza.playlist" "$T/box2/playlists/plaza.playlist"

# --- hostile answers ----------------------------------------------------------------
cp "$C/media"/* "$T/evil/media/"
cp "$T/box2/playlists/plaza.playlist" "$T/plaza.good"
URL=$U/evil/ box 2 '[ "plaza" ]'
hostile() { # hostile NAME: box 2 against the evil tree: exit 1, old playlist kept
    rm -f "$T/box2/.sync/plaza.meta"
    once 2
    rc=$?
    check "hostile ($1): --once exits 1 ($rc)" [ $rc = 1 ]
    check "hostile ($1): the box keeps its playlist" cmp -s "$T/plaza.good" "$T/box2/playlists/plaza.playlist"
}
printf 'format = 2;\nscreen = "plaza"\x00\xff garbage {{{' >"$T/evil/playlists/plaza.playlist"
hostile "garbage"
sed 's/screen = "plaza"/screen = "gou4"/' "$C/playlists/plaza.playlist" >"$T/evil/playlists/plaza.playlist"
hostile "another screen's playlist"
m=$(sed -n 's/.*media = "media\/\([0-9a-f]*\)\.png".*/\1/p' "$C/playlists/plaza.playlist" | head -1)
sed "s/$m/$(echo "$m" | tr 0-9a-f a-f0-9)/g; s/generation = [0-9]*/generation = 999/" \
    "$C/playlists/plaza.playlist" >"$T/evil/playlists/plaza.playlist"
hostile "a medium named by a hash it does not have"
sed "s#media/$m.png#media/../../../etc/passwd#g" "$C/playlists/plaza.playlist" >"$T/evil/playlists/plaza.playlist"
hostile "a medium name that is not a hash"
truncate -s 70M "$T/evil/playlists/plaza.playlist"
hostile "a 70 MB playlist"
check "hostile: the refusals are logged" sh -c "[ \$(grep -c 'refused' '$T/sync2.log') -ge 4 ]"
box 2 '[ "plaza" ]'

# --- a partial download is resumed ---------------------------------------------------
ff -f lavfi -i "testsrc2=size=640x360:rate=25,noise=alls=80:allf=t" -t 4 -c:v libx264 -preset ultrafast \
    -b:v 6M -pix_fmt yuv420p "$C/spool/kochi/big.mp4"
camp kochi-big '{ type = "video"; file = "kochi/big.mp4"; }' >"$C/spool/kochi-big.cfg"
central
MV=$(sed -n 's/.*media = "media\/\([0-9a-f]*\.mp4\)".*/\1/p' "$C/campaigns/kochi-big.cfg")
box 2 '[ "plaza" ]' 'rate_limit = 300000;'
$SYNC -c "$T/box2.cfg" --once 2>>"$T/sync2.log" &
spid=$!
wait_until 15 sh -c "[ \$(stat -c %s '$T/box2/.sync/$MV.part' 2>/dev/null || echo 0) -gt 200000 ]"
kill -9 $spid
wait $spid 2>/dev/null
have=$(stat -c %s "$T/box2/.sync/$MV.part" 2>/dev/null || echo 0)
check_range "resume: the killed download left a .part (bytes)" "$have" 200000 999999999
check "resume: the playlist did not arrive before its video" \
    cmp -s "$T/plaza.good" "$T/box2/playlists/plaza.playlist"
# SIGTERM during the download: a stop, not an outage; and READY=1 came
# before that first pass ended (a long first download vs the start timeout)
listen "$T/notify0.sock" "$T/msgs0"
NOTIFY_SOCKET=$T/notify0.sock $SYNC -c "$T/box2.cfg" 2>"$T/term.log" &
spid=$!
wait_until 15 sh -c "[ \$(stat -c %s '$T/box2/.sync/$MV.part' 2>/dev/null || echo 0) -gt $((have + 100000)) ]"
check "daemon: READY=1 while its first pass is still downloading" wait_until 5 grep -q 'READY=1' "$T/msgs0"
kill -TERM $spid
wait $spid
rc=$?
check "SIGTERM during a download: exit 0 ($rc)" [ $rc = 0 ]
check "SIGTERM during a download: not logged as an outage" sh -c "! grep -q unreachable '$T/term.log'"
kill $lpid 2>/dev/null
have=$(stat -c %s "$T/box2/.sync/$MV.part" 2>/dev/null || echo 0)
box 2 '[ "plaza" ]'
: >"$N/access.log"
once 2
check "resume: --once exits 0" [ $? = 0 ]
sleep 0.3
check "resume: a Range request answered 206" grep -q "^GET /state/media/$MV 206 .*\"bytes=[1-9][0-9]*-\"" "$N/access.log"
sent=$(awk -v u="/state/media/$MV" '$2 == u { s += $4 } END { print s + 0 }' "$N/access.log")
total=$(stat -c %s "$C/media/$MV")
check_range "resume: only the rest was sent ($sent of $total bytes)" "$sent" 1 $((total - have + 1000))
check "resume: the video is verified" verified 2
check "resume: and the playlist arrived" cmp -s "$C/playlists/plaza.playlist" "$T/box2/playlists/plaza.playlist"

# --- a server that answers a resumed download with the wrong bytes --------------------
# (a proxy that ignores Range's start but still says 206): the bytes are not
# appended, the .part starts over, and the next poll gets the medium whole
ff -f lavfi -i testsrc=size=320x180:rate=1 -vf hflip -frames:v 1 "$C/spool/kochi/c.png"
camp kochi-c '{ type = "image"; file = "kochi/c.png"; duration = 10; }' >"$C/spool/kochi-c.cfg"
central
MC=$(sed -n 's/.*media = "media\/\([0-9a-f]*\.png\)".*/\1/p' "$C/campaigns/kochi-c.cfg")
RPORT=$((PORT + 1))
python3 -c '
import http.server, os, sys
root, log = sys.argv[2], open(sys.argv[3], "a")
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        kind, _, name = self.path.rpartition("/")
        if kind not in ("/state/playlists", "/state/media") or "/" in name or name.startswith("."):
            self.send_error(404); return
        with open(os.path.join(root, kind[7:], name), "rb") as f:
            body = f.read()
        rng = self.headers.get("Range")
        log.write("%s %s\n" % (self.path, rng)); log.flush()
        self.send_response(206 if rng else 200)
        if rng:  # always from 0, whatever was asked
            self.send_header("Content-Range", "bytes 0-%d/%d" % (len(body) - 1, len(body)))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$RPORT" "$C" "$T/ranges.log" &
rpid=$!
wait_until 5 sh -c "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $RPORT))' 2>/dev/null"
URL=http://127.0.0.1:$RPORT/state/ box 2 '[ "plaza" ]'
head -c 1000 "$C/media/$MC" >"$T/box2/.sync/$MC.part"
cp "$T/box2/playlists/plaza.playlist" "$T/plaza.before"
once 2
check "wrong range: --once exits 1 ($?)" [ $? = 1 ]
check "wrong range: the box asked for bytes 1000 on" grep -q "^/state/media/$MC bytes=1000-" "$T/ranges.log"
check "wrong range: said, with what the server sent" \
    grep -q "asked for the bytes from 1000 on, the server sent \"bytes 0-" "$T/sync2.log"
check "wrong range: nothing appended, the .part is gone" [ ! -e "$T/box2/.sync/$MC.part" ]
check "wrong range: no corrupt download was made of it" sh -c "! grep -q 'corrupt download refused.*$MC' '$T/sync2.log'"
check "wrong range: the old playlist plays on" cmp -s "$T/plaza.before" "$T/box2/playlists/plaza.playlist"
once 2
rc=$?
check "wrong range: next poll, the medium whole and the playlist ($rc)" \
    sh -c "[ $rc = 0 ] && cmp -s '$C/media/$MC' '$T/box2/media/$MC' && cmp -s '$C/playlists/plaza.playlist' '$T/box2/playlists/plaza.playlist'"
kill $rpid
wait $rpid 2>/dev/null
box 2 '[ "plaza" ]'
cp "$T/box2/playlists/plaza.playlist" "$T/plaza.good"

# --- media no playlist names go after media_grace_days ------------------------------
$CTL -c "$T/central.cfg" --now "$NOW" withdraw kochi-big >/dev/null 2>>"$T/central.log"
check "prune: the video's campaign is withdrawn centrally" sh -c "! grep -q '$MV' '$C/playlists/plaza.playlist'"
once 2
check "prune: the box takes the playlist without it" cmp -s "$C/playlists/plaza.playlist" "$T/box2/playlists/plaza.playlist"
check "prune: the unused video stays for the grace period" [ -f "$T/box2/media/$MV" ]
check "prune: and is marked unused" [ -f "$T/box2/.sync/unused/$MV" ]
touch -d '8 days ago' "$T/box2/.sync/unused/$MV"
once 2
check "prune: 8 days on (media_grace_days = 7) it is removed" [ ! -e "$T/box2/media/$MV" ]
check "prune: the media still named stay" consistent 2
check "prune: none of them is marked" sh -c "[ -z \"\$(ls '$T/box2/.sync/unused')\" ]"
cp "$T/box2/playlists/plaza.playlist" "$T/plaza.good"
# one screen refused (404: not published centrally) does not stop pruning
O=$(printf x | sha256sum | cut -c1-64).png
printf x >"$T/box2/media/$O"
: >"$T/box2/.sync/unused/$O"
touch -d '8 days ago' "$T/box2/.sync/unused/$O"
mv "$C/playlists/gou4.playlist" "$T/gou4.hidden"
box 2 '[ "plaza", "gou4" ]'
once 2
check "prune: a screen refused (404) fails the pass ($?)" [ $? = 1 ]
check "prune: but media still go after the grace period" [ ! -e "$T/box2/media/$O" ]
mv "$T/gou4.hidden" "$C/playlists/gou4.playlist"
box 2 '[ "plaza" ]'
# a playlist in place that cannot be read might name anything: no medium goes
O=$(printf y | sha256sum | cut -c1-64).png
printf y >"$T/box2/media/$O"
: >"$T/box2/.sync/unused/$O"
touch -d '8 days ago' "$T/box2/.sync/unused/$O"
printf 'format = 2;\nscreen = "old" {{{' >"$T/box2/playlists/old.playlist"
once 2
check "prune: a playlist in place cannot be read: the unused medium stays" [ -f "$T/box2/media/$O" ]
check "prune: and that is said" grep -q "old.playlist.*media are not pruned while a playlist cannot be read" "$T/sync2.log"
rm "$T/box2/playlists/old.playlist"
once 2
check "prune: once it is gone, the medium goes" [ ! -e "$T/box2/media/$O" ]

# --- the daemon: READY, an outage, back-off, catching up ----------------------------
listen "$T/notify.sock" "$T/msgs"
stop_nginx
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=2000000 $SYNC -c "$T/box2.cfg" -v 2>"$T/daemon.log" &
dpid=$!
check "daemon: READY=1, server down" wait_until 10 grep -q 'READY=1' "$T/msgs"
sleep 7
check_range "daemon: the outage is logged once" "$(grep -c 'unreachable' "$T/daemon.log")" 1 1
waits=$(sed -n 's/.*next poll in \([0-9]*\) ms.*/\1/p' "$T/daemon.log" | tr '\n' ' ')
check "daemon: it backs off ($waits ms)" sh -c "echo '$waits' | awk '{ exit !(NF >= 2 && \$2 > \$1) }'"
check "daemon: the watchdog is fed" grep -q 'WATCHDOG=1' "$T/msgs"
check "daemon: the box keeps its playlist while offline" cmp -s "$T/plaza.good" "$T/box2/playlists/plaza.playlist"
camp tokyo-wood '{ type = "text"; text = "WOODコレクション2023"; duration = 10; }' >"$C/spool/tokyo-wood.cfg"
central
start_nginx
check "daemon: catches up after the server is back" \
    wait_until 15 cmp -s "$C/playlists/plaza.playlist" "$T/box2/playlists/plaza.playlist"
check "daemon: says once that the server is back" wait_until 5 grep -q 'reachable again' "$T/daemon.log"
$SYNC -c "$T/box2.cfg" --once 2>"$T/second.log"
check "daemon: a second signage-sync on the same state is refused (exit $?)" \
    grep -q "another signage-sync is running" "$T/second.log"
kill -HUP $dpid
check "daemon: SIGHUP reloads the configuration" wait_until 5 grep -q 'reloading' "$T/daemon.log"
check "daemon: and it goes on polling" wait_until 5 sh -c "[ \$(grep -c 'next poll in' '$T/daemon.log') -gt $(grep -c 'next poll in' "$T/daemon.log") ]"
kill -TERM $dpid
wait $dpid
check "daemon: SIGTERM ends it with 0 ($?)" [ $? = 0 ]
kill $lpid 2>/dev/null

# --- a box's own proof of play: kept log_keep_days, and never before the server has it ---
box 4 '[ "plaza" ]'
echo 'log_keep_days = 5;' >>"$T/box4.cfg"
L4=$T/box4/log/plaza
mkdir -p "$L4"
for i in 10 9 8 7 6 5 4 3 2 1 0; do
    d=$(date -d "$DAY0 $i days ago" +%F)
    line "$i" >"$L4/play-$d.jsonl"
    [ $i = 0 ] || touch -d "$d 23:00" "$L4/play-$d.jsonl"
done
D8=$(date -d "$DAY0 8 days ago" +%F)
once 4
check_range "box log retention: nothing removed before the server has it" "$(ls "$L4" | wc -l)" 11 11
check "box log retention: and said so" grep -q "proof-of-play files past log_keep_days (5) kept: the central server does not have them yet" "$T/sync4.log"
line 80 >>"$L4/play-$D8.jsonl" # written after it was sent whole
touch -d "$D8 23:30" "$L4/play-$D8.jsonl"
once 4
kept=$(ls "$L4" | tr '\n' ' ')
check_range "box log retention: the days the server has, 5 or more days old, removed" "$(ls "$L4" | wc -l)" 6 6
check "box log retention: the day changed since its upload is kept" [ -f "$L4/play-$D8.jsonl" ]
check "box log retention: the last 5 days are kept ($kept)" \
    sh -c "for i in 0 1 2 3 4; do [ -f '$L4/play-'\$(date -d '$DAY0 '\$i' days ago' +%F).jsonl ] || exit 1; done"
check "box log retention: the server keeps every day" \
    sh -c "[ \$(ls '$T/boxes/box-4/plaza' | grep -c 'jsonl\$') = 10 ]"
check "box log retention: the removed days' upload records go too" \
    sh -c "[ \$(ls '$T/box4/.sync/up/plaza' | wc -l) = 6 ]"
once 4 # the pass before sent the changed day whole again
check "box log retention: sent whole again, it goes too" [ ! -e "$L4/play-$D8.jsonl" ]
check "box log retention: the server has its new line" grep -q '"item":80' "$T/boxes/box-4/plaza/play-$D8.jsonl"
# a box that sends nothing back keeps log_keep_days, as the scheduler would
sed '/upload = /s/upload = "[^"]*";//' "$T/box4.cfg" >"$T/box5.cfg"
sed -i "s#$T/box4#$T/box5#" "$T/box5.cfg"
mkdir -p "$T/box5/log/plaza"
for i in 9 5 4 0; do line "$i" >"$T/box5/log/plaza/play-$(date -d "$DAY0 $i days ago" +%F).jsonl"; done
once 5
check "box log retention, no upload: days 5 or more old removed, the rest kept" \
    sh -c "[ \"\$(ls '$T/box5/log/plaza' | tr '\n' ' ')\" = 'play-$(date -d "$DAY0 4 days ago" +%F).jsonl play-$DAY0.jsonl ' ]"

# --- a box's scheduler already running when the sync group is written -------------------
# (the package starts it before the admin writes the group)
printf 'state = "%s/box6";\nsettle = 0;\nscreens = ( { id = "plaza"; width = 1920; height = 1080; } );\n' \
    "$T" >"$T/box6.plain"
cp "$T/box6.plain" "$T/box6.cfg"
$SCHEDULER -c "$T/box6.cfg" 2>"$T/sched6.log" &
spid=$!
wait_until 10 grep -q "watching" "$T/sched6.log"
printf 'sync = { url = "%s"; screens = [ "plaza" ]; };\n' "$U/state/" >>"$T/box6.cfg"
$SYNC -c "$T/box6.cfg" --once 2>>"$T/sync6.log"
check "a running box scheduler: stops once signage-sync writes a playlist" \
    wait_until 10 sh -c "! kill -0 $spid 2>/dev/null"
wait $spid
rc=$?
check "a running box scheduler: exit 0 ($rc)" [ $rc = 0 ]
check "a running box scheduler: says why" grep -q "written by signage-sync" "$T/sched6.log"
sleep 1
check "a running box scheduler: the central playlist stays" \
    cmp -s "$C/playlists/plaza.playlist" "$T/box6/playlists/plaza.playlist"
cp "$T/box6.plain" "$T/box6.cfg"
$SCHEDULER -c "$T/box6.cfg" 2>"$T/sched6.log" &
spid=$!
wait_until 10 grep -q "watching" "$T/sched6.log"
printf 'sync = { url = "%s"; screens = [ "plaza" ]; };\n' "$U/state/" >>"$T/box6.cfg"
kill -HUP $spid
check "a running box scheduler: SIGHUP with a sync group, it stops" \
    wait_until 10 sh -c "! kill -0 $spid 2>/dev/null"
wait $spid
rc=$?
check "a running box scheduler: SIGHUP, exit 0 ($rc), saying why" \
    sh -c "[ $rc = 0 ] && grep -q 'has a sync group' '$T/sched6.log'"
spid=

# --- a box without a sync group, and a bad one -----------------------------------------
printf 'state = "%s/plain";\nscreens = ( { id = "plaza"; width = 1920; height = 1080; } );\n' "$T" >"$T/plain.cfg"
$SYNC -c "$T/plain.cfg" 2>"$T/plain.log"
check "no sync group: exit 0 ($?)" [ $? = 0 ]
check "no sync group: says so" grep -q "has no sync group" "$T/plain.log"
printf 'sync = { url = "ftp://x/"; };\n' >>"$T/plain.cfg"
$SYNC -c "$T/plain.cfg" --once 2>"$T/plain.log"
check "a bad sync url: exit 1 ($?)" [ $? = 1 ]
check "a bad sync url: FILE:LINE: error" grep -q "plain.cfg:3: error: .*http" "$T/plain.log"
# a box's scheduler (the package enables it) would replace the central
# playlists with its own: with a sync group it says so and stays out
cp -r "$T/box1/playlists" "$T/box1.playlists"
$SCHEDULER -c "$T/box1.cfg" --once --now "$NOW" 2>"$T/boxsched.log"
check "a box's scheduler (sync group): exit 0 ($?)" [ $? = 0 ]
check "a box's scheduler: says why it does not run" grep -q "has a sync group: .* signage-sync" "$T/boxsched.log"
check "a box's scheduler: the central playlists stay" diff -r "$T/box1.playlists" "$T/box1/playlists"
exit 0
