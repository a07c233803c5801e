import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@mtl/core';
import { scanTable } from './table-scan.js';

const dir = mkdtempSync(join(tmpdir(), 'table-scan-'));
function csv(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('scanTable', () => {
  it('counts rows and, per column, present cells, label cells, and whether all are labels or numbers', async () => {
    const path = csv('mixed.csv', 'id,x,y,z,notes\na,0.5,1,yes,hello\nb,NA,,no,\nc,2,0,maybe,1\nd,-1,-1,Yes,true\n');
    const scan = await scanTable({ path });
    expect(scan.rows).toBe(4);
    const by = Object.fromEntries(scan.columns.map((c) => [c.name, c]));
    expect(by['id']).toMatchObject({ index: 0, present: 4, labelCells: 0, allLabels: false, allNumbers: false, firstNonLabel: { row: 1, value: 'a' } });
    // "-1" and "NA" are missing tokens: not present, neither label nor number.
    expect(by['x']).toMatchObject({ present: 2, labelCells: 0, allLabels: false, allNumbers: true, firstNonLabel: { row: 1, value: '0.5' } });
    expect(by['y']).toMatchObject({ present: 2, labelCells: 2, allLabels: true, allNumbers: true });
    expect(by['y']!.firstNonLabel).toBeUndefined();
    expect(by['z']).toMatchObject({ present: 4, labelCells: 3, allLabels: false, allNumbers: false, firstNonLabel: { row: 3, value: 'maybe' } });
    expect(by['notes']).toMatchObject({ present: 3, labelCells: 2, allLabels: false, allNumbers: false, firstNonLabel: { row: 1, value: 'hello' } });
  });

  it('trims header names', async () => {
    const scan = await scanTable({ path: csv('spaces.csv', ' a , b\n1,2\n') });
    expect(scan.columns.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('reads a file with a BOM and CRLF line ends like any other', async () => {
    const plain = await scanTable({ path: csv('plain.csv', 'x,y\n1,0\n2,1\n') });
    const bom = await scanTable({ path: csv('bom.csv', Buffer.from('\ufeffx,y\r\n1,0\r\n2,1\r\n', 'utf8')) });
    expect(bom.columns).toEqual(plain.columns);
    expect(bom.rows).toBe(2);
  });

  it('refuses a column name that appears twice, naming it and both positions', async () => {
    const path = csv('dup.csv', 'a,b,a\n1,2,3\n');
    await expect(scanTable({ path })).rejects.toThrow(UserError);
    await expect(scanTable({ path })).rejects.toThrow(/dup\.csv: line 1: the column name "a" appears twice \(columns 1 and 3\)\. Rename one of them/);
  });

  it('refuses names equal after trimming', async () => {
    await expect(scanTable({ path: csv('dup-trim.csv', 'a, a\n1,2\n') })).rejects.toThrow(/the column name "a" appears twice/);
  });

  it('refuses a header column with no name', async () => {
    await expect(scanTable({ path: csv('noname.csv', 'a,,c\n1,2,3\n') })).rejects.toThrow(/noname\.csv: line 1: column 2 of the header has no name/);
  });

  it('refuses an empty file and a header with no rows', async () => {
    await expect(scanTable({ path: csv('empty.csv', '') })).rejects.toThrow(/empty\.csv: the file is empty/);
    await expect(scanTable({ path: csv('header.csv', 'a,b\n') })).rejects.toThrow(/header\.csv: only a header, no rows/);
  });

  it('names the flag of a file that does not exist', async () => {
    await expect(scanTable({ path: join(dir, 'nope.csv'), flag: '--data' })).rejects.toThrow(/--data .*nope\.csv: no such file/);
  });

  it('refuses a row of another width, naming the line', async () => {
    await expect(scanTable({ path: csv('ragged.csv', 'a,b\n1,2\n3\n') })).rejects.toThrow(/ragged\.csv: line 3: malformed CSV/);
  });
});
