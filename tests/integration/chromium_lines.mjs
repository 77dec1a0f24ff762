// chromium_lines.mjs: how headless Chromium breaks Japanese text into lines,
// the reference for tests/integration/t_typeset.sh (issue 10).
//
//   node chromium_lines.mjs [--html FILE] [--screenshot PNG] <entries.json >lines.json
//
// stdin: [{id, text, size, width, font, wordBreak?, lineBreak?}]: the text
// in a box WIDTH CSS px wide at font-size SIZE px, in the font file FONT
// (Bold; Noto Sans CJK JP Bold and Noto Color Emoji for what it lacks, as in
// the player).  Every entry is laid out with lang="ja", line-break: strict,
// word-break: auto-phrase, overflow-wrap: break-word, and white-space:
// pre-wrap so that an author's "\n" ends a line; text-spacing-trim:
// space-all keeps punctuation at the font's own advances, as SDL_ttf draws
// it.  WORDBREAK and LINEBREAK replace the two properties for the checks that
// Chromium honours them at all.
//
// stdout: [{id, lines, spans, widths}]: the text of each line (trailing
// spaces cut, the "\n" left out), the code points [start, end) of the text
// each covers, and each line's width in px.  All entries go to one page and
// one Chromium run.  Exits 1, saying why, when Chromium cannot be run, a font
// does not load, or the page gives no answer: never an empty result.
//
// --html FILE keeps the page (with an outline drawn round every line found);
// --screenshot PNG takes a picture of it in a second run, to look at.
// CHROMIUM names the browser (default "chromium").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const BROWSER = process.env.CHROMIUM || 'chromium';
const args = process.argv.slice(2);
const opt = { html: null, screenshot: null };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--html' && i + 1 < args.length) opt.html = args[++i];
  else if (args[i] === '--screenshot' && i + 1 < args.length) opt.screenshot = args[++i];
  else die(`usage: chromium_lines.mjs [--html FILE] [--screenshot PNG] <entries.json`);
}

function die(msg) {
  process.stderr.write(`chromium_lines: ${msg}\n`);
  process.exit(1);
}

let entries;
try {
  entries = JSON.parse(readFileSync(0, 'utf8'));
} catch (e) {
  die(`stdin is not JSON: ${e.message}`);
}
if (!Array.isArray(entries) || entries.length === 0) die('stdin: expected a non-empty array of entries');
const fonts = new Map(); // font file -> CSS family name
for (const e of entries) {
  if (typeof e.id !== 'string' || typeof e.text !== 'string' || !(e.size > 0) || !(e.width > 0))
    die(`entry ${JSON.stringify(e).slice(0, 120)}: needs id, text, size > 0 and width > 0`);
  if (e.font) {
    if (!existsSync(e.font)) die(`${e.font}: no such font file`);
    if (!fonts.has(e.font)) fonts.set(e.font, `signage-font-${fonts.size}`);
  }
}

