import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CsvRecord, csvRecords } from './csv-records.js';

const dir = mkdtempSync(join(tmpdir(), 'csv-records-'));

async function records(content: string): Promise<CsvRecord[]> {
  const path = join(dir, 'table.csv');
  writeFileSync(path, content);
  const all: CsvRecord[] = [];
  for await (const record of csvRecords({ path, flag: '--data', maxRecordChars: 1000, expected: 'with a header' })) all.push(record);
  return all;
}

describe('csvRecords', () => {
  it('gives each record with the line it ends on and the empty lines skipped before it', async () => {
    const all = await records('a\nx\n\ny\n\n\nz\n\n');
    expect(all).toEqual([
      { record: ['a'], line: 1, emptyLinesBefore: 0 },
      { record: ['x'], line: 2, emptyLinesBefore: 0 },
      { record: ['y'], line: 4, emptyLinesBefore: 1 },
      { record: ['z'], line: 7, emptyLinesBefore: 2 },
    ]);
  });

  it('reads a quoted empty cell as a record, not as an empty line', async () => {
    expect((await records('a\n""\ny\n')).map((r) => [r.record, r.emptyLinesBefore])).toEqual([
      [['a'], 0],
      [[''], 0],
      [['y'], 0],
    ]);
  });
});
