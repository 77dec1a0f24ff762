// typeset_compare.mjs: the player's line breaks against Chromium's (issue 10).
//
//   node typeset_compare.mjs entries FONT PREVIEW.json... >entries.json
//       the input of chromium_lines.mjs for every text item of the
//       `signagectl preview --json` documents: its text, size and box width,
//       id "SCREEN|CAMPAIGN|ITEM".
//   node typeset_compare.mjs compare BUDOUX_DIR PREVIEW.json LINES.json [TOTALS.json]
//       one "# |" row per text item, the totals per screen, each failure with
//       the text, the player's lines and Chromium's; TOTALS.json gets the
//       counts per screen.  Exit 1 when any screen has a kinsoku violation,
//       an avoidable phrase split, a number split or a dropped character, or
//       an item has no answer from Chromium; 2 on bad arguments or input.
//
// What is counted, at every line break the player made that is not an
// author's "\n":
//   kinsoku    the next line starts with 、。」）ー・ small kana and the like,
//              or the line ends with 「（ and the like;
//   splits     the break is neither at a phrase boundary of BudouX's
//              Japanese model (the package the Makefile unpacks into
//              BUDOUX_DIR) nor at a space the author put between words;
//   avoidable  of those, the ones whose phrase Chromium, at the same size and
//              width (lang="ja", line-break: strict, word-break: auto-phrase),
//              keeps whole on one line while using no more lines than the box
//              holds (max_lines): the player could have done the same;
//   counter    a number parted from its counter (7|時, 100|名, 第|97) or cut
//              in two (1,|000, 10:|00, a telephone number 03|-1234);
// and once per item:
//   dropped    characters of the text (white space aside) not drawn, plus the
//              characters the player reports in "missing".
import { pathToFileURL } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

function die(msg) {
  process.stderr.write(`typeset_compare: ${msg}\n`);
  process.exit(2);
}
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    die(`${file}: ${e.message}`);
  }
}
const textItems = (doc, file) => {
  if (!Array.isArray(doc)) die(`${file}: expected the JSON array of signagectl preview --json`);
  return doc.filter((x) => x && x.type === 'text');
};
const idOf = (x) => `${x.screen}|${x.campaign}|${x.item}`;

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'entries' && rest.length >= 2) {
  const [font, ...files] = rest;
  const out = [];
  for (const f of files)
    for (const x of textItems(readJson(f), f)) {
      if (typeof x.text !== 'string' || !(x.size > 0) || !Array.isArray(x.box))
        die(`${f}: ${idOf(x)}: a text item needs text, size and box`);
      out.push({ id: idOf(x), text: x.text, size: x.size, width: x.box[0], font: resolve(font) });
    }
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}
if (mode !== 'compare' || rest.length < 3 || rest.length > 4)
  die('usage: typeset_compare.mjs entries FONT PREVIEW.json... | compare BUDOUX_DIR PREVIEW.json LINES.json [TOTALS.json]');

const [budouxDir, previewFile, linesFile, totalsFile] = rest;
const { Parser } = await import(pathToFileURL(`${budouxDir}/module/parser.js`).href);
const { model } = await import(pathToFileURL(`${budouxDir}/module/data/models/ja.js`).href);
const parser = new Parser(model);

const items = textItems(readJson(previewFile), previewFile);
for (const x of items)
  if (typeof x.text !== 'string' || !Array.isArray(x.lines) || !Array.isArray(x.box) || !(x.max_lines >= 0))
    die(`${previewFile}: ${idOf(x)}: a text item needs text, lines, box and max_lines`);
const chromium = new Map();
for (const c of readJson(linesFile)) chromium.set(c.id, c);

// --- characters ------------------------------------------------------------------
const set = (s) => new Set([...s]);
// Not at the start of a line (JIS X 4051 closing brackets, hyphens, dividing
// and middle punctuation, iteration marks, prolonged sound mark, small kana).
const NO_START = set(
  '、。，．・：；？！‼⁇⁈⁉゛゜ヽヾゝゞ々〻ー‐゠–〜～' +
  '」』）］｝〕〉》】〙〗〟’”｠»' +
  'ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ' +
  '｡｣､･ｰｧｨｩｪｫｬｭｮｯ' + ',.:;!?)]}');
// Not at the end of a line (opening brackets).
const NO_END = set('「『（［｛〔〈《【〘〖〝‘“｟«｢([{');
// What counts things after a number: 7時, 100名, 2丁目, 3万人, 50％, 3ヶ月.
const COUNTERS = set('年月日時分秒名人回円個枚本件階歳号番丁目万億千百度位台週才代割周泊点戸軒杯頭匹冊着倍巻話部ヶヵケ％%℃');
// Inside a number: 1,000  10:00  2023/03/31  3.5  03-1234-5678 (the player
// keeps these whole).
const NUM_SEP = set(',，.．:：/／-－‐');
const isDigit = (c) => /^[0-9０-９]$/.test(c || '');
const isSpace = (c) => /^\s$/u.test(c);

