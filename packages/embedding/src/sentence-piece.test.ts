import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defaultModelDir } from './sentence-encoder.js';
import { SentencePieceTokenizer, type Vocabulary } from './sentence-piece.js';

const SAMPLE = join(import.meta.dirname, '../../../../shared/datasets/mbti/mbti_sample.csv');

describe('SentencePieceTokenizer', () => {
  const vocabulary = JSON.parse(readFileSync(join(defaultModelDir(), 'vocab.json'), 'utf8')) as Vocabulary;
  const ours = new SentencePieceTokenizer(vocabulary);
  // The reference: the tokenizer of @tensorflow-models/universal-sentence-encoder 1.3.3 (it warns about its nested tfjs).
  const warn = console.warn;
  console.warn = () => {};
  const { Tokenizer } = createRequire(import.meta.url)('@tensorflow-models/universal-sentence-encoder/dist/tokenizer/index.js') as {
    Tokenizer: new (vocabulary: Vocabulary) => { encode(text: string): number[] };
  };
  console.warn = warn;
  const reference = new Tokenizer(vocabulary);

  it('gives the ids of the reference on hand-picked texts: empty, spaces, unknown symbols, emoji, accents, CJK, URLs', () => {
    const texts = [
      '',
      ' ',
      '   a  b   ',
      'How old are you?',
      'I love my dog 🐶🐶 and ☃☃☃ snow',
      'naïve café, Ångström, ﬁ ligature, ①②',
      '日本語のテキスト 中文',
      'https://www.youtube.com/watch?v=qsXHcwe3krw',
      '\u0000\u0001 control \t tab \n newline',
      '¿¡ÀÉÎÕÜ!? ~~~ ```` ||| ',
      'a'.repeat(300),
    ];
    for (const text of texts) expect(ours.encode(text)).toEqual(reference.encode(text));
  });

  it('gives the ids of the reference on 3000 random strings', () => {
    const pool = Array.from('abcdefghij klmnopqrstuvwxyz ABCXYZ 0123456789 .,!?\'"-_/:;()[]@#$%&* éèàüöß ñç 😀🙃👍 中文字 ␣\u2581');
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: Math.floor(random() * 120) }, () => pool[Math.floor(random() * pool.length)]).join('');
      expect(ours.encode(text)).toEqual(reference.encode(text));
    }
  });

  it.skipIf(!existsSync(SAMPLE))('gives the ids of the reference on the mbti sample (../shared)', () => {
    const text = readFileSync(SAMPLE, 'utf8');
    const posts = text.split('|||').slice(0, 5000);
    for (const post of posts) expect(ours.encode(post)).toEqual(reference.encode(post));
  });
});
