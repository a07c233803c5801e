import { createMatrix, type Matrix, type RunEventListener, UserError } from '@mtl/core';
import { parseLabel, parseNumber } from './label-values.js';
import { tableRecords } from './table-scan.js';

/** The columns a run reads from a table, by role. */
export interface ColumnRequest {
  path: string;
  /** The flag that named the file ('--data'). */
  flag: string;
  /** Label columns; empty when the file is only predicted. */
  tasks: readonly string[];
  numeric: readonly string[];
  text: string | null;
  smiles: string | null;
  id: string | null;
  /** A missing id column is not an error: rows are then named by their number. */
  optionalId?: boolean;
  /** Receives 'reading' progress for a big file. */
  onEvent?: RunEventListener;
  /** Why the columns are wanted, for the message when some are missing ("the model's features"). */
  purpose: string;
}

/** Pass 2 over the file: the values of the requested columns only. */
export interface TableColumns {
  rows: number;
  /** rows x tasks, MISSING where a label is missing. */
  labels: Matrix;
  /** rows x numeric columns, NaN where a value is missing. */
  numeric: Matrix;
  text: string[] | null;
  smiles: string[] | null;
  /** The id column's values, or the 1-based data row numbers. */
  ids: string[];
  /** The id column read, or null when rows are named by their number. */
  idColumn: string | null;
}

/**
 * Reads the requested columns in one streaming pass; every other column is
 * dropped as it is read. A requested column the file lacks, a label that is not
 * a label value or a number that is not a number is a UserError naming the row
 * and the column.
 */
export async function readColumns(request: ColumnRequest): Promise<TableColumns> {
  const { path } = request;
  let index: Map<string, number> | undefined;
  const labels: number[] = [];
  const numeric: number[] = [];
  const text: string[] = [];
  const smiles: string[] = [];
  const ids: string[] = [];
  let rows = 0;
  let at: ReturnType<typeof locate> | undefined;
  for await (const { record } of tableRecords(path, request.flag, request.onEvent && { onEvent: request.onEvent, stage: 'reading' })) {
    if (!index) {
      index = new Map(record.map((name, i) => [name.trim(), i]));
      at = locate(index, request);
      continue;
    }
    rows++;
    for (const [t, i] of at!.task.entries()) {
      const value = parseLabel(record[i]!);
      if (value === undefined) {
        throw new UserError(
          `${path}: row ${rows}, column "${request.tasks[t]}": "${record[i]}" is not a label. Labels are 0/1, true/false or yes/no; a missing label is blank, NA, N/A, NaN, null or -1.`,
        );
      }
      labels.push(value);
    }
    for (const [n, i] of at!.numeric.entries()) {
      const value = parseNumber(record[i]!);
      if (value === undefined)
        throw new UserError(
          `${path}: row ${rows}, column "${request.numeric[n]}": "${record[i]}" is not a number. Fix the cell, or leave it blank if it is missing.`,
        );
      numeric.push(value);
    }
    if (at!.text >= 0) text.push(record[at!.text]!);
    if (at!.smiles >= 0) smiles.push(record[at!.smiles]!.trim());
    ids.push(at!.id >= 0 ? record[at!.id]! : String(rows));
  }
  if (!index) throw new UserError(`${path}: the file is empty. Expected a CSV with a header row of column names.`);
  return {
    rows,
    labels: createMatrix(rows, request.tasks.length, Float32Array.from(labels)),
    numeric: createMatrix(rows, request.numeric.length, Float32Array.from(numeric)),
    text: request.text === null ? null : text,
    smiles: request.smiles === null ? null : smiles,
    ids,
    idColumn: at && at.id >= 0 ? at.idName : null,
  };
}

function locate(index: Map<string, number>, request: ColumnRequest) {
  const id = request.optionalId && request.id !== null && !index.has(request.id) ? null : request.id;
  const wanted = [...request.tasks, ...request.numeric, request.text, request.smiles, id].filter((name): name is string => name !== null);
  const missing = wanted.filter((name) => !index.has(name));
  if (missing.length > 0) {
    throw new UserError(
      `${request.path}: no column ${missing.map((m) => `"${m}"`).join(', ')}, needed for ${request.purpose}. The file's columns: ${[...index.keys()].join(', ')}.`,
    );
  }
  const of = (name: string | null) => (name === null ? -1 : index.get(name)!);
  return { task: request.tasks.map(of), numeric: request.numeric.map(of), text: of(request.text), smiles: of(request.smiles), id: of(id), idName: id };
}
