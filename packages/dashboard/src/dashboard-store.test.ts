import { afterEach, describe, expect, it, vi } from 'vitest';
import { DashboardStore } from './dashboard-store.js';
import { batch, RUN, START } from './test-events.js';

describe('DashboardStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('folds every event at once but publishes at most once per throttle interval', () => {
    vi.useFakeTimers();
    let clock = 0;
    const store = new DashboardStore('toy', { throttleMs: 100, tickMs: 0, renderBudget: 0, now: () => clock });
    const published: number[] = [];
    store.subscribe(() => published.push(store.getSnapshot().state.progress.batch));
    store.dispatch(RUN);
    expect(published).toHaveLength(1);
    store.dispatch(START);
    for (let b = 1; b <= 4; b++) {
      clock += 10;
      store.dispatch(batch(1, b));
    }
    expect(store.state.progress.batch).toBe(4);
    expect(published).toHaveLength(1);
    clock = 100;
    vi.advanceTimersByTime(100);
    expect(published).toEqual([0, 4]);
    store.dispose();
  });

  it('redraws less often when drawing is slow', () => {
    let clock = 0;
    const store = new DashboardStore('toy', { throttleMs: 100, tickMs: 0, renderBudget: 0.05, now: () => clock });
    // Each draw takes 20 ms of the store's clock, like a slow terminal.
    for (let i = 0; i < 30; i++) {
      store.publish();
      clock += 20;
      store.drawn();
    }
    // 20 ms per draw within 5 % of the time: one draw per 400 ms.
    expect(store.redrawInterval).toBeGreaterThan(380);
    expect(store.redrawInterval).toBeLessThanOrEqual(400);
    store.dispose();
  });
});
