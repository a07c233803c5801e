import { UserError } from '@mtl/core';
import { csvRecords } from '@mtl/kit';
import { cleanPosts } from './post-cleaning.js';
import { parseTypeCode } from './personality-type.js';

export interface Person {
  /** 1-based data row (the header is row 0). */
  row: number;
  /** File line where the row ends: what an editor shows. */
  line: number;
  type: string;
  /** Cleaned, non-empty posts. */
  posts: string[];
}

/** Rows left out, with the first few row numbers so the user can look at them. */
export interface SkippedRows {
  count: number;
  firstRows: number[];
}

export interface ReadSummary {
  rows: number;
  people: number;
  posts: number;
  invalidType: SkippedRows;
  noPosts: SkippedRows;
}

const EXPECTED_HEADER = ['type', 'posts'];
const FIRST_ROWS_KEPT = 5;

/**
 * Longest record accepted, in characters. A person's 50 posts in the Kaggle
 * file take at most about 10 000; a record a hundred times that is a quote
 * opened and never closed, or not an MBTI file, and embedding it would run for
 * hours (the encoder's cost grows with the square of a post's length).
 */
export const MAX_RECORD_CHARS = 1_000_000;

/**
 * Streams people from a Kaggle-format MBTI CSV (header `type,posts`). Memory
 * holds one record at a time, never the file. Rows with an invalid type code or
 * no posts left after cleaning are skipped and counted in `summary`; anything
 * that makes the file unreadable is a UserError naming the file and line.
 */
export function readPeople(path: string, flag = '--data'): { people: AsyncIterable<Person>; summary: ReadSummary } {
  const summary: ReadSummary = { rows: 0, people: 0, posts: 0, invalidType: skipped(), noPosts: skipped() };
  return { people: iteratePeople(path, flag, summary), summary };
}

async function* iteratePeople(path: string, flag: string, summary: ReadSummary): AsyncGenerator<Person> {
  let header = true;
  const records = csvRecords({
    path,
    flag,
    maxRecordChars: MAX_RECORD_CHARS,
    expected: 'with the header "type,posts"',
    rowShape: 'the file must have exactly two columns, "type,posts"',
    usualRecord: "a person's posts in the Kaggle file are about 10 kB",
  });
  for await (const { record, line } of records) {
    if (header) {
      checkHeader(record, path, line);
      header = false;
      continue;
    }
    const row = ++summary.rows;
    const type = parseTypeCode(record[0]!);
    if (type === null) {
      note(summary.invalidType, row);
      continue;
    }
    const posts = cleanPosts(record[1]!);
    if (posts.length === 0) {
      note(summary.noPosts, row);
      continue;
    }
    summary.people++;
    summary.posts += posts.length;
    yield { row, line, type, posts };
  }
  if (header) throw new UserError(`${path}: the file is empty. Expected a CSV with the header "type,posts" and one row per person.`);
  if (summary.rows === 0) throw new UserError(`${path}: only a header, no rows. Add one row per person: a type code and their posts joined by "|||".`);
}

/** One warning line per kind of skipped row; empty when none were skipped. */
export function describeSkipped(path: string, summary: ReadSummary): string[] {
  const lines: string[] = [];
  const rows = (s: SkippedRows) => `${s.firstRows.join(', ')}${s.count > s.firstRows.length ? ', ...' : ''}`;
  if (summary.invalidType.count > 0) {
    lines.push(`${path}: skipped ${summary.invalidType.count} row(s) whose type is not one of the 16 MBTI codes (rows ${rows(summary.invalidType)}).`);
  }
  if (summary.noPosts.count > 0) {
    lines.push(`${path}: skipped ${summary.noPosts.count} row(s) with no posts left after removing URLs and type mentions (rows ${rows(summary.noPosts)}).`);
  }
  return lines;
}

/** A run needs people to learn from: zero valid rows is an error, not an empty result. */
export function requirePeople(path: string, summary: ReadSummary): void {
  if (summary.people > 0) return;
  throw new UserError(
    `${path}: none of its ${summary.rows} row(s) is usable (${summary.invalidType.count} with an invalid type code, ${summary.noPosts.count} with no posts after cleaning). Each row needs a code like INTJ and at least one post.`,
  );
}

function checkHeader(record: string[], path: string, line: number): void {
  const names = record.map((name) => name.trim().toLowerCase());
  if (names.length !== EXPECTED_HEADER.length || names.some((name, i) => name !== EXPECTED_HEADER[i])) {
    const shown = record.join(',').slice(0, 80);
    throw new UserError(`${path}: line ${line}: the header is "${shown}", expected "type,posts" (the Kaggle mbti_1.csv format).`);
  }
}

function skipped(): SkippedRows {
  return { count: 0, firstRows: [] };
}

function note(rows: SkippedRows, row: number): void {
  rows.count++;
  if (rows.firstRows.length < FIRST_ROWS_KEPT) rows.firstRows.push(row);
}
