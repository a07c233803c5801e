#!/usr/bin/env node
// Writes every usable person of an MBTI CSV as one JSON line, in the app's row
// order (the rows cv.json's `heldOut` and split.json name), with their posts
// cleaned exactly as the app cleans them: what a peer outside this project
// (bench/peers/mbti_peers.py) needs to train on the same people and folds.
//
//   npm run build -w mbti && node apps/mbti/examples/export-people.mjs ../shared/datasets/mbti/mbti_sample.csv /tmp/people.jsonl
import { createWriteStream, renameSync } from 'node:fs';
import { once } from 'node:events';
import { readPeople } from 'mbti';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node apps/mbti/examples/export-people.mjs DATA.csv OUT.jsonl');
  process.exit(2);
}
const partial = `${output}.partial`;
const out = createWriteStream(partial);
let row = 0;
for await (const person of readPeople(input).people) {
  if (!out.write(`${JSON.stringify({ row, type: person.type, csvRow: person.row, posts: person.posts })}\n`)) await once(out, 'drain');
  row += 1;
}
out.end();
await once(out, 'finish');
renameSync(partial, output);
console.log(`wrote ${row} people to ${output}`);
