import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MISSING } from '@mtl/core';
import { type ColumnRequest, readColumns } from './table-columns.js';

const dir = mkdtempSync(join(tmpdir(), 'table-columns-'));
function csv(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const TABLE = csv(
  'table.csv',
  ['name,smiles,a,b,x1,text,x2,unused', 'm1, CCO ,1,NA,0.5,hello there,-1,zzz', 'm2,c1ccccc1,No,true,,  ,3,zzz', 'm3,CCN,null,-1,2,bye,NaN,zzz'].join('\n'),
);

const request = (overrides: Partial<ColumnRequest>): ColumnRequest => ({
  path: TABLE,
  flag: '--data',
  tasks: [],
  numeric: [],
  text: null,
  smiles: null,
  id: null,
  purpose: 'the columns chosen',
  ...overrides,
});

describe('readColumns', () => {
  it('reads labels (MISSING where missing), numbers (NaN where missing), text, trimmed SMILES and ids, in the requested order', async () => {
    const t = await readColumns(request({ tasks: ['b', 'a'], numeric: ['x2', 'x1'], text: 'text', smiles: 'smiles', id: 'name' }));
    expect(t.rows).toBe(3);
    expect(t.labels).toMatchObject({ rows: 3, cols: 2 });
    expect(Array.from(t.labels.data)).toEqual([MISSING, 1, 1, 0, MISSING, MISSING]);
    expect(t.numeric).toMatchObject({ rows: 3, cols: 2 });
    expect(Array.from(t.numeric.data)).toEqual([-1, 0.5, 3, Number.NaN, Number.NaN, 2]);
    expect(t.text).toEqual(['hello there', '  ', 'bye']);
    expect(t.smiles).toEqual(['CCO', 'c1ccccc1', 'CCN']);
    expect(t.ids).toEqual(['m1', 'm2', 'm3']);
    expect(t.idColumn).toBe('name');
  });

  it('names rows by their number without an id column, and gives null for the kinds not asked for', async () => {
    const t = await readColumns(request({ numeric: ['x1'] }));
    expect(t.ids).toEqual(['1', '2', '3']);
    expect(t.idColumn).toBeNull();
    expect(t.text).toBeNull();
    expect(t.smiles).toBeNull();
    expect(t.labels).toMatchObject({ rows: 3, cols: 0 });
  });

  it('an optional id the file lacks falls back to row numbers; a required one is an error', async () => {
    const optional = await readColumns(request({ numeric: ['x1'], id: 'mol_id', optionalId: true }));
    expect(optional.ids).toEqual(['1', '2', '3']);
    expect(optional.idColumn).toBeNull();
    await expect(readColumns(request({ numeric: ['x1'], id: 'mol_id' }))).rejects.toThrow(/table\.csv: no column "mol_id", needed for the columns chosen/);
  });

  it('names every requested column the file lacks, what they were for, and the columns it has', async () => {
    await expect(readColumns(request({ tasks: ['a'], numeric: ['x1', 'x9'], smiles: 'SMILES', purpose: "the model's features" }))).rejects.toThrow(
      /table\.csv: no column "x9", "SMILES", needed for the model's features\. The file's columns: name, smiles, a, b, x1, text, x2, unused\./,
    );
  });

  it('refuses a label that is not a label value, naming the row and the column', async () => {
    const path = csv('maybe.csv', 'x,y\n1,1\n2,maybe\n3,0\n');
    await expect(readColumns(request({ path, tasks: ['y'], numeric: ['x'] }))).rejects.toThrow(
      /maybe\.csv: row 2, column "y": "maybe" is not a label\. Labels are 0\/1, true\/false or yes\/no; a missing label is blank, NA, N\/A, NaN, null or -1\./,
    );
  });

  it('refuses a numeric cell that is not a number, naming the row and the column', async () => {
    const path = csv('nan.csv', 'x,y\n1,1\n2,0\nabc,1\n');
    await expect(readColumns(request({ path, tasks: ['y'], numeric: ['x'] }))).rejects.toThrow(/nan\.csv: row 3, column "x": "abc" is not a number/);
  });

  it('finds columns by their trimmed header names', async () => {
    const path = csv('spaced.csv', ' x , y \n1,0\n');
    const t = await readColumns(request({ path, tasks: ['y'], numeric: ['x'] }));
    expect(Array.from(t.numeric.data)).toEqual([1]);
    expect(Array.from(t.labels.data)).toEqual([0]);
  });
});

describe('readColumns: empty lines', () => {
  // Regression: the CSV parser skips empty lines, so in a one-column file an empty text (or SMILES) vanished
  // uncounted and every later row took the number of the one before it.
  it('reads an empty line of a one-column table as a row with an empty cell; empty lines after the last row are not rows', async () => {
    const path = csv('one-column.csv', 'review\nGreat soup\n\nCold fries\n\n\nNice staff\n\n');
    const t = await readColumns(request({ path, text: 'review' }));
    expect(t.text).toEqual(['Great soup', '', 'Cold fries', '', '', 'Nice staff']);
    expect(t.ids).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('does the same with CRLF line ends', async () => {
    const path = csv('one-column-crlf.csv', 'smiles\r\nCCO\r\n\r\nCCN\r\n');
    expect((await readColumns(request({ path, smiles: 'smiles' }))).smiles).toEqual(['CCO', '', 'CCN']);
  });

  it('skips an empty line of a wider table: it is no row (a row has a cell per column)', async () => {
    const path = csv('two-columns.csv', 'review,positive\nGreat soup,1\n\nCold fries,0\n');
    const t = await readColumns(request({ path, text: 'review', tasks: ['positive'] }));
    expect(t.text).toEqual(['Great soup', 'Cold fries']);
  });
});
