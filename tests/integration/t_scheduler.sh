# signage-scheduler end to end: --once ingestion (accept, reject, pending),
# playlists untouched by bad files, replace by id, withdraw, generations,
# `signagectl at` across window edges, and the daemon (drop latency, SIGHUP,
# SIGTERM).
. "$SRCDIR/tests/integration/lib.sh"

S=$T/state
NOW=2023-03-15T10:00:00+09:00
mkdir -p "$T/cfg" "$S/spool/kochi"
write_cfg() {
    cat >"$T/cfg/signage.cfg" <<EOF
state = "$S";
timezone = "Asia/Tokyo";
pending_grace = 60;
settle = 0.2;
screens = (
  { id = "shinjuku-west-plaza"; groups = [ "shinjuku-west", "tokyo" ]; width = 1920; height = 1080; },
  { id = "shinjuku-west-4gou"; groups = [ "shinjuku-west", "tokyo" ]; width = 1080; height = 1920; rotate = 90; },
  { id = "kochi-station"; groups = [ "kochi" ]; width = 1920; height = 1080; }$1
);
EOF
}
write_cfg ""
SCHED="$SCHEDULER -c $T/cfg/signage.cfg"
CTLC="$CTL -c $T/cfg/signage.cfg"
ff -f lavfi -i testsrc2=s=320x240 -frames:v 1 "$S/spool/kochi/makino.jpg"
ff -f lavfi -i testsrc2=s=320x240:r=10:d=3 -c:v libx264 -pix_fmt yuv420p "$S/spool/kochi/expo.mp4"
ff -f lavfi -i color=c=red:s=320x240 -frames:v 1 "$S/spool/appeal.png"

kochi() { # kochi TITLE > file
    cat <<EOF
id = "kochi-makino-expo";
title = "$1";
owner = "高知県";
start = "2023-03-01";
end = "2023-03-31";
screens = [ "shinjuku-west" ];
items = (
  { type = "image"; file = "kochi/makino.jpg"; duration = 15; },
  { type = "video"; file = "kochi/expo.mp4"; },
  { type = "text"; text = "牧野博士の新休日\nらんまんの舞台・高知"; duration = 10; }
);
EOF
}
gen() { sed -n 's/^generation = \([0-9]*\)L*;/\1/p' "$S/playlists/$1.playlist"; }
sums() { (cd "$S/playlists" && cat *.playlist | md5sum); }

# --- accept ---------------------------------------------------------------
kochi "高知県観光博覧会" >"$S/spool/kochi-makino-expo.cfg"
cp "$S/spool/kochi-makino-expo.cfg" "$T/orig.cfg"
$SCHED --once --now $NOW 2>"$T/log1"
check "once exits 0" [ $? -eq 0 ]
check "accepted campaign written" [ -f "$S/campaigns/kochi-makino-expo.cfg" ]
check "original kept in the history, byte for byte" \
    cmp -s "$T/orig.cfg" "$S/campaigns/history/kochi-makino-expo/1.src"
check_not "spool file moved away" [ -e "$S/spool/kochi-makino-expo.cfg" ]
check "media left in the spool" [ -f "$S/spool/kochi/makino.jpg" ]
check "normalised file names the stored medium" \
    grep -q 'media = "media/[0-9a-f]\{64\}\.jpg"' "$S/campaigns/kochi-makino-expo.cfg"
sha=$(sha256sum "$S/spool/kochi/expo.mp4" | cut -d' ' -f1)
check "video stored under its sha256" [ -f "$S/media/$sha.mp4" ]
check "video duration from the probe (3 s)" \
    grep -q 'type = "video"; duration_ms = 3000;' "$S/campaigns/kochi-makino-expo.cfg"
check "playlists for every screen" [ -f "$S/playlists/shinjuku-west-plaza.playlist" -a \
    -f "$S/playlists/shinjuku-west-4gou.playlist" -a -f "$S/playlists/kochi-station.playlist" ]
check "generation 1" [ "$(gen shinjuku-west-plaza)" = 1 ]
check "log names the file" grep -q 'spool/kochi-makino-expo.cfg: accepted' "$T/log1"
grep -q kochi-makino-expo "$S/playlists/kochi-station.playlist"
check_not "kochi screen does not get the Shinjuku campaign" [ $? -eq 0 ]

