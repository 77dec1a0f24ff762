# signagectl preview (SPEC §9, issue 10): every item drawn by the player
# for every screen a campaign targets, the text's size and lines, warnings an
# operator can act on; broken and hostile requests refused by name; nothing
# in the spool or state changed, no scratch left behind.  And check naming
# characters no font has.
. "$SRCDIR/tests/integration/lib.sh"

S=$T/state
NOW=2026-11-30T10:00:00+09:00
mkdir -p "$T/cfg" "$S/spool" "$T/work/img" "$T/tmp"
export TMPDIR=$T/tmp
cat >"$T/cfg/signage.cfg" <<EOF
state = "$S";
screens = (
  { id = "shinjuku-west"; name = "新宿駅西口"; groups = [ "tokyo" ]; width = 1920; height = 1080; },
  { id = "4gou-gairo"; name = "4号街路"; groups = [ "tokyo" ]; width = 1080; height = 1920; rotate = 90; },
  { id = "kochi-station"; groups = [ "kochi" ]; width = 1920; height = 1080; },
  { id = "tiny"; width = 160; height = 90; }
);
EOF
C="$CTL -c $T/cfg/signage.cfg --now $NOW"
# json FILE EXPR: prints EXPR evaluated with d = the parsed FILE.
json() { node -e "const d=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')); console.log($2)" "$1"; }

ff -f lavfi -i testsrc2=s=1920x400 -frames:v 1 "$T/work/img/banner.png"
ff -f lavfi -i testsrc2=s=1920x1080:r=25 -t 3 -pix_fmt yuv420p -c:v libx264 "$T/work/img/clip.mp4"
long=$(printf '東京都と高知県の相互PRにご協力いただきありがとうございます。%.0s' $(seq 45))
cat >"$T/work/noto.campaign" <<EOF
id = "noto-appeal";
title = "能登半島地震 お見舞い"; owner = "東京都";
start = "2027-01-10"; end = "2027-01-31";
screens = [ "tokyo" ];
hours = ( { days = [ "sat", "sun" ]; from = "10:00"; to = "12:00"; } );
items = ( { type = "text"; text = "令和6年能登半島地震で被災された皆様に心よりお見舞い申し上げます"; duration = 10; },
          { type = "text"; text = "𠮷野家🌸 見頃です $(printf '\364\217\277\275')"; duration = 10; },
          { type = "image"; file = "img/banner.png"; duration = 10; },
          { type = "video"; file = "img/clip.mp4"; },
          { type = "text"; text = "$long"; duration = 10; } );
EOF
find "$T/work" -type f -exec sha256sum {} + | sort >"$T/work.before"

# --- a campaign file, every screen it targets ---------------------------------
$C preview "$T/work/noto.campaign" --out "$T/out" >"$T/pv.txt" 2>"$T/pv.err"
check "preview file: exit 0" [ $? -eq 0 ]
n=$(ls "$T/out" | grep -c '\.png$')
check "preview file: 2 screens x 5 items = 10 pictures (got $n)" [ "$n" -eq 10 ]
check "preview file: kochi-station, not targeted, is not drawn" \
    sh -c "! ls '$T/out' | grep -q kochi"
check "preview: the portrait picture stands upright (1080x1920)" \
    sh -c "identify -format '%wx%h' '$T/out/4gou-gairo-noto-appeal-1.png' | grep -qx 1080x1920"
check "preview: the landscape picture is 1920x1080" \
    sh -c "identify -format '%wx%h' '$T/out/shinjuku-west-noto-appeal-1.png' | grep -qx 1920x1080"
# The Noto appeal on the portrait 4号街路 screen, as a person would set it.
sed -n '/^4gou-gairo/,$p' "$T/pv.txt" | sed -n '/item 1 /,/item 2 /p' >"$T/portrait.txt"
printf '      %s\n' 令和6年能登半島地震で 被災された皆様に 心よりお見舞い 申し上げます >"$T/want.txt"
check "preview text: the appeal on 4号街路 reads 令和6年能登半島地震で／被災された皆様に／心よりお見舞い／申し上げます" \
    sh -c "grep '^      ' '$T/portrait.txt' | cmp -s - '$T/want.txt'"
check "preview text: names the screen with its Japanese name" grep -q '^4gou-gairo "4号街路" (1080x1920):' "$T/pv.txt"
check "preview text: warns of U+10FFFD, in no font" grep -q 'warning: no font here has U+10FFFD' "$T/pv.txt"
check "preview text: no warning for 𠮷 or 🌸 (the fallback fonts have them)" \
    sh -c "! grep -q 'U+20BB7\|U+1F338' '$T/pv.txt'"
