import { describe, expect, it } from 'vitest';
import { createPlainReporter } from './plain-reporter.js';
import { createReporter, underTurboStream } from './reporter.js';
import { TrainingControl, type RunEvent } from '@mtl/core';
import { batch, epoch, normalRun, RUN, START } from './test-events.js';

function linesOf(events: Parameters<ReturnType<typeof createPlainReporter>>[0][]): string[] {
  const lines: string[] = [];
  const report = createPlainReporter({ write: (line) => lines.push(line) });
  for (const e of events) report(e);
  return lines;
}

/** Lines written for events that arrive at the given milliseconds of a hand-driven clock. */
function timedLines(timeline: Array<[ms: number, event: RunEvent]>): string[] {
  const lines: string[] = [];
  let clock = 0;
  const report = createPlainReporter({ write: (line) => lines.push(line), now: () => clock });
  for (const [ms, event] of timeline) {
    clock = ms;
    report(event);
  }
  return lines;
}

/** A stage of `total` posts at 100 posts/s, one event every `step` posts, then its finished event. */
function embeddingStage(total: number | null, seconds: number, step: number): Array<[number, RunEvent]> {
  const timeline: Array<[number, RunEvent]> = [];
  const last = total ?? seconds * 100;
  for (let done = 0; done < last; done += step) {
    timeline.push([done * 10, { type: 'stage', name: 'embedding', done, total, unit: 'posts', rate: done === 0 ? undefined : 100 }]);
  }
  timeline.push([last * 10, { type: 'stage', name: 'embedding', done: last, total: last, unit: 'posts', rate: 100, finished: true }]);
  return timeline;
}

/** `epochs` epochs of `batches` batches of 200 samples, one every `batchMs`. */
function longEpochs(epochs: number, batches: number, batchMs: number): Array<[number, RunEvent]> {
  const timeline: Array<[number, RunEvent]> = [
    [0, RUN],
    [0, { ...START, epochs, batchesPerEpoch: batches } as RunEvent],
  ];
  let clock = 0;
  for (let e = 1; e <= epochs; e++) {
    for (let b = 1; b <= batches; b++) {
      clock += batchMs;
      timeline.push([clock, { type: 'batch', epoch: e, batch: b, batches, loss: 0.5, samples: 200 }]);
    }
    timeline.push([clock, { ...epoch(e, 0.5, 0.55), epochs } as RunEvent]);
  }
  return timeline;
}

