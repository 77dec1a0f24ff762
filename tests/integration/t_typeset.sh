#!/bin/sh
# Japanese line breaking against a typesetter (issue 10): every text of
# tests/integration/ja_corpus.txt goes through `signagectl preview --json`
# on a landscape and a portrait screen, and headless Chromium lays out the
# same text in the same font, size and box width with lang="ja",
# line-break: strict and word-break: auto-phrase (chromium_lines.mjs).
# typeset_compare.mjs then counts, per screen, kinsoku violations, phrases
# the player splits where Chromium keeps them whole within the lines the box
# holds, numbers parted from their counters and characters not drawn; each
# must be 0.  Chromium is checked first against texts whose lines are known,
# and the comparison against a player that splits 心よ／り, so that neither
# can pass by saying nothing.  Without Chromium the test fails.
. "$SRCDIR/tests/integration/lib.sh"

HERE=$SRCDIR/tests/integration
FONT=$SRCDIR/fonts/BIZUDPGothic-Bold.ttf
BUDOUX=$SRCDIR/build/budoux/package
CHROMIUM=${CHROMIUM:-chromium}
export CHROMIUM
S=$T/state
mkdir -p "$S/spool" "$T/out"

check "chromium is installed ($CHROMIUM; Debian: apt-get install chromium)" \
    sh -c "command -v '$CHROMIUM' >/dev/null"
check "budoux is unpacked in build/budoux/package (make test-build)" \
    [ -f "$BUDOUX/module/parser.js" ]

cat >"$T/signage.cfg" <<EOF
state = "$S";
screens = (
  { id = "tokyo-landscape"; name = "新宿駅西口広場"; groups = [ "typeset" ]; width = 1920; height = 1080; },
  { id = "tokyo-portrait"; name = "4号街路"; groups = [ "typeset" ]; width = 1080; height = 1920; rotate = 90; }
);
EOF

# The corpus as text items.  For a libconfig string a backslash is doubled
# and a quote escaped, but the corpus's two-character "\n" stays the escape
# that means an author's line break.
{
    cat <<'EOF'
id = "corpus";
title = "組版の確認"; owner = "東京都";
start = "2023-03-01"; end = "2030-12-31";
screens = [ "typeset" ];
items = (
EOF
    sed -e 's/\\/\\\\/g' -e 's/\\\\n/\\n/g' -e 's/"/\\"/g' \
        -e 's/^/  { type = "text"; duration = 10; text = "/' -e 's/$/"; },/' \
        -e '$s/,$//' "$HERE/ja_corpus.txt"
    echo ');'
} >"$T/corpus.cfg"
N=$(grep -c . "$HERE/ja_corpus.txt")

$CTL -c "$T/signage.cfg" preview "$T/corpus.cfg" --out "$T/out" --json >"$T/preview.json" 2>"$T/preview.err"
rc=$?
check "preview --json: exit 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$T/preview.err" | tail -5
check "preview: every corpus line on both screens, as written" node -e '
process.on("uncaughtException", () => process.exit(1));
const fs = require("fs");
const want = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => l.replace(/\\n/g, "\n"));
const got = JSON.parse(fs.readFileSync(process.argv[2], "utf8")).filter((x) => x.type === "text");
for (const s of ["tokyo-landscape", "tokyo-portrait"]) {
  const t = got.filter((x) => x.screen === s).sort((a, b) => a.item - b.item).map((x) => x.text);
  if (t.length !== want.length || t.some((x, i) => x !== want[i])) process.exit(1);
}' "$HERE/ja_corpus.txt" "$T/preview.json"

# A player that gets it wrong, by hand: 心よ／り splits a phrase Chromium
# keeps whole, 7／時 parts a number from its counter, a line starts with 。,
# and 。 is reported missing (as a string, the form preview gives; a list
# is read too).
cat >"$T/bad.json" <<'EOF'
[
{"screen":"handmade","campaign":"bad","item":1,"type":"text","png":"x.png",
 "text":"心よりお見舞い申し上げます","size":96,"box":[1728,888],"max_lines":6,
 "lines":["心よ","りお見舞い申し上げます"],"phrase_splits":1,"missing":[],"warnings":[]},
{"screen":"handmade","campaign":"bad","item":2,"type":"text","png":"y.png",
 "text":"電車は7時30分発です。","size":96,"box":[1728,888],"max_lines":6,
 "lines":["電車は7","時30分発です","。"],"phrase_splits":1,"missing":"。","warnings":[]}
]
EOF

# Texts whose lines in Chromium are known: 1 em kanji four to a 450 px line;
# the same sentence with auto-phrase and without (so auto-phrase is seen to
# work); a small ッ kept off the start of a line (line-break: strict); a
# surrogate pair; an empty line between two author breaks.
cat >"$T/sanity.json" <<EOF
[
{"id":"sanity|grid","text":"永永永永永永永永永永","size":100,"width":450,"font":"$FONT"},
{"id":"sanity|phrase","text":"心よりお見舞い申し上げます","size":60,"width":520,"font":"$FONT"},
{"id":"sanity|normal","text":"心よりお見舞い申し上げます","size":60,"width":520,"font":"$FONT","wordBreak":"normal"},
{"id":"sanity|strict","text":"永永永ッ永","size":100,"width":300,"font":"$FONT","wordBreak":"normal"},
{"id":"sanity|surrogate","text":"𠮷野家𠮷野家𠮷野家","size":100,"width":350,"font":"$FONT","wordBreak":"normal"},
{"id":"sanity|newline","text":"東京\n\n高知","size":50,"width":800,"font":"$FONT"}
]
EOF