# --- unchanged republish keeps generation and bytes --------------------------
before=$(sums)
$SCHED --once --now $NOW 2>/dev/null
check "republish without change: bytes identical" [ "$(sums)" = "$before" ]
check "republish without change: same generation" [ "$(gen shinjuku-west-plaza)" = 1 ]

# --- reject ---------------------------------------------------------------
cat >"$S/spool/bad.cfg" <<'EOF'
id = "bad-one";
title = "x";
owner = "x";
start = "2023-03-01";
end = "2023-03-31";
screens = [ "nowhere" ];
items = ( { type = "text"; text = "x"; } );
EOF
cp "$S/spool/bad.cfg" "$T/bad.cfg"
$SCHED --once --now $NOW 2>"$T/log2"
check "once exits 0 with a rejection" [ $? -eq 0 ]
check "rejected file moved unchanged" cmp -s "$T/bad.cfg" "$S/rejected/bad.cfg"
check ".error in compiler style" grep -q '^bad.cfg:[0-9]*: error: .*nowhere' "$S/rejected/bad.cfg.error"
check "bad file: playlists byte-identical" [ "$(sums)" = "$before" ]
check "bad file: generation unchanged" [ "$(gen shinjuku-west-plaza)" = 1 ]
check_not "bad file never accepted" [ -e "$S/campaigns/bad-one.cfg" ]
cp "$T/bad.cfg" "$S/spool/bad.cfg"
$SCHED --once --now $NOW 2>/dev/null
check "name clash gets a suffix, nothing overwritten" \
    [ -f "$S/rejected/bad.1.cfg" -a -f "$S/rejected/bad.1.cfg.error" -a -f "$S/rejected/bad.cfg" ]

# --- pending, then rejected after the grace period ---------------------------
cat >"$S/spool/later.cfg" <<'EOF'
id = "later";
title = "x"; owner = "x";
start = "2023-03-01"; end = "2023-03-31";
screens = [ "kochi" ];
items = ( { type = "image"; file = "notyet/pic.png"; } );
EOF
$SCHED --once --now 2023-03-15T10:00:00+09:00 2>"$T/log3"
check "missing media: pending, stays in the spool" [ -f "$S/spool/later.cfg" ]
check "pending is logged" grep -q 'later.cfg: pending' "$T/log3"
$SCHED --once --now 2023-03-15T10:00:30+09:00 2>/dev/null
check "still pending inside the grace period" [ -f "$S/spool/later.cfg" ]
$SCHED --once --now 2023-03-15T10:01:01+09:00 2>/dev/null
check "rejected once the grace period is over" [ -f "$S/rejected/later.cfg" ]
check "grace rejection says why" grep -q 'still missing' "$S/rejected/later.cfg.error"
check "grace rejection names the file" grep -q 'notyet/pic.png' "$S/rejected/later.cfg.error"
# pending then the media arrive: accepted
cat >"$S/spool/soon.cfg" <<'EOF'
id = "soon";
title = "x"; owner = "x";
start = "2023-03-01"; end = "2023-03-31";
screens = [ "kochi" ];
items = ( { type = "image"; file = "soon/pic.png"; } );
EOF
$SCHED --once --now $NOW 2>/dev/null
mkdir -p "$S/spool/soon" && cp "$S/spool/appeal.png" "$S/spool/soon/pic.png"
$SCHED --once --now 2023-03-15T10:00:20+09:00 2>/dev/null
check "pending accepted once its media arrive" [ -f "$S/campaigns/soon.cfg" ]
check "pending record cleared" [ ! -s "$S/.pending" ]

# --- Windows habits: BOM, CRLF, Japanese name with spaces ---------------------
printf '\357\273\277id = "wood";\r\ntitle = "WOODコレクション2023";\r\nowner = "東京都";\r\nstart = "2023-02-15";\r\nend = "2023-03-31";\r\nscreens = [ "kochi" ];\r\nitems = ( { type = "text"; text = "WOOD"; } );\r\n' \
    >"$S/spool/東京 WOOD コレクション.cfg"
