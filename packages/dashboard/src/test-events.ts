import type { ActiveBackend, RunEvent, TaskMetrics } from '@mtl/core';

/** Hand-made event sequences for the dashboard and reporter tests. */
export const BACKEND: ActiveBackend = { name: 'cpu', reason: 'forced by MTL_BACKEND=cpu' };

export function metrics(name: string, accuracy: number, auc: number, labelled = 100): TaskMetrics {
  return { name, labelled, accuracy, auc, averagePrecision: null, balancedAccuracy: null, f1: null, macroF1: null, positiveRate: null, majorityBaseline: null };
}

export const RUN: RunEvent = { type: 'run', app: 'toy', backend: BACKEND, rows: 1000, tasks: ['a', 'b'], details: { missing: '50%' } };

export const START: RunEvent = {
  type: 'start',
  epochs: 5,
  startEpoch: 0,
  batchesPerEpoch: 4,
  batchSize: 200,
  trainRows: 800,
  devRows: 200,
  tasks: [
    { name: 'a', labelled: 400, total: 800 },
    { name: 'b', labelled: 200, total: 800 },
  ],
};

export function batch(epoch: number, n: number, loss = 0.5): RunEvent {
  return { type: 'batch', epoch, batch: n, batches: 4, loss, samples: 200 };
}

export function epoch(n: number, trainLoss: number, devLoss: number | null, accA = 0.8, aucA = 0.85): RunEvent {
  return {
    type: 'epoch',
    epochs: 5,
    epoch: n,
    trainLoss,
    devLoss,
    seconds: 2,
    samplesPerSecond: 400,
    tasks: [metrics('a', accA, aucA), metrics('b', 0.7, 0.75, 50)],
  };
}

/** run, start, then `epochs` full epochs with falling losses. */
export function normalRun(epochs: number): RunEvent[] {
  const events: RunEvent[] = [RUN, START];
  for (let e = 1; e <= epochs; e++) {
    for (let b = 1; b <= 4; b++) events.push(batch(e, b, 0.7 - e * 0.1));
    events.push(epoch(e, 0.7 - e * 0.1, 0.75 - e * 0.1, 0.7 + e * 0.05, 0.8 + e * 0.03));
  }
  return events;
}