// Code point offsets where BudouX starts a phrase, paragraph by paragraph; a
// boundary BudouX puts inside a surrogate pair (it counts UTF-16 units) is
// not a place anyone can break, so it is left out.
function phraseBounds(text) {
  const starts = new Set();
  let base = 0; // code points before this paragraph
  for (const para of text.split('\n')) {
    starts.add(base);
    let u = 0;
    for (const chunk of parser.parse(para)) {
      u += chunk.length;
      const before = para.slice(0, u);
      if (!/[\ud800-\udbff]$/.test(before)) starts.add(base + [...before].length);
    }
    base += [...para].length + 1;
  }
  return [...starts].sort((a, b) => a - b);
}

// The phrase [a, b) around code point P, narrowed to the run between spaces
// that holds P: a break at a space is no split, so only that run counts.
function phraseAt(cps, bounds, p) {
  let a = 0;
  let b = cps.length;
  for (const x of bounds) {
    if (x <= p) a = x;
    else {
      b = x;
      break;
    }
  }
  for (let i = p - 1; i >= a; i--)
    if (isSpace(cps[i])) {
      a = i + 1;
      break;
    }
  for (let i = p; i < b; i++)
    if (isSpace(cps[i])) {
      b = i;
      break;
    }
  return [a, b];
}

// Whether the break between code points END and START (what lies between
// is white space the lines leave out) is inside a phrase: not at one of
// BudouX's boundaries, and not at a space, where the author separated words.
const splitsPhrase = (cps, bounds, end, start) =>
  !cps.slice(end, start).some(isSpace) && !bounds.some((b) => end <= b && b <= start);

// Longest common subsequence of A and B: for each index of B, the index of A
// it matches, or -1.
function align(a, b) {
  const n = a.length;
  const m = b.length;
  const L = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const match = new Array(m).fill(-1);
  for (let i = 0, j = 0; i < n && j < m;) {
    if (a[i] === b[j]) match[j++] = i++;
    else if (L[i + 1][j] >= L[i][j + 1]) i++;
    else j++;
  }
  return match;
}

// --- one item ----------------------------------------------------------------------
function examine(x) {
  const cps = [...x.text];
  const bounds = phraseBounds(x.text);
  const lines = x.lines;
  const r = { kinsoku: 0, splits: 0, avoidable: 0, counter: 0, dropped: 0, chromiumSplits: 0, notes: [] };

  // Where each of the player's lines lies in the text.
  const flat = [];
  const owner = [];
  lines.forEach((l, k) => {
    for (const c of l) {
      flat.push(c);
      owner.push(k);
    }
  });
  const match = align(cps, flat);
  const span = lines.map(() => null);
  match.forEach((i, j) => {
    if (i < 0) return;
    const k = owner[j];
    span[k] = span[k] ? [Math.min(span[k][0], i), Math.max(span[k][1], i + 1)] : [i, i + 1];
  });
  const used = new Set(match.filter((i) => i >= 0));
  const lost = cps.filter((c, i) => !used.has(i) && !isSpace(c));
  const added = flat.filter((c, j) => match[j] < 0 && !isSpace(c));
  // "missing" is a list of characters, or one string of them.
  const missing = (Array.isArray(x.missing) ? x.missing : typeof x.missing === 'string' ? [...x.missing] : [])
    .filter((ch) => !isSpace(ch));
  r.dropped = lost.length + missing.length;
  if (lost.length) r.notes.push(`dropped ${JSON.stringify(lost.join(''))}`);
  if (missing.length) r.notes.push(`player reports missing ${JSON.stringify(missing)}`);
  if (added.length) r.notes.push(`drawn but not in the text ${JSON.stringify(added.join(''))}`);

  const c = chromium.get(idOf(x));
  const cLines = c ? c.lines.length : null;
  const fitsBox = c && c.lines.length <= x.max_lines;
  const chromiumKeeps = ([a, b]) => c && c.spans.some(([s, e]) => s <= a && b <= e);

  // Every break between two lines that hold text.
  const full = lines.map((l, k) => k).filter((k) => span[k] && lines[k] !== '');
  for (let q = 0; q + 1 < full.length; q++) {
    const i = full[q];
    const j = full[q + 1];
    const end = span[i][1];
    const start = span[j][0];
    const author = j > i + 1 || cps.slice(end, start).includes('\n');
    if (author) continue;
    const last = [...lines[i]].at(-1);
    const first = [...lines[j]][0];
    const at = `${[...lines[i]].slice(-4).join('')}|${[...lines[j]].slice(0, 4).join('')}`;
    if (NO_START.has(first)) {
      r.kinsoku++;
      r.notes.push(`kinsoku: a line starts with ${first} (${at})`);
    }
    if (NO_END.has(last)) {
      r.kinsoku++;
      r.notes.push(`kinsoku: a line ends with ${last} (${at})`);
    }
    const prev = [...lines[i]].at(-2);
    const second = [...lines[j]][1];
    if ((isDigit(last) && COUNTERS.has(first)) || (last === '第' && isDigit(first)) ||
        (isDigit(last) && isDigit(first)) || (isDigit(prev) && NUM_SEP.has(last) && isDigit(first)) ||
        (isDigit(last) && NUM_SEP.has(first) && isDigit(second))) {
      r.counter++;
      r.notes.push(`number split: ${at}`);
    }
    if (splitsPhrase(cps, bounds, end, start)) {
      r.splits++;
      const ph = phraseAt(cps, bounds, start);
      const word = cps.slice(ph[0], ph[1]).join('');
      if (fitsBox && chromiumKeeps(ph)) {
        r.avoidable++;
        r.notes.push(`avoidable phrase split: ${word} as ${at}; Chromium keeps it whole in ${cLines} lines`);
      } else {
        r.notes.push(`phrase split: ${word} as ${at} (${!c ? 'no Chromium answer' : !fitsBox ?
          `Chromium needs ${cLines} lines` : 'Chromium does not keep it whole either'})`);
      }
    }
  }
  // How often Chromium itself breaks inside a phrase: context, not a check.
  if (c)
    for (let k = 0; k + 1 < c.spans.length; k++) {
      const end = c.spans[k][1];
      const start = c.spans[k + 1][0];
      if (cps.slice(end, start).includes('\n') || c.lines[k] === '' || c.lines[k + 1] === '') continue;
      if (splitsPhrase(cps, bounds, end, start)) r.chromiumSplits++;
    }
  r.chromium = c;
  return r;
}

