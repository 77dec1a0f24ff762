// budoux_ref.mjs DIR: reads sentences, one a line, on stdin and prints each
// as the npm package budoux (unpacked in DIR by the Makefile) parses it with
// its Japanese model, phrases joined by "/": the reference for test_phrase.
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';

const dir = process.argv[2];
const { Parser } = await import(pathToFileURL(`${dir}/module/parser.js`).href);
const { model } = await import(pathToFileURL(`${dir}/module/data/models/ja.js`).href);
const parser = new Parser(model);
for (const line of readFileSync(0, 'utf8').split('\n'))
  if (line !== '') console.log(parser.parse(line).join('/'));
