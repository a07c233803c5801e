import { describe, expect, it } from 'vitest';
import { createPlainReporter } from './plain-reporter.js';
import { createReporter, underTurboStream } from './reporter.js';
import { TrainingControl } from '@mtl/core';
import { batch, normalRun, START } from './test-events.js';

function linesOf(events: Parameters<ReturnType<typeof createPlainReporter>>[0][]): string[] {
  const lines: string[] = [];
  const report = createPlainReporter({ write: (line) => lines.push(line) });
  for (const e of events) report(e);
  return lines;
}

describe('createPlainReporter', () => {
  it('prints a header, one line per epoch and a summary', () => {
    const lines = linesOf([...normalRun(2), batch(3, 1), { type: 'nan', epoch: 3, batch: 2 }, { type: 'end', history: [] }]);
    expect(lines).toEqual([
      'toy: backend cpu (forced by MTL_BACKEND=cpu); 1,000 rows; tasks a, b',
      '  missing: 50%',
      'training: 800 train rows, 200 dev rows, 4 batches of 200, epochs 1..5',
      'labelled: a 400/800, b 200/800',
      'epoch 1/5 loss 0.6000 dev 0.6500 2.00s | a acc 0.750 auc 0.830 | b acc 0.700 auc 0.750',
      'epoch 2/5 loss 0.5000 dev 0.5500 2.00s | a acc 0.800 auc 0.860 | b acc 0.700 auc 0.750',
      'ALERT: loss is NaN at epoch 3, batch 2',
      'done: 0 epochs in 0s',
    ]);
  });

  it('says so when a resumed run has nothing left to train', () => {
    const lines = linesOf([{ type: 'start', epochs: 5, startEpoch: 5, batchesPerEpoch: 4, batchSize: 200, trainRows: 800, devRows: 200, tasks: [{ name: 'a', labelled: 400, total: 800 }] }]);
    expect(lines[0]).toBe('training: 800 train rows, 200 dev rows, 4 batches of 200, already at epoch 5 of 5: nothing left to train');
  });

  it('names the model when a run trains several (--compare)', () => {
    const lines = linesOf([{ ...START, label: 'single-task a' } as Parameters<ReturnType<typeof createPlainReporter>>[0]]);
    expect(lines[0]).toBe('training single-task a: 800 train rows, 200 dev rows, 4 batches of 200, epochs 1..5');
  });

  it('writes no escape codes or carriage returns, with or without NO_COLOR', () => {
    const events = [...normalRun(3), { type: 'stage', name: 'embedding', done: 5, total: 5, unit: 'posts', rate: 2.5, counters: { 'cache hits': 3 }, finished: true }, { type: 'notice', level: 'warning', message: 'skipped 2 rows' }] as const;
    for (const env of [{}, { NO_COLOR: '1' }]) {
      const out: string[] = [];
      const reporter = createReporter({ app: 'toy', control: new TrainingControl(), env, live: false, handleSignals: false, write: (l) => out.push(l) });
      for (const e of events) reporter.onEvent(e);
      const text = out.join('\n');
      expect(reporter.live).toBe(false);
      expect(text).not.toMatch(/[\x1b\r]/);
      expect(out).toContain('embedding: 5 posts, 2.5 posts/s, cache hits 3');
      expect(out).toContain('warning: skipped 2 rows');
    }
  });

  it('is chosen when stdout is not a terminal, CI is set or turbo streams the output', () => {
    const control = new TrainingControl();
    const tty = { isTTY: true } as NodeJS.WriteStream;
    expect(createReporter({ app: 'toy', control, handleSignals: false, stdout: { isTTY: false } as NodeJS.WriteStream, write: () => {} }).live).toBe(false);
    expect(createReporter({ app: 'toy', control, handleSignals: false, stdout: tty, env: { CI: 'true' }, write: () => {} }).live).toBe(false);
    // turbo's stream UI prefixes lines and keeps stdin; its terminal UI gives the task a real terminal.
    expect(createReporter({ app: 'toy', control, handleSignals: false, stdout: tty, env: { TURBO_HASH: 'abc' }, write: () => {} }).live).toBe(false);
    expect(underTurboStream({ TURBO_HASH: 'abc', TURBO_IS_TUI: 'true' })).toBe(false);
    expect(underTurboStream({})).toBe(false);
  });
});
