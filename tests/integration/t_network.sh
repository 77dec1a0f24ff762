# A network end to end (issue 15, README "Many boxes: step by step"): the
# README's own commands make a CA, the central server's certificate and
# one per box; nginx runs deploy/nginx-central.conf itself (only its paths
# and port changed) over TLS with client certificates; the central
# scheduler publishes; two boxes pull with signage-sync daemons, play with
# real players, and send their proof of play back; the central
# signagectl report and status count every line the boxes logged, once.
# Around that, what the documented config must refuse.
. "$SRCDIR/tests/integration/lib.sh"

SYNC=$BUILD/signage-sync
export TZ=Asia/Tokyo SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
for c in nginx ffmpeg openssl curl jq; do
    command -v $c >/dev/null || { fail "$c is not installed (make deps installs it)"; exit 0; }
done

# --- certificates: the README's commands ------------------------------------------
# readme_block NAME: the shell block after the README line "<!-- NAME -->"
readme_block() {
    awk -v tag="<!-- $1 -->" '$0 == tag { on = 1; next } on && /^```/ { if (in_block) exit; in_block = 1; next } on && in_block' \
        "$SRCDIR/README.md"
}
mkdir -p "$T/tls"
readme_block network-ca >"$T/ca.sh"
readme_block network-box >"$T/box.sh"
check_all "README: the CA and certificate steps are there" \
    '[ -s "$T/ca.sh" ]' '[ -s "$T/box.sh" ]'
# the central name: the README's central.example, and the loopback address
# the test's boxes use
sed -i 's/DNS:central.example/DNS:central.example,IP:127.0.0.1/' "$T/ca.sh"
(cd "$T/tls" && sh -e "$T/ca.sh" && sh -e "$T/box.sh") >"$T/openssl.log" 2>&1
check_all "README: the CA and the central certificate are made" \
    '[ -s "$T/tls/boxes-ca.crt" ]' '[ -s "$T/tls/central.crt" ]'
check_all "README: each box's key and certificate are made" \
    '[ -s "$T/tls/box-01.crt" ]' '[ -s "$T/tls/box-01.key" ]' '[ -s "$T/tls/box-02.crt" ]'
check "box-01's certificate is signed by the CA, for client use" \
    sh -c "openssl verify -CAfile '$T/tls/boxes-ca.crt' -purpose sslclient '$T/tls/box-01.crt' >/dev/null"
check "the central certificate is for a server" \
    sh -c "openssl verify -CAfile '$T/tls/boxes-ca.crt' -purpose sslserver '$T/tls/central.crt' >/dev/null"
check "the keys are readable by their owner only" \
    sh -c "[ \$(stat -c %a '$T/tls/boxes-ca.key') = 600 ] && [ \$(stat -c %a '$T/tls/box-01.key') = 600 ]"
# a rogue CA, and certificates named box-01 and box-02 it signed
mkdir -p "$T/rogue"
(cd "$T/rogue" && sh -e "$T/ca.sh" && sh -e "$T/box.sh") >>"$T/openssl.log" 2>&1

# --- the central state ----------------------------------------------------------
C=$T/central
mkdir -p "$C/spool/kochi"
cat >"$T/central.cfg" <<EOF
state = "$C";
settle = 0;
screens = (
  { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; },
  { id = "gou4"; groups = [ "shinjuku-west" ]; width = 1080; height = 1920; rotate = 90; },
  { id = "kochi-lobby"; groups = [ "kochi" ]; width = 1920; height = 1080; }
);
EOF
DAY0=$(date +%F)
PAST=$(date -d "$DAY0 2 days ago" +%F)
NOW=${DAY0}T12:00:00+09:00
ff -f lavfi -i testsrc=size=320x180:rate=1 -frames:v 1 "$C/spool/kochi/a.png"
printf 'id = "kochi-expo";\ntitle = "牧野博士の新休日";\nowner = "高知県";\nstart = "%s";\nend = "%s";\nscreens = [ "shinjuku-west" ];\nitems = (\n  { type = "image"; file = "kochi/a.png"; duration = 10; },\n  { type = "text"; text = "牧野博士の新休日"; duration = 10; } );\n' \
    "$(date -d "$DAY0 7 days ago" +%F)" "$(date -d "$DAY0 60 days" +%F)" >"$C/spool/kochi-expo.cfg"