$SCHED --once --now $NOW 2>"$T/log4"
check "BOM + CRLF + Japanese name with spaces accepted" [ -f "$S/campaigns/wood.cfg" ]

# --- replace by same id --------------------------------------------------------
g1=$(gen shinjuku-west-plaza)
kochi "新しい題名" >"$S/spool/kochi-v2.cfg"
$SCHED --once --now $NOW 2>"$T/log5"
check "same id replaces the accepted version" grep -q '新しい題名' "$S/campaigns/kochi-makino-expo.cfg"
check "replacement logged" grep -q 'replacing the previous version' "$T/log5"
check "changed playlist gets generation + 1" [ "$(gen shinjuku-west-plaza)" = $((g1 + 1)) ]
check "unaffected playlist keeps its generation" [ "$(gen kochi-station)" -ge 1 ]
gk=$(gen kochi-station)
$SCHED --once --now $NOW 2>/dev/null
check "generation increases only on change" [ "$(gen kochi-station)" = "$gk" ]

# --- at across window edges -------------------------------------------------------
cat >"$S/spool/appeal.cfg" <<'EOF'
id = "appeal";
title = "特別区 災害支援"; owner = "特別区長会";
start = "2023-03-15T10:02:00+09:00"; end = "2023-03-15T10:05:00+09:00";
screens = [ "*" ]; priority = 100;
items = ( { type = "image"; file = "appeal.png"; duration = 10; } );
EOF
$SCHED --once --now $NOW 2>/dev/null
at() { $CTLC --now $NOW at "$@" | cut -d' ' -f1; }
check "at: expo on its last second" [ "$(at shinjuku-west-plaza 2023-03-31T23:59:59)" = kochi-makino-expo ]
check "at: expo gone at 04-01 00:00" [ "$(at shinjuku-west-plaza 2023-04-01T00:00:00)" = - ]
check "at: before the takeover" [ "$(at shinjuku-west-4gou 2023-03-15T10:01:59.999)" = kochi-makino-expo ]
check "at: takeover starts" [ "$(at shinjuku-west-4gou 2023-03-15T10:02:00)" = appeal ]
check "at: takeover on a screen with no campaign" [ "$(at kochi-station 2023-03-15T10:04:59)" = appeal ]
check "at: takeover ends" [ "$(at shinjuku-west-4gou 2023-03-15T10:05:00)" = kochi-makino-expo ]
line=$($CTLC --now $NOW at shinjuku-west-plaza 2023-03-31T23:59:59)
check "at: the slot is cut at the window end" \
    sh -c "echo '$line' | grep -q ' 2023-04-01T00:00:00.000+09:00\$'"
# The published playlist and a fresh computation agree on every edge.
for t in 2023-03-31T23:59:59 2023-04-01T00:00:00 2023-03-15T10:01:59 2023-03-15T10:02:00 \
    2023-03-15T10:04:59.999 2023-03-15T10:05:00 2023-03-20T13:33:37; do
    $CTLC --now $NOW at shinjuku-west-plaza $t >>"$T/at.published"
done
mv "$S/playlists" "$S/playlists.away"
mkdir "$S/playlists"
for t in 2023-03-31T23:59:59 2023-04-01T00:00:00 2023-03-15T10:01:59 2023-03-15T10:02:00 \
    2023-03-15T10:04:59.999 2023-03-15T10:05:00 2023-03-20T13:33:37; do
    $CTLC --now $NOW at shinjuku-west-plaza $t >>"$T/at.computed"
done
rmdir "$S/playlists" && mv "$S/playlists.away" "$S/playlists"
check "at: published playlist and computation agree" cmp -s "$T/at.published" "$T/at.computed"
check "at: playlist window edge present" \
    grep -q 'start = "2023-03-15T10:02:00.000+09:00"; end = "2023-03-15T10:05:00.000+09:00"' \
    "$S/playlists/shinjuku-west-plaza.playlist"

