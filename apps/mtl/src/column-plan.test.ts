import { UserError } from '@mtl/core';
import { type ColumnFlags, planColumns } from './column-plan.js';
import type { ColumnStats, TableScan } from './table-scan.js';

type Kind = 'labels' | 'numbers' | 'text' | 'blank' | 'typo';

/** A scan of 10 rows as scanTable would report it for columns of each kind. */
function scan(columns: Record<string, Kind>): TableScan {
  const stats = Object.entries(columns).map(([name, kind], index): ColumnStats => {
    switch (kind) {
      case 'labels':
        return { name, index, present: 6, labelCells: 6, allLabels: true, allNumbers: true };
      case 'numbers':
        return { name, index, present: 10, labelCells: 1, allLabels: false, allNumbers: true, firstNonLabel: { row: 1, value: '0.25' } };
      case 'text':
        return { name, index, present: 10, labelCells: 0, allLabels: false, allNumbers: false, firstNonLabel: { row: 1, value: 'some words' } };
      case 'blank':
        return { name, index, present: 0, labelCells: 0, allLabels: true, allNumbers: true };
      case 'typo':
        return { name, index, present: 8, labelCells: 7, allLabels: false, allNumbers: false, firstNonLabel: { row: 5, value: 'maybe' } };
    }
  });
  return { path: 'data.csv', columns: stats, rows: 10 };
}

const plan = (columns: Record<string, Kind>, flags: ColumnFlags = {}) => planColumns(scan(columns), flags);

describe('planColumns: inferred', () => {
  it('a numeric table: label columns are tasks, the other numeric columns features, in file order', () => {
    const p = plan({ x0: 'numbers', y0: 'labels', x1: 'numbers', y1: 'labels' });
    expect(p).toMatchObject({ tasks: ['y0', 'y1'], numeric: ['x0', 'x1'], text: null, smiles: null, id: null, ignored: [] });
    expect(p.inferred).toEqual(['tasks (every value is 0/1, true/false or yes/no, or missing): y0, y1', 'numeric features: x0, x1']);
  });

  it('a text column is left out with the reason and what to pass', () => {
    const p = plan({ name: 'text', x: 'numbers', y: 'labels' });
    expect(p.numeric).toEqual(['x']);
    expect(p.ignored).toEqual([{ name: 'name', why: 'not numeric: pass it as --text, --smiles or --id to use it' }]);
  });

  it('naming a feature column (--smiles) turns numeric inference off; tasks are still inferred', () => {
    const p = plan({ smiles: 'text', weight: 'numbers', y: 'labels' }, { smiles: 'smiles' });
    expect(p).toMatchObject({ tasks: ['y'], numeric: [], smiles: 'smiles' });
    expect(p.ignored).toEqual([{ name: 'weight', why: 'features were named with flags' }]);
  });

  it('the --id column is neither task nor feature, even when it looks like one', () => {
    const p = plan({ id: 'numbers', x: 'numbers', y: 'labels' }, { id: 'id' });
    expect(p).toMatchObject({ id: 'id', tasks: ['y'], numeric: ['x'] });
  });

  it('a column blank in every row is refused, naming it and what to do (issue: a task column that is all blank)', () => {
    expect(() => plan({ x: 'numbers', y0: 'labels', y1: 'blank' })).toThrow(UserError);
    expect(() => plan({ x: 'numbers', y0: 'labels', y1: 'blank' })).toThrow(
      /data\.csv: column "y1" is blank in every row.*Remove the column, or name the tasks with --tasks a,b,c and leave it out\./,
    );
  });

  it('a column of labels with one cell that is not a label is refused, naming the row, the column and the value', () => {
    expect(() => plan({ x: 'numbers', y0: 'labels', y1: 'typo' })).toThrow(
      /data\.csv: row 5, column "y1": "maybe" is not a label\. Labels are 0\/1, true\/false or yes\/no.* If "y1" is not a task, name the tasks with --tasks a,b,c\./,
    );
  });

  it('no label column at all: an error that says what a task column is and lists the columns', () => {
    expect(() => plan({ x: 'numbers', t: 'text' })).toThrow(/data\.csv: no task column\. A task column holds 0\/1 .*--tasks a,b,c \(columns: x, t\)/);
  });

  it('no feature column left: an error naming the tasks and the flags to use', () => {
    expect(() => plan({ y0: 'labels', name: 'text' })).toThrow(
      /data\.csv: no feature column left \(tasks: y0\)\. Name features with --numeric a,b, --text COLUMN or --smiles COLUMN/,
    );
  });
});

