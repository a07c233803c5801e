import { describe, expect, it } from 'vitest';
import { elapsedSeconds, epochEtaSeconds, etaSeconds, initialDashboardState, markStopping, reduceDashboard, type DashboardState } from './dashboard-state.js';
import type { RunEvent } from '@mtl/core';
import { batch, epoch, normalRun, RUN, START } from './test-events.js';

function fold(events: RunEvent[], start = 0, step = 1000): DashboardState {
  return events.reduce((s, e, i) => reduceDashboard(s, e, start + i * step), initialDashboardState('x'));
}

describe('reduceDashboard', () => {
  it('takes header facts from the run and start events', () => {
    const s = fold([RUN, START]);
    expect(s.app).toBe('toy');
    expect(s.backend?.name).toBe('cpu');
    expect(s.status).toBe('training');
    expect(s.tasks.map((t) => [t.name, t.trainLabelled, t.trainTotal])).toEqual([
      ['a', 400, 800],
      ['b', 200, 800],
    ]);
    expect(s.progress).toMatchObject({ epoch: 1, epochs: 5, batch: 0, batches: 4 });
  });

  it('keeps one loss per epoch and the change and best of each task metric', () => {
    const s = fold(normalRun(3));
    expect(s.trainLosses.map((v) => +v.toFixed(2))).toEqual([0.6, 0.5, 0.4]);
    expect(s.devLosses.map((v) => +v!.toFixed(2))).toEqual([0.65, 0.55, 0.45]);
    const a = s.tasks[0]!;
    expect(a.latest?.auc).toBeCloseTo(0.89);
    expect(a.previous?.auc).toBeCloseTo(0.86);
    expect(a.bestAuc).toBeCloseTo(0.89);
    expect(a.bestAucEpoch).toBe(3);
  });

  it('starts each model of a run (the --compare variants) with its own curves and metrics', () => {
    const single: RunEvent = { ...START, label: 'single-task b', trainRows: 400, tasks: [{ name: 'b', labelled: 400, total: 400 }] } as RunEvent;
    const s = fold([...normalRun(3), { type: 'notice', level: 'info', message: 'variant 1/1: single-task' }, single, batch(1, 1), epoch(1, 0.9, 0.95)]);
    expect(s.trainLosses).toEqual([0.9]);
    expect(s.devLosses).toEqual([0.95]);
    expect(s.tasks.map((t) => [t.name, t.trainLabelled, t.trainTotal, t.bestAucEpoch])).toEqual([['b', 400, 400, 1]]);
    expect(s.notices.at(-1)?.message).toBe('variant 1/1: single-task');
    expect(s.modelLabel).toBe('single-task b');
    expect(fold(normalRun(1)).modelLabel).toBeNull();
  });

  it('does not copy the loss history on batch events', () => {
    const s = fold(normalRun(2));
    const next = reduceDashboard(s, batch(3, 1), 99_000);
    expect(next.trainLosses).toBe(s.trainLosses);
    expect(next.progress).toMatchObject({ epoch: 3, batch: 1, epochSamples: 200 });
  });

  it('raises a NaN alert', () => {
    const s = fold([RUN, START, batch(1, 1), { type: 'nan', epoch: 1, batch: 2 }]);
    expect(s.alerts).toEqual([expect.objectContaining({ kind: 'nan', level: 'error' })]);
    expect(s.alerts[0]!.message).toContain('epoch 1, batch 2');
  });

  it('warns after the dev loss rises three epochs in a row and clears when it falls', () => {
    const rising = fold([RUN, START, epoch(1, 0.5, 0.4), epoch(2, 0.4, 0.41), epoch(3, 0.3, 0.42)]);
    expect(rising.alerts).toEqual([]);
    const warned = reduceDashboard(rising, epoch(4, 0.2, 0.43), 10_000);
    expect(warned.alerts.map((a) => a.kind)).toEqual(['dev-rising']);
    expect(warned.alerts[0]!.message).toContain('3 epochs in a row (epochs 2-4)');
    const recovered = reduceDashboard(warned, epoch(5, 0.2, 0.3), 11_000);
    expect(recovered.alerts).toEqual([]);
  });

  it('leaves paused time out of elapsed time', () => {
    let s = fold([RUN, START], 0, 0);
    s = reduceDashboard(s, { type: 'paused', epoch: 1 }, 2_000);
    expect(s.status).toBe('paused');
    s = reduceDashboard(s, { type: 'resumed', epoch: 1 }, 12_000);
    expect(s.status).toBe('training');
    expect(elapsedSeconds(s, 15_000)).toBeCloseTo(5);
  });

  it('estimates the time left from the wall time between recent epochs', () => {
    // One event per second: 5 s from start to epoch 1 and from epoch 1 to epoch 2; epochs 3-5 to go.
    const s = fold(normalRun(2));
    expect(etaSeconds(s, 0)).toBeCloseTo(15);
    const half = reduceDashboard(reduceDashboard(s, batch(3, 1), 0), batch(3, 2), 0);
    expect(etaSeconds(half, 0)).toBeCloseTo(12.5);
    // A long (paused) epoch does not move the median of the last five.
    const slow = [5, 5, 60, 5, 5].reduce(
      (st, sec, i) => reduceDashboard(st, { ...epoch(i + 1, 0.5, 0.5), epochs: 10 } as RunEvent, (st.progress.epochStartedAt ?? 0) + sec * 1000),
      fold([RUN, START], 0, 0),
    );
    expect(slow.epochSeconds).toEqual([5, 5, 60, 5, 5]);
    // Five epochs to go at the median 5 s (the mean, 16 s, would say 80 s).
    expect(etaSeconds(slow, 0)).toBeCloseTo(25);
  });

  it('estimates the time left in the current epoch from its batches so far', () => {
    const started = fold([RUN, START], 0, 0);
    expect(epochEtaSeconds(started, 1_000)).toBeNull();
    const one = reduceDashboard(started, batch(1, 1), 3_000);
    // 1 of 4 batches in 3 s: 9 s to go.
    expect(epochEtaSeconds(one, 3_000)).toBeCloseTo(9);
    const ended = reduceDashboard(reduceDashboard(one, batch(1, 4), 12_000), epoch(1, 0.5, 0.5), 12_000);
    expect(epochEtaSeconds(ended, 12_000)).toBeNull();
  });

  it('shows a stop request at once and the stop when it happens', () => {
    const stopping = markStopping(fold([RUN, START]), 'q pressed');
    expect(stopping.status).toBe('stopping');
    const stopped = reduceDashboard(stopping, { type: 'stopped', epoch: 0, reason: 'q pressed', history: [] }, 5_000);
    expect(stopped).toMatchObject({ status: 'stopped', statusReason: 'q pressed' });
    expect(markStopping(stopped, 'again').status).toBe('stopped');
  });

  it('keeps the latest stage progress and panel text by name', () => {
    const s = fold([
      { type: 'stage', name: 'embedding', done: 10, total: 100, unit: 'posts', rate: 5 },
      { type: 'panel', title: 'head a', lines: ['old'] },
      { type: 'stage', name: 'embedding', done: 50, total: 100, unit: 'posts', rate: 8, counters: { 'cache hits': 20 } },
      { type: 'panel', title: 'head b', lines: ['b'] },
      { type: 'panel', title: 'head a', lines: ['new'] },
    ]);
    expect(s.stages).toEqual([{ name: 'embedding', done: 50, total: 100, unit: 'posts', rate: 8, counters: { 'cache hits': 20 }, finished: false }]);
    expect(s.panels.map((p) => [p.title, p.lines[0]])).toEqual([
      ['head a', 'new'],
      ['head b', 'b'],
    ]);
  });

  it('keeps at most twelve panels, dropping the stalest', () => {
    const events: RunEvent[] = Array.from({ length: 14 }, (_, i) => ({ type: 'panel', title: `p${i}`, lines: [] }));
    expect(fold(events).panels.map((p) => p.title)).toEqual(['p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11', 'p12', 'p13']);
  });
});
