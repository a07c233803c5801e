import { type RunEventListener, UserError } from '@mtl/core';
import { type CsvRecord, csvRecords } from '@mtl/kit';
import { isMissingCell, parseLabel, parseNumber } from './label-values.js';

/** Longest record accepted: a row of a wide table of numbers or a long text cell; longer means a quote left open. */
export const MAX_RECORD_CHARS = 4_000_000;

/** What the first pass learns about one column, to infer its role without keeping its values. */
export interface ColumnStats {
  name: string;
  index: number;
  /** Cells that are not a missing token. */
  present: number;
  /** Present cells that are label values (0/1, true/false, yes/no). */
  labelCells: number;
  /** Every present cell is a label value. */
  allLabels: boolean;
  /** Every present cell is a finite number. */
  allNumbers: boolean;
  /** The first present cell that is not a label value, with its row, for messages. */
  firstNonLabel?: { row: number; value: string };
}

export interface TableScan {
  path: string;
  columns: ColumnStats[];
  /** Data rows (the header excluded). */
  rows: number;
}

/**
 * The records of a user's table, the header first. The CSV parser skips empty
 * lines; in a table of one column an empty line between rows is a row whose
 * cell is empty (an empty text, a missing SMILES), so it comes back as one, to
 * be skipped and counted like any other empty cell. Empty lines after the last
 * row are not rows.
 */
export async function* tableRecords(path: string, flag: string, progress?: { onEvent: RunEventListener; stage: string }): AsyncGenerator<CsvRecord> {
  let width: number | undefined;
  for await (const record of csvRecords({ path, flag, maxRecordChars: MAX_RECORD_CHARS, expected: 'with a header row of column names', ...progress })) {
    if (width === 1) {
      // The line is exact when the next row is on one line (no quoted line break).
      for (let i = 0; i < record.emptyLinesBefore; i++) yield { record: [''], line: record.line - record.emptyLinesBefore + i, emptyLinesBefore: 0 };
    }
    width ??= record.record.length;
    yield record;
  }
}

/**
 * Pass 1 over the file: the header (duplicate names refused) and, per column,
 * whether every value is a label, a number, or missing. Memory: one row at a time.
 */
export async function scanTable(options: { path: string; flag?: string; onEvent?: RunEventListener }): Promise<TableScan> {
  const { path } = options;
  let columns: ColumnStats[] | undefined;
  let rows = 0;
  for await (const { record, line } of tableRecords(path, options.flag ?? '--data', options.onEvent && { onEvent: options.onEvent, stage: 'scanning' })) {
    if (!columns) {
      columns = headerColumns(record, path, line);
      continue;
    }
    rows++;
    for (const column of columns) {
      const cell = record[column.index]!;
      if (isMissingCell(cell)) continue;
      column.present++;
      if (parseLabel(cell) !== undefined) column.labelCells++;
      else if (column.allLabels) {
        column.allLabels = false;
        column.firstNonLabel = { row: rows, value: cell };
      }
      if (column.allNumbers && parseNumber(cell) === undefined) column.allNumbers = false;
    }
  }
  if (!columns) throw new UserError(`${path}: the file is empty. Expected a CSV with a header row of column names, then one row per example.`);
  if (rows === 0) throw new UserError(`${path}: only a header, no rows. Add one row per example.`);
  return { path, columns, rows };
}

function headerColumns(record: string[], path: string, line: number): ColumnStats[] {
  const names = record.map((name) => name.trim());
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === '') throw new UserError(`${path}: line ${line}: column ${i + 1} of the header has no name. Name every column.`);
    const first = seen.get(name);
    if (first !== undefined)
      throw new UserError(`${path}: line ${line}: the column name "${name}" appears twice (columns ${first + 1} and ${i + 1}). Rename one of them.`);
    seen.set(name, i);
  });
  return names.map((name, index) => ({ name, index, present: 0, labelCells: 0, allLabels: true, allNumbers: true }));
}
