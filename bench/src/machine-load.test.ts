import { describe, expect, it } from 'vitest';
import { describeLoad, type LoadSample, loadVerdict, markRows, NOT_A_CLAIM, waitForQuiet } from './machine-load.js';
import type { ReportRow } from './report-row.js';

const sample = (oneMinute: number): LoadSample => ({ oneMinute, fiveMinutes: 0, fifteenMinutes: 0, at: '2026-12-04T00:00:00Z' });

const rows: ReportRow[] = [
  { benchmark: 'toy training', variant: 'our trainer, wasm', value: '0.100 s/epoch', comparison: '0.95x best PyTorch', target: '<= 1.0x', status: 'met' },
  { benchmark: 'toy training', variant: 'our trainer, cpu', value: '1.500 s/epoch', comparison: '15.0x best PyTorch', target: '<= 20x', status: 'not met' },
  { benchmark: 'toy training', variant: 'PyTorch 1 thread', value: '0.090 s/epoch', status: 'info' },
  { benchmark: 'toy training', variant: 'our trainer, node', value: 'skipped', status: 'skipped' },
];

describe('loadVerdict', () => {
  it('calls a run loaded from a 1-minute load of 1 on, quiet below it', () => {
    expect(loadVerdict(sample(0.99))).toBe('quiet');
    expect(loadVerdict(sample(1))).toBe('loaded');
    expect(loadVerdict(sample(2.5))).toBe('loaded');
    expect(loadVerdict(sample(1.5), 2)).toBe('quiet');
  });
});

describe('markRows', () => {
  const span = { start: sample(0.42), end: sample(1.314) };

  it('puts the load beside every row, and keeps the verdicts of a quiet run', () => {
    const marked = markRows(rows, span, 'quiet');
    expect(marked.map((r) => r.load)).toEqual(Array(4).fill('load 0.42 → 1.31'));
    expect(marked.map((r) => r.status)).toEqual(['met', 'not met', 'info', 'skipped']);
    expect(marked[0]!.comparison).toBe('0.95x best PyTorch');
  });

  it('never reports met (nor not met) for a run that started loaded, and marks every ratio', () => {
    const marked = markRows(rows, span, 'loaded');
    expect(marked.map((r) => r.status)).toEqual([NOT_A_CLAIM, NOT_A_CLAIM, 'info', 'skipped']);
    expect(marked[0]!.comparison).toBe(`0.95x best PyTorch (${NOT_A_CLAIM})`);
    expect(marked[1]!.comparison).toBe(`15.0x best PyTorch (${NOT_A_CLAIM})`);
    expect(marked[2]!.comparison).toBeUndefined();
    expect(rows[0]!.status).toBe('met');
  });

  it('keeps the verdict of a figure the load does not move (peak memory) in a loaded run', () => {
    const memory = { benchmark: 'peak RSS', variant: '', value: '600 MB', target: '< 1024 MB', status: 'met' as const, loadIndependent: true };
    expect(markRows([memory], span, 'loaded')[0]!.status).toBe('met');
  });

  it('describes a span by its 1-minute averages', () => {
    expect(describeLoad(span)).toBe('load 0.42 → 1.31');
  });
});

describe('waitForQuiet', () => {
  it('returns at once when it may not wait', async () => {
    const load = await waitForQuiet({ maxSeconds: 0, limit: -1 });
    expect(load.oneMinute).toBeGreaterThanOrEqual(0);
  });
});
