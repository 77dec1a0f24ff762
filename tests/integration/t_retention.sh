# Retention over a simulated year and more (issue 14): proof of play kept
# log_keep_days per screen, rejected/ emptied after rejected_keep_days,
# spool files no campaign uses moved to rejected/ (never destroyed at
# once), media nothing references removed after media_grace_days, and
# nothing that is still used touched.  The scheduler's --now moves time;
# files made now are as old as --now says.
. "$SRCDIR/tests/integration/lib.sh"

export TZ=Asia/Tokyo
S=$T/state
mkdir -p "$S/spool/kochi" "$S/spool/tokyo"
cat >"$T/signage.cfg" <<EOF
state = "$S";
settle = 0;
history_keep = 1;
screens = (
  { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; },
  { id = "gou4"; groups = [ "shinjuku-west" ]; width = 1080; height = 1920; rotate = 90; }
);
EOF
day() { date -d "$DAY0 $1 days" +%F; }
at() { echo "$(day "$1")T12:00:00+09:00"; }
run() { $SCHEDULER -c "$T/signage.cfg" --once --now "$(at "$1")" 2>>"$T/log.$1"; }
DAY0=$(date +%F)

# camp ID END FILE: a campaign showing the image FILE until END
camp() {
    cat <<EOF
id = "$1";
title = "$1";
owner = "高知県";
start = "$DAY0";
end = "$2";
screens = [ "*" ];
items = ( { type = "image"; file = "$3"; duration = 10; } );
EOF
}
img() { convert -size 64x36 "xc:$1" "$2"; }
img '#1b5e20' "$S/spool/kochi/a.png"
img '#0b2545' "$S/spool/tokyo/b.png"
img '#c62828' "$S/spool/tokyo/b2.png"
img '#f9a825' "$S/spool/kochi/partner.png"
img '#6a1b9a' "$S/spool/kochi/unused.png"
printf 'junk' >"$S/spool/Thumbs.db"
camp kochi-a "$(day +60)" kochi/a.png >"$S/spool/kochi-a.cfg"
camp tokyo-b "$(day +500)" tokyo/b.png >"$S/spool/tokyo-b.cfg"
printf 'id = "Bad";\n' >"$S/spool/bad.cfg"
run +0
check_all "day 0: two campaigns accepted" \
    '[ -f "$S/campaigns/kochi-a.cfg" ]' '[ -f "$S/campaigns/tokyo-b.cfg" ]'
check_all "day 0: a bad file rejected with its reason" \
    '[ -f "$S/rejected/bad.cfg" ]' '[ -f "$S/rejected/bad.cfg.error" ]'
media_of() { sed -n 's/.*media = "media\/\([0-9a-f]*\.[a-z]*\)".*/\1/p' "$1"; }
MA=$(media_of "$S/campaigns/kochi-a.cfg")
MB=$(media_of "$S/campaigns/tokyo-b.cfg")
# tokyo-b replaced: with history_keep = 1 its first version, and with it
# the only reference to b.png's medium, goes.
camp tokyo-b "$(day +500)" tokyo/b2.png >"$S/spool/tokyo-b.cfg"
run +1
MB2=$(media_of "$S/campaigns/tokyo-b.cfg")
check_all "day 1: tokyo-b's new version has its own medium" \
    '[ -n "$MB2" ]' '[ "$MB2" != "$MB" ]'
check_all "day 1: nothing is removed a day on" \
    '[ -f "$S/media/$MB" ]' '[ -f "$S/spool/Thumbs.db" ]' '[ -f "$S/rejected/bad.cfg" ]'
check "day 1: the medium tokyo-b no longer uses is remembered as unused" grep -q "^$MB " "$S/.media-unused"
# Orphans in the store, as a crash between storing and accepting leaves.
img '#00838f' "$T/orphan.png"
img '#4e342e' "$T/orphan2.png"
MO=$(sha256sum "$T/orphan.png" | cut -c1-64).png
MO2=$(sha256sum "$T/orphan2.png" | cut -c1-64).png
cp "$T/orphan.png" "$S/media/$MO"
cp "$T/orphan2.png" "$S/media/$MO2"

# Proof of play: plaza every day from 500 days before day 400 to day 400;
# gou4 switched off on day 300, its files from day -100; a flat file of
# long ago; names that are not a day's file.
mkdir -p "$S/log/plaza" "$S/log/gou4"
for i in $(seq -100 400); do echo '{}' >"$S/log/plaza/play-$(day $i).jsonl"; done
for i in $(seq -200 300); do echo '{}' >"$S/log/gou4/play-$(day $i).jsonl"; done
echo '{}' >"$S/log/play-$(day -150).jsonl"
echo '{}' >"$S/log/play-$(day -600).jsonl"
echo 'keep' >"$S/log/plaza/notes.txt"
echo '{}' >"$S/log/plaza/play-2023-02-30.jsonl"
echo '{}' >"$S/log/plaza/play-$(day -100).jsonl.bak"