printf 'id = "tokyo-wood";\ntitle = "WOODコレクション";\nowner = "東京都";\nstart = "%s";\nend = "%s";\nscreens = [ "kochi" ];\nitems = ( { type = "text"; text = "WOODコレクション2023"; duration = 10; } );\n' \
    "$(date -d "$DAY0 7 days ago" +%F)" "$(date -d "$DAY0 60 days" +%F)" >"$C/spool/tokyo-wood.cfg"
$SCHEDULER -c "$T/central.cfg" --once --now "$NOW" 2>>"$T/central.log"
check_all "central: three playlists published" \
    '[ -f "$C/playlists/plaza.playlist" ]' '[ -f "$C/playlists/gou4.playlist" ]' '[ -f "$C/playlists/kochi-lobby.playlist" ]'

# --- nginx: the documented config ----------------------------------------------------
N=$T/nginx
mkdir -p "$N/tmp" "$T/upload" # as the README's install -d: no folder per box
# nginx's workers as an unprivileged user, as www-data in the README: the
# upload folder is theirs, the state readable (the scratch folder is 0700)
if [ "$(id -u)" = 0 ]; then
    chown nobody:nogroup "$T/upload"
    chmod 755 "$T"
fi
PORT=$(shuf -i 20000-60000 -n 1)
sed -e "s#listen 443 ssl http2;#listen 127.0.0.1:$PORT ssl http2;#" -e '/listen \[::\]:443/d' \
    -e "s#/etc/signage/tls/#$T/tls/#g" -e "s#/var/lib/signage-central/upload/#$T/upload/#g" \
    -e "s#/var/lib/signage/#$C/#g" -e "s#/var/log/nginx/#$N/#g" \
    "$SRCDIR/deploy/nginx-central.conf" >"$N/site.conf"
# box-01 here is the README's spare PC: it also plays gou4 (box-03's in the
# example), so its line goes into the map, as an admin would add it
sed -i 's#^    box-03/gou4 1;$#&\n    box-01/gou4 1;#' "$N/site.conf"
check "the spare box's screen is added to the map" grep -q '^    box-01/gou4 1;$' "$N/site.conf"
check "every path of the documented config is moved into the test" \
    sh -c "! grep -nE '^[^#]*(/etc/|/var/)' '$N/site.conf'"
{ nginx_head "$N" "nobody nogroup"; cat <<EOF; } >"$N/nginx.conf"
    include $N/site.conf;
    # not the documented config: a server that sends boxes off TLS
    server {
        listen 127.0.0.1:$((PORT + 1)) ssl;
        ssl_certificate $T/tls/central.crt;
        ssl_certificate_key $T/tls/central.key;
        access_log off;
        location / { return 302 http://127.0.0.1:$((PORT + 2))\$request_uri; }
    }
    server {
        listen 127.0.0.1:$((PORT + 2));
        access_log $N/plain.log;
        location /state/playlists/ { alias $C/playlists/; }
    }
}
EOF
check "nginx -t accepts the documented config" nginx -t -q -p "$N" -c "$N/nginx.conf" -e "$N/error.log"
nginx -p "$N" -c "$N/nginx.conf" -e "$N/error.log" 2>>"$N/start.err" &
NGINX=$!
pids=
trap 'kill $NGINX $pids 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"' EXIT
wait_until 5 test -s "$N/nginx.pid"
sleep 0.2
U=https://127.0.0.1:$PORT
if [ "$(id -u)" = 0 ]; then
    check "nginx's worker runs as nobody, as www-data would" \
        sh -c "[ \"\$(ps -o user= --ppid \$(cat '$N/nginx.pid') | sort -u | tr -d ' ')\" = nobody ]"
