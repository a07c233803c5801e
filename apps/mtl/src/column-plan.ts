import { UserError } from '@mtl/core';
import type { ColumnStats, TableScan } from './table-scan.js';

/** What the user said about the columns (flags); anything left out is inferred. */
export interface ColumnFlags {
  tasks?: readonly string[] | undefined;
  numeric?: readonly string[] | undefined;
  text?: string | undefined;
  smiles?: string | undefined;
  id?: string | undefined;
}

/** The role of every column used: which are tasks, which features of which kind, which the id. */
export interface ColumnPlan {
  tasks: string[];
  numeric: string[];
  text: string | null;
  smiles: string | null;
  id: string | null;
  /** Columns read but not used, with why: shown to the user. */
  ignored: Array<{ name: string; why: string }>;
  /** What was inferred rather than named, one line each, for the run's log. */
  inferred: string[];
}

/**
 * Resolves column roles. Named columns must exist and be used once. Without
 * --tasks, a column whose every non-blank value is a label value is a task; without
 * feature flags, every other all-numeric column is a numeric feature.
 */
export function planColumns(scan: TableScan, flags: ColumnFlags): ColumnPlan {
  const byName = new Map(scan.columns.map((c) => [c.name, c]));
  const named = (flag: string, names: readonly string[]) =>
    names.map((name) => {
      const column = byName.get(name);
      if (!column) throw new UserError(`${flag} ${name}: ${scan.path} has no column "${name}" (its columns: ${listNames(scan.columns)}).`);
      return column;
    });
  const id = flags.id === undefined ? null : named('--id', [flags.id])[0]!.name;
  const text = flags.text === undefined ? null : named('--text', [flags.text])[0]!.name;
  const smiles = flags.smiles === undefined ? null : named('--smiles', [flags.smiles])[0]!.name;
  const numericNamed = flags.numeric === undefined ? undefined : named('--numeric', flags.numeric).map((c) => c.name);
  const featureNamed = numericNamed !== undefined || text !== null || smiles !== null;
  const taken = new Map<string, string>();
  const take = (name: string, role: string) => {
    const before = taken.get(name);
    if (before) throw new UserError(`column "${name}" is named as ${before} and as ${role}; a column has one role. Fix the flags.`);
    taken.set(name, role);
  };
  if (id) take(id, '--id');
  if (text) take(text, '--text');
  if (smiles) take(smiles, '--smiles');
  for (const name of numericNamed ?? []) take(name, '--numeric');

  const inferred: string[] = [];
  const ignored: ColumnPlan['ignored'] = [];
  let tasks: string[];
  if (flags.tasks !== undefined) {
    tasks = named('--tasks', flags.tasks).map((column) => {
      take(column.name, '--tasks');
      checkTaskColumn(column, scan.path);
      return column.name;
    });
  } else {
    const free = scan.columns.filter((c) => !taken.has(c.name));
    for (const column of free) checkInferredColumn(column, scan.path);
    tasks = free.filter((c) => c.allLabels).map((c) => c.name);
    tasks.forEach((name) => take(name, 'a task'));
    if (tasks.length > 0) inferred.push(`tasks (every value is 0/1, true/false or yes/no, or missing): ${tasks.join(', ')}`);
  }
  if (tasks.length === 0) {
    throw new UserError(
      `${scan.path}: no task column. A task column holds 0/1 (or true/false, yes/no) with blanks where the label is missing; name them with --tasks a,b,c (columns: ${listNames(scan.columns)}).`,
    );
  }
  let numeric: string[];
  if (numericNamed !== undefined) {
    numeric = numericNamed;
    for (const name of numeric) {
      const column = byName.get(name)!;
      if (!column.allNumbers)
        throw new UserError(`--numeric ${name}: the column holds values that are not numbers. Give numeric columns only, or pass it as --text.`);
    }
  } else if (featureNamed) {
    numeric = [];
  } else {
    numeric = scan.columns.filter((c) => !taken.has(c.name) && c.allNumbers && c.present > 0).map((c) => c.name);
    if (numeric.length > 0) inferred.push(`numeric features: ${numeric.join(', ')}`);
  }
  for (const c of scan.columns) {
    if (taken.has(c.name) || numeric.includes(c.name)) continue;
    const why =
      c.present === 0 ? 'every cell is blank' : c.allNumbers ? 'features were named with flags' : 'not numeric: pass it as --text, --smiles or --id to use it';
    ignored.push({ name: c.name, why });
  }
  if (numeric.length === 0 && text === null && smiles === null) {
    throw new UserError(
      `${scan.path}: no feature column left (tasks: ${tasks.join(', ')}). Name features with --numeric a,b, --text COLUMN or --smiles COLUMN (columns: ${listNames(scan.columns)}).`,
    );
  }
  return { tasks, numeric, text, smiles, id, ignored, inferred };
}

function checkTaskColumn(column: ColumnStats, path: string): void {
  if (column.present === 0)
    throw new UserError(`--tasks ${column.name}: every cell of the column is blank in ${path}; a task needs some labels. Leave it out of --tasks.`);
  if (!column.allLabels) throw notALabel(column, path, '');
}

/**
 * Without --tasks, a column that is blank in every row, or whose cells are mostly
 * label values but not all, is refused rather than quietly left out: it is most
 * likely a task whose labels were lost, or one with a typo in a cell.
 */
function checkInferredColumn(column: ColumnStats, path: string): void {
  if (column.present === 0) {
    throw new UserError(
      `${path}: column "${column.name}" is blank in every row: as a task it has no labels, as a feature no values. Remove the column, or name the tasks with --tasks a,b,c and leave it out.`,
    );
  }
  if (!column.allLabels && !column.allNumbers && column.labelCells * 2 > column.present) {
    throw notALabel(column, path, ` If "${column.name}" is not a task, name the tasks with --tasks a,b,c.`);
  }
}

function notALabel(column: ColumnStats, path: string, advice: string): UserError {
  const bad = column.firstNonLabel!;
  return new UserError(
    `${path}: row ${bad.row}, column "${column.name}": "${bad.value}" is not a label. Labels are 0/1, true/false or yes/no; a missing label is blank, NA, N/A, NaN, null or -1.${advice}`,
  );
}

function listNames(columns: readonly ColumnStats[]): string {
  const names = columns.map((c) => c.name);
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, … (${names.length} in all)` : names.join(', ');
}