# A campaign waiting in the spool for a file still on its way keeps the
# files it names, however old.
cat >"$S/spool/kochi-late.cfg" <<EOF
id = "kochi-late";
title = "late";
owner = "高知県";
start = "$(day 400)";
end = "$(day 430)";
screens = [ "*" ];
items = ( { type = "image"; file = "kochi/partner.png"; duration = 10; },
          { type = "video"; file = "kochi/late.mp4"; } );
EOF

# --- day 400 ----------------------------------------------------------------
run +400
L=$T/log.+400
n=$(ls "$S/log/plaza" | grep -v 2023-02-30 | grep -c '^play-....-..-..\.jsonl$')
check_range "plaza keeps 366 days of proof of play" "$n" 366 366
check_all "... day 35 (366 days back) is there, day 34 is not" \
    '[ -f "$S/log/plaza/play-$(day 35).jsonl" ]' '[ ! -f "$S/log/plaza/play-$(day 34).jsonl" ]'
n=$(ls "$S/log/gou4" | grep -c '^play-')
check_range "gou4, off since day 300, keeps the year before its last day" "$n" 366 366
check_all "... from day -65 on" \
    '[ -f "$S/log/gou4/play-$(day -65).jsonl" ]' '[ ! -f "$S/log/gou4/play-$(day -66).jsonl" ]'
check_all "flat log/ files: a year before the newest is kept, older removed" \
    '[ -f "$S/log/play-$(day -150).jsonl" ]' '[ ! -f "$S/log/play-$(day -600).jsonl" ]'
check_all "files that are not a day's proof of play are left" \
    '[ -f "$S/log/plaza/notes.txt" ]' '[ -f "$S/log/plaza/play-2023-02-30.jsonl" ]' '[ -f "$S/log/plaza/play-$(day -100).jsonl.bak" ]'
check "the removal is logged with the cut-off day and the setting" \
    grep -q "log/plaza: removed 135 proof-of-play files (.* MB) of $(day 34) and before: log_keep_days is 366" "$L"

check_all "rejected/bad.cfg and its .error are removed after 90 days" \
    '[ ! -e "$S/rejected/bad.cfg" ]' '[ ! -e "$S/rejected/bad.cfg.error" ]'
check "... and that is logged" grep -q "rejected/bad.cfg: removed, 90 days after" "$L"

check_all "spool: a file no campaign ever named goes to rejected/, with a reason" \
    '[ ! -e "$S/spool/Thumbs.db" ]' '[ -f "$S/rejected/Thumbs.db" ]' 'grep -q "no campaign has used this file for 30 days" "$S/rejected/Thumbs.db.error"'
check_all "... in a folder too" \
    '[ -f "$S/rejected/unused.png" ]' '[ ! -e "$S/spool/kochi/unused.png" ]'
check_all "... the file of a campaign that ended 340 days ago as well, byte for byte" \
    '[ ! -e "$S/spool/kochi/a.png" ]' '[ "$(sha256sum <"$S/rejected/a.png" | cut -c1-64)" = "${MA%.*}" ]'
check "the playing campaign's file stays in the spool" [ -f "$S/spool/tokyo/b2.png" ]
check "the file a waiting campaign names stays" [ -f "$S/spool/kochi/partner.png" ]
check "the waiting campaign itself is the ingest's, left" [ -f "$S/spool/kochi-late.cfg" ]
check "the moves are warnings an admin sees" grep -q "spool/kochi/unused.png: used by no campaign for 30 days; moved to rejected/unused.png" "$L"
check "signagectl status shows the moved file under rejected/" \
    sh -c "$CTL -c '$T/signage.cfg' --now '$(at 400)' status | grep -q 'Thumbs.db'"

check_all "media of accepted campaigns stay, also one that ended" \
    '[ -f "$S/media/$MA" ]' '[ -f "$S/media/$MB2" ]'
check "the medium unused since day 1 is removed" [ ! -e "$S/media/$MB" ]
check "... and logged" grep -q "media/$MB: removed: nothing has used it for 7 days" "$L"
check_all "media first seen unreferenced today are not removed" \
    '[ -f "$S/media/$MO" ]' '[ -f "$S/media/$MO2" ]'
check ".media-unused remembers just those two" \
    sh -c "grep -q '^$MO ' '$S/.media-unused' && grep -q '^$MO2 ' '$S/.media-unused' && [ \$(wc -l <'$S/.media-unused') -eq 2 ]"

# --- days 406 to 408: the media's grace of 7 days ------------------------------
run +406
check_all "day 406: still in their grace" \
    '[ -f "$S/media/$MO" ]' '[ -f "$S/media/$MO2" ]'
# One orphan is used again: a campaign names the same picture.
cp "$T/orphan.png" "$S/spool/tokyo/again.png"
camp tokyo-again "$(day 500)" tokyo/again.png >"$S/spool/tokyo-again.cfg"
run +407
check "a medium used again leaves .media-unused" sh -c "! grep -q '^$MO ' '$S/.media-unused'"
run +408
check "day 408: the medium nothing references is removed" [ ! -e "$S/media/$MO2" ]
check "the medium used again stays" [ -f "$S/media/$MO" ]
check_all "every medium a campaign uses is still there" \
    '[ -f "$S/media/$MA" ]' '[ -f "$S/media/$MB2" ]'