fi

# --- what the documented config refuses -------------------------------------------------
# code [CERT] CURL-ARGS...: the HTTP status curl gets (000: no answer)
code() {
    cert=$1; shift
    set -- --cacert "$T/tls/boxes-ca.crt" "$@"
    [ -n "$cert" ] && set -- --cert "$cert.crt" --key "$cert.key" "$@"
    curl -s -o "$T/body" -w '%{http_code}' --max-time 10 "$@"
}
B1=$T/tls/box-01 B2=$T/tls/box-02
check "a box's certificate: its playlist (200)" [ "$(code "$B1" "$U/state/playlists/plaza.playlist")" = 200 ]
check "no client certificate: refused (400)" [ "$(code "" "$U/state/playlists/plaza.playlist")" = 400 ]
check "a box-01 certificate from another CA: refused (400)" \
    [ "$(code "$T/rogue/box-01" "$U/state/playlists/plaza.playlist")" = 400 ]
check "a box refuses the server when it does not trust its CA" \
    sh -c "curl -s -o /dev/null --cacert '$T/rogue/boxes-ca.crt' --cert '$B1.crt' --key '$B1.key' '$U/state/playlists/plaza.playlist'; [ \$? = 60 ]"
for p in campaigns/kochi-expo.cfg spool/kochi-expo.cfg signage.cfg log/ .lock; do
    check "the state's $p is not served (404)" [ "$(code "$B1" "$U/state/$p")" = 404 ]
done
check "a path out of playlists/ is not served (404)" \
    [ "$(code "$B1" --path-as-is "$U/state/playlists/../campaigns/kochi-expo.cfg")" = 404 ]
M=$(ls "$C/media" | head -1)
cp "$C/media/$M" "$T/medium.orig"
check_all "a medium is served" \
    '[ "$(code "$B1" "$U/state/media/$M")" = 200 ]' 'cmp -s "$T/body" "$C/media/$M"'
check "a medium is cacheable for ever (immutable)" \
    sh -c "curl -sI --cacert '$T/tls/boxes-ca.crt' --cert '$B1.crt' --key '$B1.key' '$U/state/media/$M' | grep -qi '^cache-control: public, max-age=31536000, immutable'"
check "a playlist must be revalidated (no-cache)" \
    sh -c "curl -sI --cacert '$T/tls/boxes-ca.crt' --cert '$B1.crt' --key '$B1.key' '$U/state/playlists/plaza.playlist' | grep -qi '^cache-control: no-cache'"
echo x >"$T/x"
check "no PUT into the media (403)" [ "$(code "$B1" -T "$T/x" "$U/state/media/$M")" = 403 ]
check "no DELETE of a playlist (403)" [ "$(code "$B1" -X DELETE "$U/state/playlists/plaza.playlist")" = 403 ]
check "the medium is unchanged" cmp -s "$T/medium.orig" "$C/media/$M"
check "box-01 may PUT into its own folder (201)" \
    [ "$(code "$B1" -T "$T/x" "$U/upload/box-01/plaza/play-$PAST.jsonl.000000000000.part")" = 201 ]
check "box-01 may DELETE there (204)" \
    [ "$(code "$B1" -X DELETE "$U/upload/box-01/plaza/play-$PAST.jsonl.000000000000.part")" = 204 ]
check "box-01 may not PUT into box-02's (403)" \
    [ "$(code "$B1" -T "$T/x" "$U/upload/box-02/kochi-lobby/play-$PAST.jsonl")" = 403 ]
check "nor through ../ (403)" \
    [ "$(code "$B1" --path-as-is -T "$T/x" "$U/upload/box-01/../box-02/kochi-lobby/play-$PAST.jsonl")" = 403 ]
check "a box may not read the uploads back (403)" \
    [ "$(code "$B2" "$U/upload/box-02/kochi-lobby/play-$PAST.jsonl")" = 403 ]