describe('createPlainReporter progress lines', () => {
  it('prints none for a run whose stages and epochs all take under 10 s', () => {
    const lines = timedLines([...embeddingStage(900, 0, 10), ...longEpochs(3, 8, 1_000).map(([ms, e]) => [ms + 9_000, e] as [number, RunEvent])]);
    const epochLine = (n: number) => `epoch ${n}/3 loss 0.5000 dev 0.5500 2.00s | a acc 0.800 auc 0.850 | b acc 0.700 auc 0.750`;
    expect(lines).toEqual([
      'embedding: 900 posts, 100.0 posts/s',
      'toy: backend cpu (forced by MTL_BACKEND=cpu); 1,000 rows; tasks a, b',
      '  missing: 50%',
      'training: 800 train rows, 200 dev rows, 8 batches of 200, epochs 1..3',
      'labelled: a 400/800, b 200/800',
      epochLine(1),
      epochLine(2),
      epochLine(3),
    ]);
  });

  it('prints a long stage at 25, 50 and 75 % and at most every 10 s in between, with rate and ETA', () => {
    const lines = timedLines(embeddingStage(4_800, 0, 200));
    expect(lines).toEqual([
      'embedding: 1,000/4,800 posts (20 %), 100.0 posts/s, ETA 38s',
      'embedding: 1,200/4,800 posts (25 %), 100.0 posts/s, ETA 36s',
      'embedding: 2,200/4,800 posts (45 %), 100.0 posts/s, ETA 26s',
      'embedding: 2,400/4,800 posts (50 %), 100.0 posts/s, ETA 24s',
      'embedding: 3,400/4,800 posts (70 %), 100.0 posts/s, ETA 14s',
      'embedding: 3,600/4,800 posts (75 %), 100.0 posts/s, ETA 12s',
      'embedding: 4,600/4,800 posts (95 %), 100.0 posts/s, ETA 2s',
      'embedding: 4,800 posts, 100.0 posts/s',
    ]);
  });

  it('prints done and rate every 10 s for a stage of unknown size', () => {
    const lines = timedLines(embeddingStage(null, 25, 100));
    expect(lines).toEqual(['embedding: 1,000 posts, 100.0 posts/s', 'embedding: 2,000 posts, 100.0 posts/s', 'embedding: 2,500 posts, 100.0 posts/s']);
  });

  it('keeps the counters the dashboard shows', () => {
    const lines = timedLines([
      [0, { type: 'stage', name: 'embedding', done: 0, total: 8_000, unit: 'posts' }],
      [12_000, { type: 'stage', name: 'embedding', done: 2_000, total: 8_000, unit: 'posts', rate: 100, counters: { 'cache hits': 1_500 } }],
    ]);
    expect(lines).toEqual(['embedding: 2,000/8,000 posts (25 %), 100.0 posts/s, cache hits 1,500, ETA 1m00s']);
  });

  it('prints batch progress of long epochs, with samples/s and the epoch ETA', () => {
    const lines = timedLines(longEpochs(2, 8, 2_000));
    expect(lines.slice(4)).toEqual([
      'epoch 1/2: batch 2/8 (25 %), 100 samples/s, loss 0.5000, epoch ETA 12s',
      'epoch 1/2: batch 4/8 (50 %), 100 samples/s, loss 0.5000, epoch ETA 8s',
      'epoch 1/2: batch 6/8 (75 %), 100 samples/s, loss 0.5000, epoch ETA 4s',
      'epoch 1/2 loss 0.5000 dev 0.5500 2.00s | a acc 0.800 auc 0.850 | b acc 0.700 auc 0.750',
      'epoch 2/2: batch 2/8 (25 %), 100 samples/s, loss 0.5000, epoch ETA 12s',
      'epoch 2/2: batch 4/8 (50 %), 100 samples/s, loss 0.5000, epoch ETA 8s',
      'epoch 2/2: batch 6/8 (75 %), 100 samples/s, loss 0.5000, epoch ETA 4s',
      'epoch 2/2 loss 0.5000 dev 0.5500 2.00s | a acc 0.800 auc 0.850 | b acc 0.700 auc 0.750',
    ]);
  });

  it('leaves paused time out of the epoch rate', () => {
    const lines = timedLines([
      [0, START],
      [5_000, { type: 'batch', epoch: 1, batch: 1, batches: 4, loss: 0.5, samples: 200 }],
      [5_000, { type: 'paused', epoch: 1 }],
      [60_000, { type: 'resumed', epoch: 1 }],
      [65_000, { type: 'batch', epoch: 1, batch: 2, batches: 4, loss: 0.5, samples: 200 }],
    ]);
    expect(lines.at(-1)).toBe('epoch 1/5: batch 2/4 (50 %), 40 samples/s, loss 0.5000, epoch ETA 10s');
  });
});

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

  it('thins the epoch lines of a run of more than 100 epochs to one a second, keeping the first and the last', () => {
    // 500 epochs of 10 ms: 5 s in all.
    const timeline: Array<[number, RunEvent]> = [
      [0, RUN],
      [0, { ...START, epochs: 500 } as RunEvent],
    ];
    for (let e = 1; e <= 500; e++) timeline.push([e * 10, { ...epoch(e, 0.5, 0.55), epochs: 500 } as RunEvent]);
    const epochLines = timedLines(timeline).filter((line) => line.startsWith('epoch'));
    expect(epochLines.map((line) => /\d+\/500/.exec(line)?.[0])).toEqual(['1/500', '101/500', '201/500', '301/500', '401/500', '500/500']);
    expect(timedLines(timeline.slice(0, 2))).toContain('(500 epochs: a line at most every 1s, and the last; results.json has every epoch)');
  });

  it('prints every epoch of a run of 100 epochs, however fast', () => {
    const timeline: Array<[number, RunEvent]> = [[0, { ...START, epochs: 100 } as RunEvent]];
    for (let e = 1; e <= 100; e++) timeline.push([e, { ...epoch(e, 0.5, 0.55), epochs: 100 } as RunEvent]);
    expect(timedLines(timeline).filter((line) => line.startsWith('epoch'))).toHaveLength(100);
  });

  it('says so when a resumed run has nothing left to train', () => {
    const lines = linesOf([
      {
        type: 'start',
        epochs: 5,
        startEpoch: 5,
        batchesPerEpoch: 4,
        batchSize: 200,
        trainRows: 800,
        devRows: 200,
        tasks: [{ name: 'a', labelled: 400, total: 800 }],
      },
    ]);
    expect(lines[0]).toBe('training: 800 train rows, 200 dev rows, 4 batches of 200, already at epoch 5 of 5: nothing left to train');
  });

  it('names the model when a run trains several (--compare)', () => {
    const lines = linesOf([{ ...START, label: 'single-task a' } as Parameters<ReturnType<typeof createPlainReporter>>[0]]);
    expect(lines[0]).toBe('training single-task a: 800 train rows, 200 dev rows, 4 batches of 200, epochs 1..5');
  });

  it('writes no escape codes or carriage returns, with or without NO_COLOR', () => {
    const events = [
      ...normalRun(3),
      { type: 'stage', name: 'embedding', done: 5, total: 5, unit: 'posts', rate: 2.5, counters: { 'cache hits': 3 }, finished: true },
      { type: 'notice', level: 'warning', message: 'skipped 2 rows' },
    ] as const;
    for (const env of [{}, { NO_COLOR: '1' }]) {
      const out: string[] = [];
      const reporter = createReporter({ app: 'toy', control: new TrainingControl(), env, live: false, handleSignals: false, write: (l) => out.push(l) });
      for (const e of events) reporter.onEvent(e);
      const text = out.join('\n');
      expect(reporter.live).toBe(false);
      expect(text).not.toContain('\x1b');
      expect(text).not.toContain('\r');
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
