import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createRng, type Rng } from '@mtl/core';
import { csvRecords } from '@mtl/kit';

/** Rows of the full Kaggle MBTI file (mbti_1.csv), and its posts: what the synthetic file matches. */
export const KAGGLE_PEOPLE = 8675;
export const KAGGLE_POSTS = 422_845;

export interface SyntheticSummary {
  people: number;
  posts: number;
  bytes: number;
}

const URL = /^https?:\/\//;

/**
 * Writes a Kaggle-size MBTI file built from a real sample: each synthetic
 * person takes a sample person's type and posts (so post lengths, URLs and
 * type mentions keep the real distribution), and every post is varied by
 * replacing one word and inserting another, both drawn from the sample's
 * words, so no two posts are equal and the embedding cache cannot answer
 * for them. Seeded: the same sample and seed give the same file. Written
 * beside `out` and renamed, so `out` is never half-written.
 */
export async function writeSyntheticMbti(options: { sample: string; out: string; people?: number; seed?: number }): Promise<SyntheticSummary> {
  const people = options.people ?? KAGGLE_PEOPLE;
  const rng = createRng(options.seed ?? 11);
  const source: Array<{ type: string; posts: string[] }> = [];
  const words: string[] = [];
  let header = true;
  for await (const { record } of csvRecords({ path: options.sample, flag: '--sample', maxRecordChars: 1_000_000, expected: 'with the header "type,posts"' })) {
    if (header) {
      header = false;
      continue;
    }
    const posts = record[1]!.split('|||');
    source.push({ type: record[0]!, posts });
    for (const post of posts) for (const word of post.split(' ')) if (word && !URL.test(word) && !word.includes('"')) words.push(word);
  }
  if (source.length === 0 || words.length === 0) throw new Error(`${options.sample}: no people to build a synthetic file from`);
  const seen = new Set<string>();
  const temp = `${options.out}.${process.pid}.tmp`;
  const file = createWriteStream(temp);
  let posts = 0;
  let bytes = 0;
  try {
    const write = async (text: string) => {
      bytes += Buffer.byteLength(text);
      if (!file.write(text)) await once(file, 'drain');
    };
    await write('type,posts\n');
    for (let p = 0; p < people; p++) {
      const from = source[rng.int(source.length)]!;
      const varied = from.posts.map((post) => vary(post, words, rng, seen));
      posts += varied.length;
      await write(`${from.type},"${varied.join('|||').replaceAll('"', '""')}"\n`);
    }
    file.end();
    await once(file, 'finish');
    renameSync(temp, options.out);
  } catch (error) {
    file.destroy();
    rmSync(temp, { force: true });
    throw error;
  }
  return { people, posts, bytes };
}

/** The post with one word replaced and one inserted (sample words), retried until it is new. */
function vary(post: string, words: readonly string[], rng: Rng, seen: Set<string>): string {
  const pick = () => words[rng.int(words.length)]!;
  for (;;) {
    const tokens = post.split(' ');
    tokens[rng.int(tokens.length)] = pick();
    tokens.splice(rng.int(tokens.length + 1), 0, pick());
    const text = tokens.join(' ');
    if (!seen.has(text)) {
      seen.add(text);
      return text;
    }
  }
}