# One Chromium run for everything (the sanity texts and the hand-made
# player still go when preview failed).
node "$HERE/typeset_compare.mjs" entries "$FONT" "$T/bad.json" >"$T/bad-items.json"
node "$HERE/typeset_compare.mjs" entries "$FONT" "$T/preview.json" >"$T/items.json" 2>/dev/null ||
    echo '[]' >"$T/items.json"
node -e 'const fs = require("fs");
console.log(JSON.stringify(process.argv.slice(1).flatMap((f) => JSON.parse(fs.readFileSync(f, "utf8")))))' \
    "$T/sanity.json" "$T/bad-items.json" "$T/items.json" >"$T/entries.json"
node "$HERE/chromium_lines.mjs" <"$T/entries.json" >"$T/lines.json" 2>"$T/chromium.err"
rc=$?
check "chromium_lines: exit 0, an answer for each of the $((2 * N + 8)) texts" node -e '
try {
  const n = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).length;
  process.exit(process.argv[2] === "0" && n === Number(process.argv[3]) ? 0 : 1);
} catch { process.exit(1); }' "$T/lines.json" $rc $((2 * N + 8))
[ $rc -eq 0 ] || sed 's/^/# /' "$T/chromium.err" | tail -5

# lines_are ID LINE...: Chromium broke the text ID into exactly these lines.
lines_are() {
    node -e '
const [file, id, ...want] = process.argv.slice(1);
let e;
try { e = JSON.parse(require("fs").readFileSync(file, "utf8")).find((x) => x.id === id); } catch {}
const ok = e && JSON.stringify(e.lines) === JSON.stringify(want);
if (!ok) console.log(`# ${id}: ${e ? JSON.stringify(e.lines) : "no answer"}, want ${JSON.stringify(want)}`);
process.exit(ok ? 0 : 1)' "$T/lines.json" "$@"
}
check "chromium: the font's kanji are 1 em, four to a 450 px line" \
    lines_are "sanity|grid" 永永永永 永永永永 永永
check "chromium: word-break: auto-phrase keeps お見舞い whole" \
    lines_are "sanity|phrase" 心よりお見舞い 申し上げます
check "chromium: word-break: normal fills the line (申／し)" \
    lines_are "sanity|normal" 心よりお見舞い申 し上げます
check "chromium: line-break: strict keeps ッ off the start of a line" \
    lines_are "sanity|strict" 永永 永ッ永
check "chromium: a surrogate pair is one character" \
    lines_are "sanity|surrogate" 𠮷野家 𠮷野家 𠮷野家
check "chromium: author breaks, an empty line kept" \
    lines_are "sanity|newline" 東京 "" 高知

# The comparison fails a player that gets it wrong.
node "$HERE/typeset_compare.mjs" compare "$BUDOUX" "$T/bad.json" "$T/lines.json" "$T/bad-totals.json" >"$T/bad.txt"
rc=$?
# total FILE SCREEN METRIC: the count typeset_compare.mjs wrote (empty if none).
total() {
    node -e 'const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]];
if (t && Number.isInteger(t[process.argv[3]])) console.log(t[process.argv[3]])' "$@" 2>/dev/null
}
check "compare: a hand-made bad player fails (exit 1)" [ $rc -eq 1 ]
check "compare: 心よ／り and 7／時／。 are 3 avoidable phrase splits" \
    [ "$(total "$T/bad-totals.json" handmade avoidable)" = 3 ]
check "compare: 心よ／り is named as an avoidable split" \
    grep -q '^#   avoidable phrase split: 心より as 心よ|りお見舞; Chromium keeps it whole in 1 lines' "$T/bad.txt"
check "compare: a line starting with 。 is a kinsoku violation" \
    [ "$(total "$T/bad-totals.json" handmade kinsoku)" = 1 ]
check "compare: 7／時 is a number split" [ "$(total "$T/bad-totals.json" handmade counter)" = 1 ]
check "compare: a missing 。 is a dropped character" [ "$(total "$T/bad-totals.json" handmade dropped)" = 1 ]

# The player against Chromium, screen by screen.
node "$HERE/typeset_compare.mjs" compare "$BUDOUX" "$T/preview.json" "$T/lines.json" "$T/totals.json" >"$T/report.txt"
rc=$?
cat "$T/report.txt"
check "compare: the corpus report is complete (exit 0 or 1)" [ $rc -le 1 ]
for s in tokyo-landscape tokyo-portrait; do
    tt() { total "$T/totals.json" $s "$1"; }
    check "$s: all $N texts compared, each with Chromium's lines" \
        [ "$(tt texts)" = "$N" -a "$(tt no_chromium)" = 0 ]
    check "$s: no line starts with 、。」ー or small kana, none ends with 「（" [ "$(tt kinsoku)" = 0 ]
    check "$s: no phrase split that Chromium avoids at the same size and width" [ "$(tt avoidable)" = 0 ]
    check "$s: no number parted from its counter (7／時, 第／97)" [ "$(tt counter)" = 0 ]
    check "$s: no character dropped" [ "$(tt dropped)" = 0 ]
done