check "preview text: the 1920x400 banner is mostly bars on the portrait screen" \
    grep -q "warning: 'img/banner.png' (1920x400) fills only 12% of 4gou-gairo (1080x1920)" "$T/pv.txt"
check "preview text: and on the landscape one, with its own figure (37%)" \
    grep -q "fills only 37% of shinjuku-west (1920x1080)" "$T/pv.txt"
check "preview text: each warning once, under its screen (none before the first screen)" \
    sh -c "head -1 '$T/pv.txt' | grep -q '^shinjuku-west'"
check "preview text: the long text is too small to read" \
    grep -q 'too small to read from a few metres' "$T/pv.txt"
check "preview: the 𠮷野家 slide is drawn with the fallback (pink 🌸 pixels)" \
    sh -c "[ \$(convert '$T/out/shinjuku-west-noto-appeal-2.png' -fx '(r>0.85&&g<0.8&&b>0.6)?1:0' -format '%[fx:round(mean*w*h)]' info:) -gt 2000 ]"
check "preview: the video is drawn (a frame, not the background)" \
    sh -c "[ \$(convert '$T/out/shinjuku-west-noto-appeal-4.png' -colorspace gray -format '%[fx:round(standard_deviation*1000)]' info:) -gt 50 ]"

# --json: per text item and screen, screen, item, size, lines
$C preview "$T/work/noto.campaign" --out "$T/out2" --json >"$T/pv.json"
check "preview --json: exit 0" [ $? -eq 0 ]
check "preview --json: 10 entries" [ "$(json "$T/pv.json" 'd.length')" = 10 ]
check "preview --json: the portrait appeal's lines" \
    [ "$(json "$T/pv.json" "d.find(e=>e.screen=='4gou-gairo'&&e.item==0).lines.join('/')")" = \
        令和6年能登半島地震で/被災された皆様に/心よりお見舞い/申し上げます ]
sz=$(json "$T/pv.json" "d.find(e=>e.screen=='4gou-gairo'&&e.item==0).size")
check "preview --json: the portrait appeal's size is 60..200 px (got $sz)" [ "$sz" -ge 60 -a "$sz" -le 200 ]
szl=$(json "$T/pv.json" "d.find(e=>e.screen=='shinjuku-west'&&e.item==0).size")
check "preview --json: larger on the landscape screen ($szl > $sz)" [ "$szl" -gt "$sz" ]
check "preview --json: no phrase split in the appeal" \
    [ "$(json "$T/pv.json" "d.filter(e=>e.item==0).map(e=>e.phrase_splits).join()")" = 0,0 ]
check "preview --json: the long text carries its warning" \
    [ "$(json "$T/pv.json" "d.filter(e=>e.item==4&&e.warnings.some(w=>/too small/.test(w))).length")" = 2 ]
check "preview --json: image and video entries have no lines" \
    [ "$(json "$T/pv.json" "d.filter(e=>e.type!='text'&&e.lines===undefined).length")" = 4 ]

# --screen narrows; nothing changed, nothing left behind
$C preview "$T/work/noto.campaign" --screen 4gou-gairo --out "$T/out3" --json >"$T/one.json"
check "preview --screen: only that screen (5 entries)" \
    [ "$(json "$T/one.json" "d.filter(e=>e.screen=='4gou-gairo').length")" = 5 ]
find "$T/work" -type f -exec sha256sum {} + | sort >"$T/work.after"
check "preview: the campaign file and its media are unchanged" cmp -s "$T/work.before" "$T/work.after"
check "preview: no scratch directory is left in TMPDIR" [ -z "$(ls -A "$T/tmp")" ]
# a symbolic link planted where a picture goes is replaced, not written through;
# pictures of items a campaign no longer has are cleared
mkdir -p "$T/plant"
echo precious >"$T/precious.txt"
ln -s "$T/precious.txt" "$T/plant/shinjuku-west-noto-appeal-1.png"
touch "$T/plant/shinjuku-west-noto-appeal-9.png" "$T/plant/shinjuku-west-other-1.png" "$T/plant/notes.txt"
$C preview "$T/work/noto.campaign" --screen shinjuku-west --out "$T/plant" >/dev/null 2>&1
check "preview --out: a planted symlink is not written through" grep -qx precious "$T/precious.txt"
check "preview --out: the picture replaced the symlink" \
    sh -c "[ ! -L '$T/plant/shinjuku-west-noto-appeal-1.png' ] && identify '$T/plant/shinjuku-west-noto-appeal-1.png' >/dev/null"