// --- report ------------------------------------------------------------------------
const METRICS = ['kinsoku', 'splits', 'avoidable', 'counter', 'dropped'];
const FAILING = ['kinsoku', 'avoidable', 'counter', 'dropped'];
const totals = {};
const failures = [];
const show = (ls) => (ls && ls.length ? ls.map((l) => (l === '' ? '(empty)' : l)).join(' / ') : '(none)');
const cut = (s, n) => ([...s].length > n ? [...s].slice(0, n - 1).join('') + '…' : s);

console.log('# | screen | item | size | box | lines/max | chromium | kinsoku | splits (player says) | avoidable | counter | dropped | chromium splits | text');
for (const x of items) {
  const r = examine(x);
  const t = (totals[x.screen] ??= { texts: 0, no_chromium: 0, player_says: 0, chromium_splits: 0, ...Object.fromEntries(METRICS.map((m) => [m, 0])) });
  t.texts++;
  for (const m of METRICS) t[m] += r[m];
  t.player_says += x.phrase_splits || 0;
  t.chromium_splits += r.chromiumSplits;
  if (!r.chromium) t.no_chromium++;
  const cl = r.chromium ? String(r.chromium.lines.length) : '-';
  console.log(`# | ${x.screen} | ${x.item} | ${x.size} | ${x.box.join('x')} | ${x.lines.length}/${x.max_lines} | ${cl} | ` +
    `${r.kinsoku} | ${r.splits} (${x.phrase_splits ?? '?'}) | ${r.avoidable} | ${r.counter} | ${r.dropped} | ${r.chromiumSplits} | ` +
    `${cut(x.text.replace(/\n/g, '⏎'), 30)}`);
  if (!r.chromium || FAILING.some((m) => r[m] > 0)) failures.push({ x, r });
  else if (r.notes.length) r.notes.forEach((n) => console.log(`#     ${x.screen} #${x.item}: ${n}`));
}
for (const [s, t] of Object.entries(totals))
  console.log(`# total ${s}: ${t.texts} texts; kinsoku ${t.kinsoku}, phrase splits ${t.splits} (player says ${t.player_says}, ` +
    `Chromium ${t.chromium_splits}), avoidable ${t.avoidable}, number splits ${t.counter}, dropped ${t.dropped}, ` +
    `no Chromium answer ${t.no_chromium}`);
for (const { x, r } of failures) {
  console.log(`# FAIL ${x.screen} #${x.item} (${x.size} px, box ${x.box.join('x')}, at most ${x.max_lines} lines)`);
  console.log(`#   text:     ${x.text.replace(/\n/g, '\\n')}`);
  console.log(`#   player:   ${show(x.lines)}`);
  console.log(`#   chromium: ${r.chromium ? show(r.chromium.lines) : '(no answer)'}`);
  for (const n of r.notes) console.log(`#   ${n}`);
}
if (totalsFile) writeFileSync(totalsFile, JSON.stringify(totals, null, 1) + '\n');
process.exit(failures.length ? 1 : 0);