# --- withdraw -------------------------------------------------------------------
g=$(gen shinjuku-west-plaza)
$CTLC --now $NOW withdraw appeal >/dev/null 2>&1
check "withdraw exits 0" [ $? -eq 0 ]
check_not "withdrawn campaign file removed" [ -e "$S/campaigns/appeal.cfg" ]
check "withdraw republishes" [ "$(gen shinjuku-west-plaza)" = $((g + 1)) ]
check_not "withdrawn campaign gone from playlists" grep -q '"appeal"' "$S/playlists/shinjuku-west-plaza.playlist"
before=$(sums)
$SCHED --once --now $NOW 2>/dev/null
check "daemon and signagectl agree after withdraw" [ "$(sums)" = "$before" ]

# --- the daemon -------------------------------------------------------------------
$SCHED --now $NOW 2>"$T/daemon.log" &
pid=$!
check "daemon starts" wait_until 5 grep -q watching "$T/daemon.log"
g=$(gen kochi-station)
cat >"$T/drop.cfg" <<'EOF'
id = "dropped";
title = "x"; owner = "x";
start = "2023-03-10"; end = "2023-03-20";
screens = [ "kochi" ];
items = ( { type = "text"; text = "dropped in"; } );
EOF
t0=$(date +%s%N)
cp "$T/drop.cfg" "$S/spool/drop.cfg"
i=0
while [ "$(gen kochi-station)" = "$g" ] && [ $i -lt 2000 ]; do sleep 0.005; i=$((i + 1)); done
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
echo "# drop-to-playlist latency: $ms ms"
check "dropped file reaches the playlist" grep -q '"dropped"' "$S/playlists/kochi-station.playlist"
# A partial copy (*.part, dot file) is left alone; the rename into place counts.
printf 'id = "renamed"; title = "x"; owner = "x"; start = "2023-03-10"; end = "2023-03-20"; screens = [ "kochi" ]; items = ( { type = "text"; text = "r"; } );\n' >"$S/spool/.renamed.cfg.tmp"
sleep 0.3
check "dot files are left alone" [ -f "$S/spool/.renamed.cfg.tmp" ]
mv "$S/spool/.renamed.cfg.tmp" "$S/spool/renamed.cfg"
i=0
while [ ! -f "$S/campaigns/renamed.cfg" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
check "moved-in file accepted" [ -f "$S/campaigns/renamed.cfg" ]
# withdraw while the daemon runs: both agree
$CTLC --now $NOW withdraw dropped >/dev/null 2>&1
sleep 0.3
check_not "withdraw while running: gone from the playlist" grep -q '"dropped"' "$S/playlists/kochi-station.playlist"
# SIGHUP with a new screen
write_cfg ',
  { id = "kochi-airport"; groups = [ "kochi" ]; width = 1920; height = 1080; }'
kill -HUP $pid
i=0
while [ ! -f "$S/playlists/kochi-airport.playlist" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done
check "SIGHUP reloads signage.cfg" [ -f "$S/playlists/kochi-airport.playlist" ]
# SIGHUP with a broken config keeps running on the old one
echo 'screens = ( garbage' >"$T/cfg/signage.cfg"
kill -HUP $pid
sleep 0.2
check "broken config on SIGHUP: still running" kill -0 $pid
check "broken config on SIGHUP: logged" grep -q 'keeping the previous configuration' "$T/daemon.log"
kill -TERM $pid
wait $pid
check "SIGTERM: exit 0" [ $? -eq 0 ]
check "daemon logs one line per file" grep -q 'spool/drop.cfg: accepted' "$T/daemon.log"

# --- the daily timer: just after local midnight the daemon republishes ------
# (its --now runs on with the monotonic clock: 23:59:57 is 8 s before the
# republish at 00:00:05)
write_cfg ''
$SCHED -v --now 2023-03-15T23:59:57+09:00 2>"$T/midnight.log" &
pid=$!
published() { [ "$(grep -c 'published:' "$T/midnight.log")" -ge "$1" ]; }
wait_until 10 published 1
check "midnight: published at start" published 1
wait_until 20 published 2
check "midnight: published again after midnight, by the daily timer" published 2
check "midnight: the daily timer fired" grep -q 'timer daily' "$T/midnight.log"
kill -TERM $pid
wait $pid
check "midnight: SIGTERM, exit 0" [ $? -eq 0 ]