check "preview --out: an old picture of an item no longer there is removed" \
    [ ! -e "$T/plant/shinjuku-west-noto-appeal-9.png" ]
check "preview --out: other files are left alone" \
    sh -c "[ -e '$T/plant/shinjuku-west-other-1.png' ] && [ -e '$T/plant/notes.txt' ]"
check "preview --out: no temporary file left" sh -c "! ls -A '$T/plant' | grep -q '^[.]'"
# a relative TMPDIR
mkdir -p "$T/rel/tmp"
CTLA=$(cd "$(dirname "$CTL")" && pwd)/signagectl
(cd "$T/rel" && TMPDIR=tmp $CTLA -c "$T/cfg/signage.cfg" --now $NOW preview "$T/work/noto.campaign" --screen shinjuku-west \
    --out "$T/rel/out" --json) >"$T/rel.json" 2>"$T/rel.err"
rc=$?
check "preview with a relative TMPDIR: exit 0 (got $rc)" [ $rc -eq 0 ]
check "preview with a relative TMPDIR: every item shown" \
    [ "$(json "$T/rel.json" 'd.filter(e=>!e.error).length')" = 5 ]
check "preview with a relative TMPDIR: nothing left in it" [ -z "$(ls -A "$T/rel/tmp")" ]

check "preview: the state is not touched (no campaign, no playlist)" \
    sh -c "[ -z \"\$(ls -A '$S/campaigns' 2>/dev/null)\" ] && [ -z \"\$(ls -A '$S/playlists' 2>/dev/null)\" ]"

# --- an accepted campaign, by id ----------------------------------------------
cp "$T/work/noto.campaign" "$S/spool/noto.cfg"
cp -r "$T/work/img" "$S/spool/"
$SCHEDULER -c "$T/cfg/signage.cfg" --once --now $NOW 2>/dev/null
$C preview noto-appeal --screen shinjuku-west --out "$T/out4" --json >"$T/id.json"
check "preview ID: exit 0" [ $? -eq 0 ]
check "preview ID: 5 items drawn from the store" [ "$(json "$T/id.json" 'd.length')" = 5 ]
a=$(json "$T/id.json" "d[0].lines.join('/')")
b=$(json "$T/pv.json" "d.find(e=>e.screen=='shinjuku-west'&&e.item==0).lines.join('/')")
check "preview ID: the same lines as the file's preview ($a)" [ -n "$a" -a "$a" = "$b" ]

# --- check names characters no font has ---------------------------------------
$C check "$T/work/noto.campaign" >"$T/check.txt" 2>&1
check "check: still ok (a missing character is a warning)" [ $? -eq 0 ]
$C preview noto-appeal --screen 4gou-gairo --out "$T/out5" >"$T/id.txt"
check "preview ID: the banner's bars warning on the portrait screen too" grep -q 'fills only 12% of 4gou-gairo' "$T/id.txt"
check "preview ID: no line numbers of the normalised file" sh -c "! grep -q '(line ' '$T/id.txt'"
check "check: names U+10FFFD with its line" grep -q 'noto.campaign:[0-9]*: warning: item 2: no font here has U+10FFFD' "$T/check.txt"
$C check --json "$T/work/noto.campaign" >"$T/check.json"
check "check --json: the warning is in warnings" \
    [ "$(json "$T/check.json" "d[0].warnings.filter(w=>/U\\+10FFFD/.test(w)).length")" = 1 ]

# --- broken, hostile and absurd requests --------------------------------------
$C preview "$T/work/noto.campaign" >/dev/null 2>"$T/e1"
check "preview without --out: usage error 2" [ $? -eq 2 ]
check "preview without --out: says what to give" grep -q -- '--out DIR' "$T/e1"
$C preview "$T/work/noto.campaign" --screen atlantis --out "$T/x" >/dev/null 2>"$T/e2"
check "preview --screen unknown: exit 2" [ $? -eq 2 ]
check "preview --screen unknown: names it" grep -q 'atlantis: no such screen' "$T/e2"
$C preview "$T/work/noto.campaign" --screen kochi-station --out "$T/x" >/dev/null 2>"$T/e3"
check "preview --screen not targeted: exit 2" [ $? -eq 2 ]
$C preview "$T/work/noto.campaign" --screen tokyo --out "$T/x" >/dev/null 2>"$T/e3b"
check "preview --screen GROUP: exit 2, names its screens" \
    sh -c "[ $? -eq 2 ] && grep -q 'that is a group; give one of its screens (shinjuku-west, 4gou-gairo)' '$T/e3b'"