describe('planColumns: named', () => {
  it('--tasks picks the tasks; every other numeric column (0/1 ones too) is a feature', () => {
    const p = plan({ flag: 'labels', x: 'numbers', y: 'labels' }, { tasks: ['y'] });
    expect(p).toMatchObject({ tasks: ['y'], numeric: ['flag', 'x'] });
    expect(p.inferred).toEqual(['numeric features: flag, x']);
  });

  it('--tasks and --numeric: exactly those, the rest left out with the reason', () => {
    const p = plan({ a: 'numbers', b: 'numbers', y: 'labels', z: 'labels', empty: 'blank' }, { tasks: ['z'], numeric: ['b'] });
    expect(p).toMatchObject({ tasks: ['z'], numeric: ['b'], inferred: [] });
    expect(p.ignored).toEqual([
      { name: 'a', why: 'features were named with flags' },
      { name: 'y', why: 'features were named with flags' },
      { name: 'empty', why: 'every cell is blank' },
    ]);
  });

  it.each([
    ['--tasks', { tasks: ['y', 'nope'] }],
    ['--numeric', { numeric: ['nope'] }],
    ['--text', { text: 'nope' }],
    ['--smiles', { smiles: 'nope' }],
    ['--id', { id: 'nope' }],
  ] as Array<[string, ColumnFlags]>)('%s naming a column that does not exist: an error naming it and the columns there are', (flag, flags) => {
    expect(() => plan({ x: 'numbers', y: 'labels' }, flags)).toThrow(new RegExp(`${flag} nope: data\\.csv has no column "nope" \\(its columns: x, y\\)`));
  });

  it('a column named for two roles is refused', () => {
    expect(() => plan({ x: 'numbers', y: 'labels' }, { tasks: ['y'], numeric: ['y'] })).toThrow(
      /column "y" is named as --numeric and as --tasks; a column has one role/,
    );
    expect(() => plan({ s: 'text', y: 'labels' }, { smiles: 's', text: 's' })).toThrow(/column "s" is named as --text and as --smiles/);
  });

  it('a --tasks column that is blank in every row: an error naming it', () => {
    expect(() => plan({ x: 'numbers', y: 'labels', z: 'blank' }, { tasks: ['y', 'z'] })).toThrow(
      /--tasks z: every cell of the column is blank in data\.csv; a task needs some labels\. Leave it out of --tasks\./,
    );
  });

  it('a --tasks column with a value that is not a label: an error naming the row and the column', () => {
    expect(() => plan({ x: 'numbers', y: 'typo' }, { tasks: ['y'] })).toThrow(/data\.csv: row 5, column "y": "maybe" is not a label/);
    expect(() => plan({ x: 'numbers', y: 'numbers' }, { tasks: ['y'] })).toThrow(/data\.csv: row 1, column "y": "0\.25" is not a label/);
  });

  it('--numeric on a column of words is refused', () => {
    expect(() => plan({ t: 'text', y: 'labels' }, { numeric: ['t'] })).toThrow(/--numeric t: the column holds values that are not numbers/);
  });

  it('--tasks leaves out a blank column without complaint', () => {
    expect(plan({ x: 'numbers', y: 'labels', z: 'blank' }, { tasks: ['y'] })).toMatchObject({ tasks: ['y'], numeric: ['x'] });
  });
});