// JSON safe inside <script> and, with every non-ASCII character escaped, in
// the text of a <pre> as --dump-dom serialises it (no &amp; to undo).
const asciiJson = (v) =>
  JSON.stringify(v).replace(/[<>&\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

const FALLBACK = '"Noto Sans CJK JP", "Noto Color Emoji"';
const faces = [...fonts].map(([file, fam]) =>
  `@font-face { font-family: "${fam}"; src: url("${pathToFileURL(resolve(file)).href}"); font-weight: 700; }`);
const page = {
  entries: entries.map((e) => ({
    id: e.id, text: e.text, size: e.size, width: e.width,
    family: (e.font ? `"${fonts.get(e.font)}", ` : '') + FALLBACK,
    wordBreak: e.wordBreak || 'auto-phrase',
    lineBreak: e.lineBreak || 'strict',
  })),
};

// Runs in Chromium.  Each grapheme's box (a Range over it) says which line it
// is on: a box lower than the line's first one by more than half the font
// size starts a new line.  Graphemes come from Intl.Segmenter, so a surrogate
// pair or an emoji sequence is never cut; offsets are counted in code points.
function measure() {
  const input = JSON.parse(document.getElementById('in').textContent);
  const seg = new Intl.Segmenter('ja', { granularity: 'grapheme' });
  const out = { fonts: [], entries: [] };
  const boxes = [];
  for (const e of input.entries) {
    const d = document.createElement('div');
    d.lang = 'ja';
    d.className = 't';
    d.style.width = e.width + 'px';
    d.style.fontSize = e.size + 'px';
    d.style.fontFamily = e.family;
    d.style.wordBreak = e.wordBreak;
    d.style.lineBreak = e.lineBreak;
    d.textContent = e.text;
    const label = document.createElement('p');
    label.textContent = e.id;
    document.body.append(label, d);
    boxes.push(d);
  }
  const faces = [...document.fonts];
  Promise.allSettled(faces.map((f) => f.load()))
    .then(() => document.fonts.ready)
    .then(() => {
      for (const f of faces) out.fonts.push({ family: f.family, status: f.status });
      const range = document.createRange();
      input.entries.forEach((e, k) => {
        const node = boxes[k].firstChild;
        const lines = [];
        let cur = null;
        const open = (cp) => (cur = { text: '', start: cp, end: cp, top: null, left: Infinity, right: -Infinity });
        const close = () => {
          const m = /[ \t]*$/.exec(cur.text);
          const cut = [...m[0]].length;
          lines.push({
            text: cur.text.slice(0, m.index), start: cur.start, end: cur.end - cut,
            width: cur.right > cur.left ? Math.round((cur.right - cur.left) * 100) / 100 : 0,
            rect: [cur.left, cur.top, cur.right, cur.bottom],
          });
        };
        let cp = 0;
        open(0);
        for (const { segment, index } of node ? seg.segment(node.data) : []) {
          const n = [...segment].length;
          if (segment.includes('\n')) {
            close();
            cp += n;
            open(cp);
            continue;
          }
          range.setStart(node, index);
          range.setEnd(node, index + segment.length);
          const r = [...range.getClientRects()].find((x) => x.width > 0 || x.height > 0);
          if (r && cur.top !== null && r.top > cur.top + e.size / 2) {
            close();
            open(cp);
          }
          if (r && cur.top === null) {
            cur.top = r.top;
            cur.bottom = r.bottom;
          }
          cur.text += segment;
          cp += n;
          cur.end = cp;
          if (r && !/^[ \t]+$/.test(segment)) {
            cur.left = Math.min(cur.left, r.left);
            cur.right = Math.max(cur.right, r.right);
          }
        }
        close();
        out.entries.push({
          id: e.id,
          lines: lines.map((l) => l.text),
          spans: lines.map((l) => [l.start, l.end]),
          widths: lines.map((l) => l.width),
        });
        // An outline round every line found, for whoever looks at a screenshot.
        for (const l of lines) {
          if (l.rect[1] === null || !(l.rect[2] > l.rect[0])) continue;
          const o = document.createElement('span');
          o.className = 'line';
          o.style.left = l.rect[0] + scrollX + 'px';
          o.style.top = l.rect[1] + scrollY + 'px';
          o.style.width = l.rect[2] - l.rect[0] + 'px';
          o.style.height = l.rect[3] - l.rect[1] + 'px';
          document.body.append(o);
        }
      });
      const esc = (s) => s.replace(/[<>&\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
      document.getElementById('out').textContent = esc(JSON.stringify(out));
    })
    .catch((err) => {
      document.getElementById('out').textContent = JSON.stringify({ error: String(err) });
    });
}

const html = `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>chromium_lines</title>
<style>
${faces.join('\n')}
body { margin: 8px; background: #fff; color: #000; }
div.t { font-weight: 700; line-height: 1.5; white-space: pre-wrap;
        overflow-wrap: break-word; text-spacing-trim: space-all; text-align: start;
        padding: 0; margin: 0 0 8px 0; background: #e8f0ff; }
p { font: 12px monospace; margin: 0; }
span.line { position: absolute; outline: 1px solid #e00; pointer-events: none; }
pre#out { display: none; }
</style></head><body>
<script type="application/json" id="in">${asciiJson(page)}</script>
<pre id="out"></pre>
<script>(${measure.toString()})();</script>
</body></html>
`;

const dir = mkdtempSync(join(tmpdir(), 'chromium-lines.'));
const cleanup = () => rmSync(dir, { recursive: true, force: true });
const file = join(dir, 'lines.html');
writeFileSync(file, html);
if (opt.html) writeFileSync(opt.html, html);

// Chromium 112 and later take --headless=new; older ones only --headless.
function run(headless, extra) {
  return spawnSync(BROWSER, [headless, '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-dev-shm-usage', `--user-data-dir=${join(dir, 'profile')}`,
    '--virtual-time-budget=10000', ...extra, pathToFileURL(file).href],
  { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 300000 });
}

let result = null;
const tried = [];
for (const headless of ['--headless=new', '--headless']) {
  const p = run(headless, ['--dump-dom']);
  if (p.error) {
    cleanup();
    die(`cannot run ${BROWSER}: ${p.error.message} (install Debian's chromium, or set CHROMIUM)`);
  }
  const m = /<pre id="out">([^<]*)<\/pre>/.exec(p.stdout || '');
  if (m && m[1] !== '') {
    result = JSON.parse(m[1]);
    result.headless = headless;
    break;
  }
  const err = (p.stderr || '').split('\n').filter((l) => l && !/dbus|unexpected operator/.test(l));
  tried.push(`${headless}: exit ${p.status}, no answer in the page; ${err.slice(-3).join(' | ')}`);
}
if (!result) {
  cleanup();
  die(`${BROWSER} gave no lines:\n  ${tried.join('\n  ')}`);
}
if (result.error) {
  cleanup();
  die(`the page failed: ${result.error}`);
}
const bad = result.fonts.filter((f) => f.status !== 'loaded');
if (result.fonts.length !== fonts.size || bad.length) {
  cleanup();
  die(`fonts not loaded: ${JSON.stringify(result.fonts)} (wanted ${[...fonts.keys()].join(', ')})`);
}
if (result.entries.length !== entries.length) {
  cleanup();
  die(`${result.entries.length} answers for ${entries.length} entries`);
}

if (opt.screenshot) {
  const widest = Math.max(...entries.map((e) => e.width)) + 40;
  const p = run(result.headless, [`--screenshot=${resolve(opt.screenshot)}`, `--window-size=${widest},4000`]);
  if (p.status !== 0 || !existsSync(resolve(opt.screenshot)))
    process.stderr.write(`chromium_lines: screenshot failed (exit ${p.status})\n`);
}
cleanup();
process.stdout.write('[\n' + result.entries.map((e) => JSON.stringify(e)).join(',\n') + '\n]\n');