check "preview --screen not targeted: says so" grep -q 'does not play there' "$T/e3"
$C preview no-such-campaign --out "$T/x" >/dev/null 2>"$T/e4"
check "preview unknown id: exit 1" [ $? -eq 1 ]
check "preview unknown id: says what to give" grep -q 'neither a campaign file nor an accepted campaign' "$T/e4"
sed 's#img/banner.png#img/missing.png#' "$T/work/noto.campaign" >"$T/work/broken.campaign"
$C preview "$T/work/broken.campaign" --out "$T/x" >"$T/e5" 2>&1
check "preview with a missing medium: exit 1" [ $? -eq 1 ]
check "preview with a missing medium: names the file" grep -q 'img/missing.png' "$T/e5"
check "preview with a missing medium: nothing drawn" [ ! -e "$T/x" ]
$C preview "$T/work/broken.campaign" --out "$T/x" --json >"$T/e5.json" 2>/dev/null
check "preview --json of a refused campaign: exit 1" [ $? -eq 1 ]
check "preview --json of a refused campaign: a JSON error naming the file" \
    [ "$(json "$T/e5.json" "d.ok===false && d.errors.some(e=>/img.missing.png/.test(e))")" = true ]
: >"$T/afile"
$C preview "$T/work/noto.campaign" --out "$T/afile" >/dev/null 2>"$T/e10"
check "preview --out FILE: exit 1, says it is not a folder" \
    sh -c "[ $? -eq 1 ] && grep -q 'not a folder' '$T/e10'"
# stopped half way: the player is killed, the scratch folder removed
printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 60\n' "$T/slow.pid" >"$T/slow-player"
chmod +x "$T/slow-player"
SIGNAGE_PLAYER=$T/slow-player $C preview "$T/work/noto.campaign" --out "$T/x" >/dev/null 2>"$T/e11" &
pv=$!
sleep 3
kill -TERM $pv
wait $pv
rc=$?
check "preview stopped by SIGTERM: exit 143 (got $rc)" [ $rc -eq 143 ]
check "preview stopped by SIGTERM: the player had started" [ -s "$T/slow.pid" ]
check "preview stopped by SIGTERM: the player is killed too" sh -c "! kill -0 \$(cat '$T/slow.pid') 2>/dev/null"
check "preview stopped by SIGTERM: no scratch folder left" [ -z "$(ls -A "$T/tmp")" ]
printf 'not a png' >"$T/work/img/fake.png"
sed 's#img/banner.png#img/fake.png#' "$T/work/noto.campaign" >"$T/work/fake.campaign"
$C preview "$T/work/fake.campaign" --out "$T/x" >"$T/e6" 2>&1
check "preview with a corrupt image: exit 1, refused as check refuses it" [ $? -eq 1 ]
check "preview with a corrupt image: says why" grep -q 'fake.png' "$T/e6"
printf 'id = "x"; items = (' >"$T/work/trunc.campaign"
$C preview "$T/work/trunc.campaign" --out "$T/x" >"$T/e7" 2>&1
check "preview of a truncated campaign: exit 1 with the parse error" \
    sh -c "[ $? -eq 1 ] && grep -q 'trunc.campaign' '$T/e7'"
SIGNAGE_PLAYER=/bin/false $C preview "$T/work/noto.campaign" --out "$T/x" >/dev/null 2>"$T/e8"
check "preview when the player fails: exit 1 and says so" \
    sh -c "[ $? -eq 1 ] && grep -q 'could not draw screen' '$T/e8'"
check "preview: still no scratch left after failures" [ -z "$(ls -A "$T/tmp")" ]
# a text no size can fit: both warnings, the cut and the split phrase
kata=$(printf 'パーソナルトランスフォーメーション%.0s' $(seq 70))
printf 'id = "huge"; title = "x"; owner = "x"; start = "2027-01-01"; end = "2027-01-31";\nscreens = [ "tiny" ];\nitems = ( { type = "text"; text = "%s"; } );\n' "$kata" >"$T/work/huge.campaign"
$C preview "$T/work/huge.campaign" --out "$T/out6" --json >"$T/huge.json"
check "preview of a text no size fits: it is cut off, and says so" \
    [ "$(json "$T/huge.json" "d[0].overflow && d[0].warnings.some(w=>/does not fit even at 8 px/.test(w))")" = true ]
check "preview of a text no size fits: the split phrase is named, quoted short" \
    [ "$(json "$T/huge.json" "d[0].warnings.some(w=>/inside a phrase/.test(w) && w.length < 400)")" = true ]
$PLAYER --playlist /dev/null --preview "$T/x" --screenshot-at 2026-12-01 >/dev/null 2>"$T/e9"
check "player --preview with --screenshot-at: usage error" [ $? -eq 2 ]
