import { createReadStream, statSync } from 'node:fs';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { UserError } from '@mtl/core';
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
  checkReadable(path, flag);
  // pipeline, not pipe: an error in any stage must end the iteration below.
  const parser = pipeline(
    createReadStream(path),
    new Utf8Check(path),
    parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: false, max_record_size: MAX_RECORD_CHARS }),
    () => {},
  );
  let header = true;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (header) {
        checkHeader(record, path, info.lines);
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
      yield { row, line: info.lines, type, posts };
    }
  } catch (error) {
    throw asUserError(error, path, summary.rows + 1);
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

function checkReadable(path: string, flag: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${flag} ${path}: no such file. Check the path.`);
    throw new UserError(`${flag} ${path}: cannot read the file (${code ?? String(error)}).`);
  }
  if (!isFile) throw new UserError(`${flag} ${path}: not a file. Pass the path of a CSV file.`);
}

function checkHeader(record: string[], path: string, line: number): void {
  const names = record.map((name) => name.trim().toLowerCase());
  if (names.length !== EXPECTED_HEADER.length || names.some((name, i) => name !== EXPECTED_HEADER[i])) {
    const shown = record.join(',').slice(0, 80);
    throw new UserError(`${path}: line ${line}: the header is "${shown}", expected "type,posts" (the Kaggle mbti_1.csv format).`);
  }
}

/** `row`: the data row being read when the error came. */
function asUserError(error: unknown, path: string, row: number): unknown {
  if (error instanceof UserError) return error;
  if (error instanceof CsvError && error.code === 'CSV_MAX_RECORD_SIZE') {
    return new UserError(
      `${path}: row ${row} (line ${typeof error['lines'] === 'number' ? error['lines'] : '?'}): longer than ${MAX_RECORD_CHARS / 1_000_000} MB (${MAX_RECORD_CHARS} characters); a person's posts in the Kaggle file are about 10 kB. ` +
        'Look for a quote opened and never closed at or before that row, or shorten the row.',
    );
  }
  if (error instanceof CsvError) {
    const line = typeof error['lines'] === 'number' ? `line ${error['lines']}: ` : '';
    const message = error.message.replace(/^Invalid (Record|Opening Quote|Closing Quote)[^:]*: /, '').replace(/ at line \d+/, '');
    return new UserError(`${path}: ${line}malformed CSV (${error.code}): ${message}. Fix or remove that row; the file must have exactly two columns, "type,posts".`);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code) return new UserError(`${path}: cannot read the file (${code}).`);
  return error;
}

function skipped(): SkippedRows {
  return { count: 0, firstRows: [] };
}

function note(rows: SkippedRows, row: number): void {
  rows.count++;
  if (rows.firstRows.length < FIRST_ROWS_KEPT) rows.firstRows.push(row);
}

/**
 * Passes bytes through unchanged but stops at the first invalid UTF-8 sequence
 * or NUL byte, naming its line. Without it the decoder would silently turn bad bytes into
 * U+FFFD and the model would learn from garbage.
 */
class Utf8Check extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private line = 1;

  constructor(private readonly path: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // A NUL byte never occurs in a UTF-8 text CSV; UTF-16 text, spreadsheets and archives are
    // full of them (like git and grep, take it as the sign of a binary file).
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      let lines = 0;
      for (let i = 0; i < nul; i++) if (chunk[i] === 0x0a) lines++;
      callback(
        new UserError(
          `${this.path}: line ${this.line + lines}: contains a NUL byte, so it is a binary file (or UTF-16 text), not a UTF-8 CSV. Export the data as a UTF-8 CSV with the header "type,posts".`,
        ),
      );
      return;
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      callback(new UserError(`${this.path}: line ${this.line + this.linesBeforeInvalid(chunk)}: not valid UTF-8 text. Save the file as UTF-8 and try again.`));
      return;
    }
    for (const byte of chunk) if (byte === 0x0a) this.line++;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.decode();
      callback();
    } catch {
      callback(new UserError(`${this.path}: line ${this.line}: the file ends inside a UTF-8 character. Save the file as UTF-8 and try again.`));
    }
  }

  /** Newlines before the first byte that a fresh strict decoder rejects in this chunk. */
  private linesBeforeInvalid(chunk: Buffer): number {
    let lines = 0;
    let start = 0;
    for (let i = 0; i <= chunk.length; i++) {
      if (i === chunk.length || chunk[i] === 0x0a) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(chunk.subarray(start, i));
        } catch {
          return lines;
        }
        lines++;
        start = i + 1;
      }
    }
    return lines;
  }
}
