import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cleanPost, cleanPosts, MAX_POST_CHARS, splitLongPost } from './post-cleaning.js';

// Real posts from ../shared/datasets/mbti/mbti_sample.csv (row numbers in comments).
describe('cleanPost', () => {
  it('removes URLs and keeps the words around them (row 1)', () => {
    expect(
      cleanPost(
        'enfp and intj moments  https://www.youtube.com/watch?v=iz7lE1g4XM4  sportscenter not top ten plays  https://www.youtube.com/watch?v=uCdfze1etec  pranks',
      ),
    ).toBe('and moments sportscenter not top ten plays pranks');
  });

  it('removes a type glued to a user name (row 1: "Hello ENFJ7.")', () => {
    expect(cleanPost('Hello ENFJ7. Sorry to hear of your distress.')).toBe('Hello 7. Sorry to hear of your distress.');
  });

  it("removes the type of the author's friend (row 1)", () => {
    expect(
      cleanPost('The last thing my INFJ friend posted on his facebook before committing suicide the next day. Rest in peace~   http://vimeo.com/22842206'),
    ).toBe('The last thing my friend posted on his facebook before committing suicide the next day. Rest in peace~');
  });

  it('removes plural, possessive, -ish, lower-case and wildcard forms', () => {
    expect(cleanPost("INFPs and INTP's are INTJ-ish, infj too; ISxJ and xNFP and INxx")).toBe('and are , too; and and');
  });

  it('removes a code that starts a longer word (sample: "In INTPese, that means", "Cogs infpaul haha")', () => {
    expect(cleanPost('In INTPese, that means: Cogs infpaul haha')).toBe('In , that means: Cogs haha');
  });

  it('removes cognitive functions and temperaments but keeps ordinary words', () => {
    expect(cleanPost('My Fi-dom and Ne are strong, typical NF. Fine, intense, entropy, Nile.')).toBe(
      'My and are strong, typical . Fine, intense, entropy, Nile.',
    );
  });

  it('returns empty for a post that was only a link (row 1)', () => {
    expect(cleanPost('http://41.media.tumblr.com/tumblr_lfouy03PMA1qa1rooo1_500.jpg')).toBe('');
  });
});

describe('cleanPosts', () => {
  it('splits on |||, strips the wrapping quotes and drops empty posts', () => {
    expect(cleanPosts("'http://www.youtube.com/watch?v=qsXHcwe3krw|||Welcome and stuff.|||   |||Game. Set. Match.'")).toEqual([
      'Welcome and stuff.',
      'Game. Set. Match.',
    ]);
  });

  it('leaves no type code in the first 50 people of the real sample', () => {
    // The first 50 lines of the sample, committed so the test needs nothing outside the repository.
    const text = readFileSync(resolve(__dirname, '../../../test/fixtures/mbti-sample-50.csv'), 'utf8').split('\n').slice(1, 51).join('\n');
    const cleaned = cleanPosts(text).join(' ');
    expect(cleaned.length).toBeGreaterThan(10_000);
    // Compared as lists so a failure shows the leftovers, not 100 kB of text.
    expect(cleaned.match(/(?<![a-z])[IE][NS][TF][JP]\w*/gi) ?? []).toEqual([]);
    expect(cleaned.match(/https?:\/\/\S*/g) ?? []).toEqual([]);
  });
});

describe('splitLongPost (regression: one 900 kB post made the encoder run for hours)', () => {
  it('keeps a post of Kaggle length whole', () => {
    const post = 'a'.repeat(208);
    expect(splitLongPost(post)).toEqual([post]);
  });

  it('cuts a long post at spaces into pieces no longer than the limit, losing no word', () => {
    const words = Array.from({ length: 3000 }, (_, i) => `w${i}`);
    const pieces = splitLongPost(words.join(' '));
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(MAX_POST_CHARS);
    expect(pieces.join(' ').split(' ')).toEqual(words);
  });

  it('cuts a long run without spaces at the limit', () => {
    const pieces = splitLongPost('x'.repeat(MAX_POST_CHARS * 2 + 5));
    expect(pieces.map((p) => p.length)).toEqual([MAX_POST_CHARS, MAX_POST_CHARS, 5]);
  });

  it('cleanPosts splits each long post', () => {
    expect(cleanPosts(`${'word '.repeat(1000)}|||short one`)).toHaveLength(4);
  });
});
