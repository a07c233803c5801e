/** Bumped whenever cleaning changes, so cached vectors of differently cleaned text are never reused. */
export const CLEANING_VERSION = 1;

/** Posts of one person are joined by this in the Kaggle file. */
export const POST_SEPARATOR = '|||';

/**
 * Longest post embedded as one text. Kaggle posts stop at about 200
 * characters, so no post of that file is ever split (and CLEANING_VERSION
 * stays); but the encoder's time grows with the square of a text's length
 * (20 000 characters: 6 s, 50 000: 70 s), so a pasted essay or a file without
 * separators is embedded in pieces of at most this many characters.
 */
export const MAX_POST_CHARS = 2000;

const URL = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S+/gi;

/**
 * A type code and its near forms, with the rest of the word: INTJ, infp,
 * ENFPs, INTP's, INTJ-ish, INTPese, ISxJ, xNFP, INxx, ENFJ7 (a user name, the
 * digits stay). No English word starts with these four letters, so a code at
 * the start of a word is always a type; one inside a word (after a letter) is
 * left alone.
 */
const TYPE_CODE = /(?<![a-z])[iex][nsx][tfx][jpx](?:-?ish|['’]s|[a-z]*)/gi;

/**
 * Jungian function names (Ni, Fe, Ti-dom...) and temperament pairs (NF, SJ)
 * point at a type just as clearly. Case-sensitive: "Fi" or "NT" in capitals
 * is jargon, "fi" or "nt" is not.
 */
const FUNCTION_OR_TEMPERAMENT = /(?<![A-Za-z])(?:[NSTF][ie](?:-?dom|-?aux)?|NF|NT|SJ|SP)(?:'s|s)?(?![A-Za-z])/g;

/**
 * Runs of whitespace and lone non-space whitespace. Matching every single
 * space too (/\s+/) would be the same result but millions of no-op
 * replacements on a 10 MB field: seconds instead of milliseconds.
 */
const WHITESPACE_TO_COLLAPSE = /\s{2,}|[^\S ]/g;

/** Cleans one post: no URLs, no type mentions, single spaces. Returns '' when nothing is left. */
export function cleanPost(post: string): string {
  return post.replace(URL, ' ').replace(TYPE_CODE, ' ').replace(FUNCTION_OR_TEMPERAMENT, ' ').replace(WHITESPACE_TO_COLLAPSE, ' ').trim();
}

/**
 * Splits a Kaggle `posts` field into cleaned, non-empty posts. The field is
 * usually wrapped in single quotes, which belong to no post.
 */
export function cleanPosts(field: string): string[] {
  const unwrapped = field.trim().replace(/^'/, '').replace(/'$/, '');
  const posts: string[] = [];
  for (const raw of unwrapped.split(POST_SEPARATOR)) {
    const post = cleanPost(raw);
    if (post !== '') posts.push(...splitLongPost(post));
  }
  return posts;
}

/** Pieces of at most MAX_POST_CHARS, cut at the last space before the limit when there is one. */
export function splitLongPost(post: string): string[] {
  if (post.length <= MAX_POST_CHARS) return [post];
  const pieces: string[] = [];
  let start = 0;
  while (post.length - start > MAX_POST_CHARS) {
    const space = post.lastIndexOf(' ', start + MAX_POST_CHARS);
    const end = space > start ? space : start + MAX_POST_CHARS;
    pieces.push(post.slice(start, end).trim());
    start = space > start ? end + 1 : end;
  }
  pieces.push(post.slice(start).trim());
  return pieces.filter((piece) => piece !== '');
}
