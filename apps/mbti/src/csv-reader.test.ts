import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@mtl/core';
import { describeSkipped, readPeople, requirePeople, type Person } from './csv-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'mbti-csv-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string) {
  const { people, summary } = readPeople(path);
  const list: Person[] = [];
  for await (const person of people) list.push(person);
  return { list, summary };
}

async function failure(path: string): Promise<string> {
  try {
    await readAll(path);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('readPeople', () => {
  it('reads the first 24 people of the real sample, cleaned', async () => {
    const { list, summary } = await readAll('test/fixtures/mbti-sample-24.csv');
    expect(list).toHaveLength(24);
    expect(list[0]).toMatchObject({ row: 1, type: 'INFJ' });
    expect(list[1]!.type).toBe('ENTP');
    // Row 1's first two posts are bare links: gone after cleaning.
    expect(list[0]!.posts[0]).toBe('and moments sportscenter not top ten plays pranks');
    expect(summary).toMatchObject({ rows: 24, people: 24, invalidType: { count: 0 }, noPosts: { count: 0 } });
  });

  it('skips invalid type codes and people without posts, naming their rows', async () => {
    const path = 'test/fixtures/mbti-tiny.csv';
    const { list, summary } = await readAll(path);
    expect(list.map((p) => p.type)).toEqual(['INTJ', 'ENFP', 'INFP', 'ESTJ', 'INTP', 'ESFP']);
    expect(list[0]!.posts[2]).toBe('As an I find most meetings pointless.');
    expect(summary.invalidType).toEqual({ count: 2, firstRows: [3, 8] });
    expect(summary.noPosts).toEqual({ count: 1, firstRows: [4] });
    expect(describeSkipped(path, summary)).toEqual([
      `${path}: skipped 2 row(s) whose type is not one of the 16 MBTI codes (rows 3, 8).`,
      `${path}: skipped 1 row(s) with no posts left after removing URLs and type mentions (rows 4).`,
    ]);
  });

  // Issue 6: a 10 MB field used to be read whole and then embedded for hours.
  it('refuses a 10 MB field, naming the row and what to look for', async () => {
    const big = `type,posts\nINTJ,hello\nENFP,"${'word '.repeat(2_000_000)}"\n`;
    expect(await failure(file('big.csv', big))).toMatch(/big\.csv: row 2 \(line 3\): longer than 1 MB .*quote opened and never closed/);
  });

  it.each([
    ['missing file', join(dir, 'nope.csv'), /nope\.csv: no such file/],
    ['empty file', () => file('empty.csv', ''), /empty\.csv: the file is empty/],
    ['header only', () => file('header.csv', 'type,posts\n'), /header\.csv: only a header, no rows/],
    ['wrong header', () => file('header2.csv', 'name,text\nINTJ,hello\n'), /header2\.csv: line 1: the header is "name,text", expected "type,posts"/],
    ['unterminated quote', () => file('quote.csv', 'type,posts\nINTJ,"hello\nENFP,hi\n'), /quote\.csv: .*malformed CSV \(CSV_QUOTE_NOT_CLOSED\)/],
    ['wrong column count', () => file('cols.csv', 'type,posts\nINTJ,hello\nENFP,hi,extra\n'), /cols\.csv: line 3: malformed CSV/],
    [
      'invalid UTF-8',
      () => file('bad.csv', Buffer.concat([Buffer.from('type,posts\nINTJ,hello\nENFP,caf'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')])),
      /bad\.csv: line 3: not valid UTF-8/,
    ],
    [
      'binary garbage',
      () => file('garbage.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff])),
      /garbage\.bin: line 3: contains a NUL byte, so it is a binary file/,
    ],
    [
      'a UTF-16 file',
      () => file('utf16.csv', Buffer.from('\ufefftype,posts\nINTJ,hi\n', 'utf16le')),
      /utf16\.csv: line 1: contains a NUL byte, so it is a binary file \(or UTF-16 text\)/,
    ],
  ])('%s is a clear error', async (_name, path, message) => {
    expect(await failure(typeof path === 'function' ? path() : path)).toMatch(message);
  });

  it('zero usable rows is an error naming the counts', async () => {
    const path = file('none.csv', 'type,posts\nXXXX,hello\nINTJ,"\'http://example.com|||INTJ\'"\n');
    const { summary } = await readAll(path);
    expect(() => requirePeople(path, summary)).toThrow(/none of its 2 row\(s\) is usable \(1 with an invalid type code, 1 with no posts after cleaning\)/);
  });
});