c=$(code "$B1" -T "$T/x" "$U/upload/box-01/plaza/run.sh")
check_range "a name that is not a proof-of-play file: refused ($c)" "$c" 400 499
check "box-01 may not send proof of play of a screen it does not play (403)" \
    [ "$(code "$B1" -T "$T/x" "$U/upload/box-01/kochi-lobby/play-$PAST.jsonl")" = 403 ]
check "nothing but box-01/plaza/ was made by those requests" \
    sh -c "[ \"\$(ls '$T/upload')\" = box-01 ] && [ \"\$(ls '$T/upload/box-01')\" = plaza ] && [ -z \"\$(ls '$T/upload/box-01/plaza')\" ]"

# --- two boxes: signage-sync daemons and players --------------------------------
# mkbox NAME SCREEN...: the README's box config, pointed at the loopback
# server; its TLS files relative to the config's folder, as in the README
mkbox() {
    name=$1; shift
    scr= ids=
    for s in "$@"; do
        scr="$scr${scr:+,
}  { id = \"$s\"; width = 1920; height = 1080; }"
        ids="$ids${ids:+, }\"$s\""
    done
    mkdir -p "$T/$name/tls"
    cp "$T/tls/boxes-ca.crt" "$T/tls/$name.crt" "$T/tls/$name.key" "$T/$name/tls/"
    cat >"$T/$name.cfg" <<EOF
state = "$T/$name";
screens = (
$scr
);
sync = {
  url = "$U/state/";
  screens = [ $ids ];
  upload = "$U/upload/$name/";
  interval = 1; upload_interval = 1; max_backoff = 4;
  ca = "$name/tls/boxes-ca.crt"; cert = "$name/tls/$name.crt"; key = "$name/tls/$name.key";
};
EOF
}
mkbox box-01 plaza gou4
mkbox box-02 kochi-lobby
$SYNC -c "$T/box-01.cfg" 2>"$T/sync1.log" &
pids="$pids $!"
$SYNC -c "$T/box-02.cfg" 2>"$T/sync2.log" &
pids="$pids $!"
check "box-01 receives its two playlists over TLS" \
    wait_until 20 sh -c "cmp -s '$C/playlists/plaza.playlist' '$T/box-01/playlists/plaza.playlist' &&
        cmp -s '$C/playlists/gou4.playlist' '$T/box-01/playlists/gou4.playlist'"
check "box-02 receives its playlist, and no other" \
    wait_until 20 cmp -s "$C/playlists/kochi-lobby.playlist" "$T/box-02/playlists/kochi-lobby.playlist"
check "box-02 has no Shinjuku playlist" [ ! -e "$T/box-02/playlists/plaza.playlist" ]
check "box-01 has the picture, box-02 none (it plays text only)" \
    sh -c "[ -f '$T/box-01/media/$M' ] && [ -z \"\$(ls '$T/box-02/media' 2>/dev/null)\" ]"
# the players: 6 s each at 20x (two minutes of the day); box-02 also plays
# two days ago, a closed day that goes whole
play() { # play BOX SCREEN CLOCK
    $PLAYER -c "$T/$1.cfg" --screen "$2" --clock "$3" --clock-rate 20 2>>"$T/player-$1.log" &
    pids="$pids $!"
}
play box-01 plaza "$NOW"
play box-01 gou4 "$NOW"
play box-02 kochi-lobby "$NOW"
sleep 6
kill -TERM $pids 2>/dev/null
wait $pids 2>/dev/null
pids=
play box-02 kochi-lobby "${PAST}T12:00:00+09:00"
sleep 3
kill -TERM $pids
wait $pids
pids=
touch -d '2 hours ago' "$T/box-02/log/kochi-lobby/play-$PAST.jsonl"
# what the boxes logged, per screen: played or cut lines
logged() { cat "$T"/box-0*/log/"$1"/play-*.jsonl 2>/dev/null | grep -c '"result":"\(played\|cut\)"'; }
lp=$(logged plaza) lg=$(logged gou4) lk=$(logged kochi-lobby)
check_range "box-01 logged plays on plaza" "$lp" 8 40
check_range "box-01 logged plays on gou4" "$lg" 8 40
check_range "box-02 logged plays on kochi-lobby (today and two days ago)" "$lk" 10 60

