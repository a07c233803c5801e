import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The examples the README quotes, run as a user runs them (against the built package).
const EXAMPLES = resolve(__dirname, '../examples');

function runExample(file: string, args: string[] = []): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [join(EXAMPLES, file), ...args],
      { encoding: 'utf8', env: { ...process.env, MTL_BACKEND: 'wasm' }, timeout: 120_000 },
      (error, stdout, stderr) => (error ? fail(new Error(`${file} failed: ${stderr}`)) : done(stdout)),
    );
  });
}

describe('examples', () => {
  it('model-fit.mjs learns both tasks from half of the labels with model.fit', async () => {
    const out = await runExample('model-fit.mjs');
    const accuracies = [...out.matchAll(/^(a|b): labelled 4000, accuracy ([\d.]+)/gm)].map((m) => Number(m[2]));
    expect(accuracies).toHaveLength(2);
    for (const accuracy of accuracies) expect(accuracy).toBeGreaterThan(0.95);
  });

  it('trainer.mjs trains with dev metrics and a checkpoint, saves, loads and predicts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mtl-example-'));
    const stdout = await runExample('trainer.mjs', [join(out, 'run')]);
    expect(stdout).toMatch(/^epoch 15: loss [\d.]+, dev [\d.]+ \| a AUC [\d.]+, b AUC [\d.]+, c AUC [\d.]+$/m);
    expect(stdout).toMatch(/^trained 15 epochs$/m);
    expect(stdout).toMatch(/^loaded a, b, c; first test row: [\d.]+ [\d.]+ [\d.]+$/m);
    const lastAuc = /^epoch 15: .*a AUC ([\d.]+)/m.exec(stdout)![1];
    expect(Number(lastAuc)).toBeGreaterThan(0.95);
  });
});
