import { createReadStream, statSync } from 'node:fs';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { type RunEventListener, UserError } from '@mtl/core';
import { CsvError, parse } from 'csv-parse';

export interface CsvRecordsOptions {
  path: string;
  /** The flag that named the file, for messages ("--data"). */
  flag: string;
  /** Longest record accepted, in characters: a longer one is a quote opened and never closed. */
  maxRecordChars: number;
  /** What the file should be, ending the NUL-byte message: 'with the header "type,posts"'. */
  expected: string;
  /** How every row must look, ending the malformed-row message; default: as many fields as the header. */
  rowShape?: string;
  /** How long a record usually is, for the overlong-record message ("a person's posts are about 10 kB"). */
  usualRecord?: string;
  /** Receives 'stage' progress in MB read (a big file takes a while); named by `stage`, default 'reading'. */
  onEvent?: RunEventListener;
  stage?: string;
}

/** One parsed CSV record and the file line where it ends: what an editor shows. */
export interface CsvRecord {
  record: string[];
  line: number;
  /**
   * Empty lines skipped between the previous record and this one. In a
   * one-column table an empty line is a row whose cell is empty: a reader
   * that must count such rows finds them here.
   */
  emptyLinesBefore: number;
}

/**
 * Streams the records of a UTF-8 CSV file (a BOM and CRLF line ends are fine),
 * the header first. Memory holds one record at a time, never the file.
 * Anything that makes the file unreadable (no such file, binary or UTF-16
 * content, invalid UTF-8, a malformed or overlong record, rows of another width)
 * is a UserError naming the file and the line.
 */
export async function* csvRecords(options: CsvRecordsOptions): AsyncGenerator<CsvRecord> {
  const { path } = options;
  const size = checkReadable(path, options.flag);
  // pipeline, not pipe: an error in any stage must end the iteration below.
  const parser = pipeline(
    createReadStream(path),
    new Utf8Check(path, options.expected, options.onEvent && readingProgress(options.onEvent, options.stage ?? 'reading', size)),
    parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: false, max_record_size: options.maxRecordChars }),
    () => {},
  );
  let records = 0;
  let emptyLines = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; empty_lines: number } }>) {
      records++;
      yield { record, line: info.lines, emptyLinesBefore: info.empty_lines - emptyLines };
      emptyLines = info.empty_lines;
    }
  } catch (error) {
    // The header is record 1, so the data row being read is the records seen so far.
    throw asUserError(error, options, records);
  }
}

/** Progress in MB, sent at most every 4 MB read and once at the end. */
function readingProgress(onEvent: RunEventListener, name: string, size: number): (bytes: number, finished: boolean) => void {
  const started = performance.now();
  let sent = 0;
  const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;
  return (bytes, finished) => {
    if (!finished && bytes - sent < 4 * 1_048_576) return;
    sent = bytes;
    const seconds = (performance.now() - started) / 1000;
    onEvent({
      type: 'stage',
      name,
      done: mb(bytes),
      total: mb(size),
      unit: 'MB',
      ...(seconds > 0 ? { rate: mb(bytes) / seconds } : {}),
      ...(finished ? { finished } : {}),
    });
  };
}

/** The file's size, once it is known to be a readable file. */
function checkReadable(path: string, flag: string): number {
  let isFile: boolean;
  let size = 0;
  try {
    const stats = statSync(path);
    isFile = stats.isFile();
    size = stats.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${flag} ${path}: no such file. Check the path.`);
    throw new UserError(`${flag} ${path}: cannot read the file (${code ?? String(error)}).`);
  }
  if (!isFile) throw new UserError(`${flag} ${path}: not a file. Pass the path of a CSV file.`);
  return size;
}

/** `row`: the data row being read when the error came. */
function asUserError(error: unknown, options: CsvRecordsOptions, row: number): unknown {
  const { path, maxRecordChars } = options;
  if (error instanceof UserError) return error;
  if (error instanceof CsvError && error.code === 'CSV_MAX_RECORD_SIZE') {
    return new UserError(
      `${path}: row ${row} (line ${typeof error['lines'] === 'number' ? error['lines'] : '?'}): longer than ${maxRecordChars / 1_000_000} MB (${maxRecordChars} characters)${options.usualRecord ? `; ${options.usualRecord}` : ''}. ` +
        'Look for a quote opened and never closed at or before that row, or shorten the row.',
    );
  }
  if (error instanceof CsvError) {
    const line = typeof error['lines'] === 'number' ? `line ${error['lines']}: ` : '';
    const message = error.message.replace(/^Invalid (Record|Opening Quote|Closing Quote)[^:]*: /, '').replace(/ at line \d+/, '');
    return new UserError(
      `${path}: ${line}malformed CSV (${error.code}): ${message}. Fix or remove that row; ${options.rowShape ?? 'every row must have as many fields as the header'}.`,
    );
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code) return new UserError(`${path}: cannot read the file (${code}).`);
  return error;
}

/**
 * Passes bytes through unchanged but stops at the first invalid UTF-8 sequence
 * or NUL byte, naming its line. Without it the decoder would silently turn bad bytes into
 * U+FFFD and the model would learn from garbage.
 */
class Utf8Check extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private line = 1;

  private bytes = 0;

  constructor(
    private readonly path: string,
    private readonly expected: string,
    private readonly progress?: (bytes: number, finished: boolean) => void,
  ) {
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
          `${this.path}: line ${this.line + lines}: contains a NUL byte, so it is a binary file (or UTF-16 text), not a UTF-8 CSV. Export the data as a UTF-8 CSV ${this.expected}.`,
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
    this.bytes += chunk.length;
    this.progress?.(this.bytes, false);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.decode();
      this.progress?.(this.bytes, true);
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
