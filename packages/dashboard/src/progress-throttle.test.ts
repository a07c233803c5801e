import { describe, expect, it } from 'vitest';
import { ProgressThrottle } from './progress-throttle.js';

/** A throttle on a hand-driven clock; `at(ms, done)` moves the clock and asks whether a line is due. */
function clocked(total: number | null) {
  let clock = 0;
  const throttle = new ProgressThrottle({ now: () => clock });
  return {
    throttle,
    at: (ms: number, done: number, key = 'embedding') => {
      clock = ms;
      return throttle.due(key, done, total);
    },
  };
}

describe('ProgressThrottle', () => {
  it('says nothing about work that ends within 10 s', () => {
    const { at } = clocked(100);
    const due = [at(0, 0), ...Array.from({ length: 99 }, (_, i) => at((i + 1) * 90, i + 1))];
    expect(due.every((d) => !d)).toBe(true);
  });

  it('gives each quarter mark of long work one line', () => {
    const { at } = clocked(100);
    at(0, 0);
    expect(at(2_000, 20)).toBe(false);
    // 25 % after 3 s: 12 s expected in all.
    expect(at(3_000, 25)).toBe(true);
    expect(at(3_500, 26)).toBe(false);
    expect(at(6_000, 50)).toBe(true);
    expect(at(6_100, 50)).toBe(false);
    expect(at(9_000, 75)).toBe(true);
    expect(at(9_900, 99)).toBe(false);
  });

  it('gives one line to several marks passed at once', () => {
    const { at } = clocked(100);
    at(0, 0);
    expect(at(9_000, 80)).toBe(true);
    expect(at(9_500, 90)).toBe(false);
  });

  it('leaves out marks that short work passed, even when it slows down later', () => {
    const { at } = clocked(100);
    at(0, 0);
    expect(at(1_000, 25)).toBe(false);
    expect(at(9_000, 40)).toBe(false);
    // Past 10 s since the start: the periodic line, not the 25 % one.
    expect(at(10_000, 45)).toBe(true);
    // 50 % after 12 s: long work now, so the mark gets its line.
    expect(at(12_000, 50)).toBe(true);
  });

  it('writes at most one periodic line every 10 s between marks', () => {
    const { at } = clocked(1_000);
    at(0, 0);
    const due = [5_000, 9_999, 10_000, 15_000, 19_999, 20_000, 20_001, 31_000].map((ms) => at(ms, ms / 1_000));
    expect(due).toEqual([false, false, true, false, false, true, false, true]);
  });

  it('writes periodic lines for work of unknown size', () => {
    const { at } = clocked(null);
    at(0, 0);
    expect(at(9_000, 900)).toBe(false);
    expect(at(10_500, 1_050)).toBe(true);
    expect(at(20_000, 2_000)).toBe(false);
    expect(at(20_500, 2_050)).toBe(true);
  });

  it('keeps a clock per key, and end forgets one', () => {
    const { throttle, at } = clocked(null);
    at(0, 0, 'reading');
    expect(at(10_000, 5, 'embedding')).toBe(false);
    expect(at(10_000, 5, 'reading')).toBe(true);
    throttle.end('reading');
    expect(at(15_000, 0, 'reading')).toBe(false);
    expect(at(25_000, 1, 'reading')).toBe(true);
  });

  it('begin restarts the clock and the marks of a key', () => {
    const { throttle, at } = clocked(100);
    at(0, 0, 'epoch');
    expect(at(20_000, 50, 'epoch')).toBe(true);
    throttle.begin('epoch');
    // 25 % after 2 s of the new clock: short so far.
    expect(at(22_000, 25, 'epoch')).toBe(false);
    expect(at(25_000, 30, 'epoch')).toBe(false);
    // 50 % after 8 s: 16 s expected in all.
    expect(at(28_000, 50, 'epoch')).toBe(true);
  });
});