# --- the proof of play reaches the central report ------------------------------------
for b in 1 2; do
    $SYNC -c "$T/box-0$b.cfg" 2>>"$T/sync$b.log" &
    pids="$pids $!"
done
# same FILE: the server's copy of a box's day file (the whole, else its parts) is it
same() {
    up=$T/upload/$1/$2/${3##*/}
    if [ -f "$up" ]; then cmp -s "$3" "$up"; else cat "$up".*.part 2>/dev/null | cmp -s "$3" -; fi
}
all_up() {
    for f in "$T"/box-01/log/*/play-*.jsonl "$T"/box-02/log/*/play-*.jsonl; do
        b=${f#"$T"/}
        s=${f%/*}
        same "${b%%/*}" "${s##*/}" "$f" || return 1
    done
}
check "every line the boxes logged is on the server" wait_until 20 all_up
if [ "$(id -u)" = 0 ]; then
    check "the uploads belong to nginx's user" \
        sh -c "[ -z \"\$(find '$T/upload' ! -user nobody)\" ]"
fi
check "today's files went as parts" \
    sh -c "ls '$T/upload/box-01/plaza/' | grep -q '^play-$DAY0.jsonl.000000000000.part\$'"
check "the closed day went whole, without parts" \
    wait_until 10 sh -c "[ -f '$T/upload/box-02/kochi-lobby/play-$PAST.jsonl' ] && ! ls '$T/upload/box-02/kochi-lobby/' | grep -q '$PAST.*part'"
kill -TERM $pids
wait $pids
pids=
check "no signage-sync logged an error" sh -c "! grep -h 'error\|refused\|unreachable' '$T/sync1.log' '$T/sync2.log'"

$CTL -c "$T/central.cfg" --json report --from "$PAST" --to "$DAY0" --by screen --boxes "$T/upload" >"$T/report.json" 2>"$T/report.err"
check "central: report --boxes exits 0" [ $? = 0 ]
plays() { jq -r --arg s "$1" '[.rows[] | select(.screen == $s) | .plays] | add // 0' "$T/report.json"; }
check_range "central report: plaza counts every line box-01 logged" "$(plays plaza)" "$lp" "$lp"
check_range "central report: gou4 counts every line box-01 logged" "$(plays gou4)" "$lg" "$lg"
check_range "central report: kochi-lobby counts both days of box-02" "$(plays kochi-lobby)" "$lk" "$lk"
# the same day read twice (a whole file and its parts on the server) counts once
cp "$T/box-02/log/kochi-lobby/play-$PAST.jsonl" "$T/upload/box-02/kochi-lobby/play-$PAST.jsonl.000000000000.part"
$CTL -c "$T/central.cfg" --json report --from "$PAST" --to "$DAY0" --by screen --boxes "$T/upload" >"$T/report.json" 2>>"$T/report.err"
check_range "central report: a day both whole and in parts counts once" "$(plays kochi-lobby)" "$lk" "$lk"
# box-01 slips plays of kochi-lobby into its own plaza folder (the one place
# it may write): not counted, and said
grep -h '"result":"played"' "$T/box-02/log/kochi-lobby/play-$DAY0.jsonl" | head -2 >"$T/forged"
# and one later than anything played, for status
printf '{"screen":"kochi-lobby","campaign":"tokyo-wood","owner":"東京都","title":"x","item":0,"type":"text","media":null,"sha256":null,"start":"%sT12:04:50.000+09:00","end":"%sT12:05:00.000+09:00","planned_ms":10000,"shown_ms":10000,"result":"played","generation":1}\n' \
    "$DAY0" "$DAY0" >>"$T/forged"
check "box-01 can write its plaza folder (201)" \
    [ "$(code "$B1" -T "$T/forged" "$U/upload/box-01/plaza/play-$DAY0.jsonl.900000000000.part")" = 201 ]
$CTL -c "$T/central.cfg" --json report --from "$PAST" --to "$DAY0" --by screen --boxes "$T/upload" >"$T/report.json" 2>"$T/forged.err"
check_range "central report: kochi-lobby's lines in box-01's plaza folder are not counted" "$(plays kochi-lobby)" "$lk" "$lk"
check_range "central report: nor are they plaza's" "$(plays plaza)" "$lp" "$lp"
check "central report: and that is said" grep -q "plaza/play-$DAY0.jsonl.900000000000.part: 3 lines naming another screen than its folder's: not counted" "$T/forged.err"
$CTL -c "$T/central.cfg" --now "${DAY0}T12:06:00+09:00" --json status --boxes "$T/upload" >"$T/status.json" 2>>"$T/forged.err"
check "central status: plaza's last line is not one naming kochi-lobby" \
    sh -c "[ \"\$(jq -r '.screens[] | select(.screen == \"plaza\") | .last_log.campaign' '$T/status.json')\" = kochi-expo ]"
check "central status: nor is kochi-lobby's, from box-01's folder" \
    sh -c "jq -r '.screens[] | select(.screen == \"kochi-lobby\") | .last_log.file' '$T/status.json' | grep -q /upload/box-02/"
rm "$T/upload/box-01/plaza/play-$DAY0.jsonl.900000000000.part"
$CTL -c "$T/central.cfg" --now "$(date -d "$NOW 2 minutes" --iso-8601=seconds)" --json status --boxes "$T/upload" >"$T/status.json" 2>>"$T/report.err"
check "central status --boxes: all three screens ok" \
    sh -c "[ \"\$(jq -r '.screens[] | select(.health == \"ok\") | .screen' '$T/status.json' | sort | tr '\n' ' ')\" = 'gou4 kochi-lobby plaza ' ]"
check "central status --boxes: each screen's last line is from its box's uploads" \
    sh -c "jq -r '.screens[] | .screen + \" \" + .last_log.file' '$T/status.json' | awk '
        \$1 == \"kochi-lobby\" && index(\$2, \"/upload/box-02/kochi-lobby/\") { n++ }
        \$1 != \"kochi-lobby\" && index(\$2, \"/upload/box-01/\" \$1 \"/\") { n++ } END { exit n != 3 }'"

# --- a box that is not who it says --------------------------------------------------------
sed "s#upload = \"$U/upload/box-01/\"#upload = \"$U/upload/box-02/\"#" "$T/box-01.cfg" >"$T/liar.cfg"
echo '{"screen":"plaza"}' >>"$T/box-01/log/plaza/play-$DAY0.jsonl"
$SYNC -c "$T/liar.cfg" --once 2>"$T/liar.log"
check "box-01's certificate uploading as box-02: refused (exit 1)" [ $? = 1 ]
check "and said: HTTP 403, with what to check" grep -q "HTTP 403 (not allowed: does the upload url name this box" "$T/liar.log"
check "nothing reached box-02's folder from box-01" sh -c "[ \"\$(ls '$T/upload/box-02')\" = kochi-lobby ]"
sed "s#box-01/tls/boxes-ca.crt#rogue/boxes-ca.crt#" "$T/box-01.cfg" >"$T/untrusted.cfg"
$SYNC -c "$T/untrusted.cfg" --once 2>"$T/untrusted.log"
check "a server its CA did not sign: refused (exit 1)" [ $? = 1 ]
check "and said: TLS, the certificate problem, what to check" \
    grep -q "not reached over TLS (.*SSL certificate problem.*check the sync group's url, ca, cert and key" "$T/untrusted.log"
sed 's#cert = "[^"]*"; key = "[^"]*";##' "$T/box-01.cfg" >"$T/nocert.cfg"
$SYNC -c "$T/nocert.cfg" --once 2>"$T/nocert.log"
check "a box without its certificate: refused (exit 1)" [ $? = 1 ]
check "and said: HTTP 400, with what to check" grep -q "HTTP 400 (no client certificate the server trusts? check the sync group's cert and key)" "$T/nocert.log"
sed "s#url = \"$U/state/\"#url = \"https://127.0.0.1:$((PORT + 1))/state/\"#" "$T/box-01.cfg" >"$T/downgrade.cfg"
$SYNC -c "$T/downgrade.cfg" --once 2>"$T/downgrade.log"
check "a redirect from https to plain http: refused (exit 1)" [ $? = 1 ]
check "and said" grep -q "not reached over TLS (.*redirected off https, refused" "$T/downgrade.log"
check "no request went out in plain http" sh -c "[ ! -s '$N/plain.log' ]"
check "the box keeps its playlists" cmp -s "$C/playlists/plaza.playlist" "$T/box-01/playlists/plaza.playlist"

# --- a stolen box: revoked by name in the nginx config, then a reload -----------------
sed -i 's/^    # box-07 1;$/    box-02 1;/' "$N/site.conf"
check "revoking: the line is in the documented map" grep -q '^    box-02 1;$' "$N/site.conf"
# as systemctl reload nginx does (ExecReload): the config is tested first.
# Until the old worker has gone, it may still take a request with the old
# config (nginx's graceful reload): the checks wait for that.
old_workers=$(ps -o pid= --ppid "$(cat "$N/nginx.pid")" | tr -s ' \n' ' ')
nginx -p "$N" -c "$N/nginx.conf" -e "$N/error.log" -s reload >"$N/reload.log" 2>&1
check "nginx -s reload accepts the map ($?)" [ $? = 0 ]
check "nginx: the workers of the old config are gone ($old_workers)" \
    wait_until 90 sh -c "for p in $old_workers; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
check "revoked box-02: its playlist refused (403)" \
    [ "$(code "$B2" "$U/state/playlists/kochi-lobby.playlist")" = 403 ]
check "revoked box-02: its uploads refused (403)" \
    [ "$(code "$B2" -T "$T/x" "$U/upload/box-02/kochi-lobby/play-$PAST.jsonl")" = 403 ]
check "revoked box-02: the server's copy is unchanged" \
    cmp -s "$T/box-02/log/kochi-lobby/play-$PAST.jsonl" "$T/upload/box-02/kochi-lobby/play-$PAST.jsonl"
check "box-01 is still served (200)" [ "$(code "$B1" "$U/state/playlists/plaza.playlist")" = 200 ]

# --- the daemon's long-running path under valgrind (not under ASan) --------------------
if [ "${SANITIZE:-}" != 1 ] && command -v valgrind >/dev/null; then
    line() { printf '{"screen":"plaza","campaign":"kochi-expo","item":%d,"result":"played"}\n' "$1"; }
    valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
        --log-file="$T/vg.log" $SYNC -c "$T/box-01.cfg" -v 2>"$T/vgsync.log" &
    vpid=$!
    pids=$vpid
    # passes of 304s, then new lines to upload while it runs, then SIGTERM
    wait_until 60 sh -c "[ \$(grep -c 'next poll in' '$T/vgsync.log' 2>/dev/null) -ge 3 ] 2>/dev/null"
    for i in 1 2 3; do line "$i" >>"$T/box-01/log/plaza/play-$DAY0.jsonl"; done
    wait_until 60 sh -c "[ \$(grep -c 'next poll in' '$T/vgsync.log' 2>/dev/null) -ge 6 ] 2>/dev/null"
    kill -TERM $vpid
    wait $vpid
    rc=$?
    pids=
    check_range "valgrind: signage-sync made passes over TLS" "$(grep -c 'next poll in' "$T/vgsync.log")" 6 1000
    check "valgrind: SIGTERM, exit 0, no error, nothing definitely lost ($rc)" \
        sh -c "[ $rc = 0 ] && grep -q 'ERROR SUMMARY: 0 errors' '$T/vg.log'"
    check "valgrind: the new lines were sent meanwhile" all_up
fi
exit 0
