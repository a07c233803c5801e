import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareOutputDir } from './output-dir.js';

describe('prepareOutputDir', () => {
  it('creates nested directories', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'out-')), 'a', 'b');
    expect(prepareOutputDir(dir)).toBe(dir);
    expect(existsSync(dir)).toBe(true);
  });

  it('names the flag when a file is in the way', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'out-')), 'file');
    writeFileSync(file, '');
    expect(() => prepareOutputDir(join(file, 'x'), '--out')).toThrow(/--out .*file\/x: cannot create the directory \(ENOTDIR\)/);
    expect(() => prepareOutputDir(file, '--out')).toThrow(/exists and is not a directory/);
  });

  it('fails fast, not forever, under /proc (regression: recursive mkdir spun there)', () => {
    expect(() => prepareOutputDir('/proc/masked-mtl/out')).toThrow(/cannot create the directory \(ENOENT\)/);
  });
});