check "the playlists still name only media that exist" sh -c "
    for m in \$(grep -oh 'media/[0-9a-f]*\.[a-z]*' '$S'/playlists/*.playlist | sort -u); do
        [ -f '$S/'\$m ] || exit 1; done"
check ".media-unused is empty or gone" [ ! -s "$S/.media-unused" ]

# --- 0 keeps for ever; bad settings are refused -----------------------------------
K=$T/keep
mkdir -p "$K/state/log/plaza"
echo '{}' >"$K/state/log/plaza/play-$(day -1000).jsonl"
echo '{}' >"$K/state/log/plaza/play-$(day 0).jsonl"
cat >"$K/signage.cfg" <<EOF
state = "$K/state";
log_keep_days = 0;
screens = ( { id = "plaza"; width = 1920; height = 1080; } );
EOF
$SCHEDULER -c "$K/signage.cfg" --once --now "$(at 0)" 2>/dev/null
check "log_keep_days = 0 keeps proof of play for ever" [ -f "$K/state/log/plaza/play-$(day -1000).jsonl" ]
for bad in "log_keep_days = -1;" "media_grace_days = 100000;" 'spool_keep_days = "30";'; do
    sed "s/^log_keep_days = 0;/$bad/" "$K/signage.cfg" >"$K/bad.cfg"
    $SCHEDULER -c "$K/bad.cfg" --once --now "$(at 0)" 2>"$K/err"
    rc=$?
    check "'$bad' is refused (exit 1) with the file and line" \
        sh -c "[ $rc -eq 1 ] && grep -q 'bad.cfg:2' '$K/err'"
done

# --- the daemon prunes when it starts (and then daily) -----------------------
D=$T/daemon
mkdir -p "$D/state/log/plaza"
echo '{}' >"$D/state/log/plaza/play-$(day -400).jsonl"
echo '{}' >"$D/state/log/plaza/play-$(day 0).jsonl"
cat >"$D/signage.cfg" <<EOF2
state = "$D/state";
screens = ( { id = "plaza"; width = 1920; height = 1080; } );
EOF2
$SCHEDULER -c "$D/signage.cfg" --now "$(at 0)" 2>"$D/log" &
pid=$!
check "the daemon removes proof of play past log_keep_days when it starts" \
    wait_until 20 test ! -e "$D/state/log/plaza/play-$(day -400).jsonl"
check "... and keeps today's" [ -f "$D/state/log/plaza/play-$(day 0).jsonl" ]
check "... and goes on watching the spool" wait_until 10 grep -q watching "$D/log"
kill $pid
wait $pid 2>/dev/null

# --- a medium only an earlier version in the history uses stays ---------------
# (history_keep at its default: `signagectl restore` must find its media)
H=$T/hist
mkdir -p "$H/state/spool/tokyo"
cat >"$H/signage.cfg" <<EOF2
state = "$H/state";
settle = 0;
screens = ( { id = "plaza"; width = 1920; height = 1080; } );
EOF2
hrun() { $SCHEDULER -c "$H/signage.cfg" --once --now "$(at "$1")" 2>>"$H/log"; }
img '#0b2545' "$H/state/spool/tokyo/v1.png"
img '#c62828' "$H/state/spool/tokyo/v2.png"
camp tokyo-h "$(day +500)" tokyo/v1.png >"$H/state/spool/h.cfg"
hrun +0
HV1=$(media_of "$H/state/campaigns/tokyo-h.cfg")
camp tokyo-h "$(day +500)" tokyo/v2.png >"$H/state/spool/h.cfg"
hrun +1
hrun +10
check "a medium named only by version 1 in the history stays after the grace" [ -f "$H/state/media/$HV1" ]
check "... and is not in .media-unused" sh -c "! grep -q '^$HV1 ' '$H/state/.media-unused' 2>/dev/null"
$CTL -c "$H/signage.cfg" --now "$(at 10)" restore tokyo-h 1 >/dev/null 2>&1
check "restore of version 1 plays a playlist whose media are all there" sh -c "
    grep -q '$HV1' '$H/state/playlists/plaza.playlist' &&
    for m in \$(grep -oh 'media/[0-9a-f]*\.[a-z]*' '$H/state/playlists/plaza.playlist' | sort -u); do
        [ -f '$H/state/'\$m ] || exit 1; done"
# A torn or hostile record: its bad lines are dropped, nothing else happens.
printf 'zzz 1\n%064d.png notanumber\n\001\002\377 5\n%064d.png\n' 0 0 >"$H/state/.media-unused"
head -c 3000 /dev/urandom >>"$H/state/.media-unused"
hrun +11
check "a garbled .media-unused: the scheduler goes on (exit 0)" [ $? -eq 0 ]
check "... and its bad lines are gone" sh -c "! grep -aq 'zzz\|notanumber' '$H/state/.media-unused' 2>/dev/null"
check "... and every medium a campaign version names is still there" [ -f "$H/state/media/$HV1" ]
