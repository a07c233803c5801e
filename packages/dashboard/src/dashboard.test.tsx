import { TrainingControl, type RunEvent } from '@mtl/core';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Dashboard } from './dashboard.js';
import { DashboardStore } from './dashboard-store.js';
import { batch, normalRun } from './test-events.js';
import { PLAIN_THEME, ThemeContext } from './theme.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
let cleanup: (() => void) | undefined;

afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

async function mount(events: RunEvent[], underTurbo = false) {
  const store = new DashboardStore('toy', { throttleMs: 0, tickMs: 0, renderBudget: 0 });
  const control = new TrainingControl();
  const onHardExit = vi.fn();
  const app = render(
    <ThemeContext.Provider value={PLAIN_THEME}>
      <Dashboard store={store} control={control} onHardExit={onHardExit} underTurbo={underTurbo} />
    </ThemeContext.Provider>,
  );
  cleanup = () => {
    app.unmount();
    store.dispose();
  };
  for (const e of events) store.dispatch(e);
  await tick();
  return { app, store, control, onHardExit, frame: () => app.lastFrame() ?? '' };
}

describe('Dashboard frames', () => {
  it('shows header, bars, chart and task table during a normal run', async () => {
    const { frame } = await mount([...normalRun(3), batch(4, 2, 0.31)]);
    const f = frame();
    expect(f).toContain('toy  training  backend cpu (forced by MTL_BACKEND=cpu)');
    expect(f).toContain('1,000 rows · 800 train / 200 dev · batch 200  labelled: a 50% · b 25%');
    expect(f).toMatch(/epoch {2}[\u2588-\u258f]+·+ 3\/5/);
    expect(f).toMatch(/batch {2}[\u2588-\u258f]+·+ 2\/4 .*batch loss 0\.3100 {2}epoch ETA \d+s/);
    expect(f).toContain('loss ━ train 0.4000  ━ dev 0.4500');
    expect(f).toMatch(/[\u2801-\u28ff]/);
    expect(f).toMatch(/a +400\/800 50% +100 +0\.850 \+0\.050 +0\.890 \+0\.030 +0\.890 \(ep 3\)/);
    expect(f).toContain('q stop and save · p pause');
    expect(f).not.toContain('ALERT');
  });

  it("says under turbo's terminal UI that only Ctrl-C reaches the app", async () => {
    const { frame } = await mount([...normalRun(3), batch(4, 2, 0.31)], true);
    expect(frame()).toContain('under turbo: Ctrl-C stops and saves (twice: quit)');
    expect(frame()).not.toContain('q stop and save');
  });

  it('shows a NaN alert', async () => {
    const { frame } = await mount([...normalRun(1), batch(2, 1), { type: 'nan', epoch: 2, batch: 2 }]);
    expect(frame()).toContain('ALERT: loss is NaN at epoch 2, batch 2');
  });

  it('p pauses and resumes through the training control', async () => {
    const { app, control, store, frame } = await mount(normalRun(1));
    app.stdin.write('p');
    await tick();
    expect(control.paused).toBe(true);
    store.dispatch({ type: 'paused', epoch: 2 });
    await tick();
    expect(frame()).toContain('toy  PAUSED');
    expect(frame()).toContain('p resume · q stop and save');
    app.stdin.write('p');
    await tick();
    expect(control.paused).toBe(false);
  });

  it('q requests a graceful stop and says so until the trainer stops', async () => {
    const { app, control, store, frame } = await mount(normalRun(1));
    const requestStop = vi.spyOn(control, 'requestStop');
    app.stdin.write('q');
    await tick();
    expect(requestStop).toHaveBeenCalledWith('q pressed');
    expect(frame()).toContain('stopping after the current batch: q pressed');
    store.dispatch({ type: 'stopped', epoch: 1, reason: 'q pressed', history: [] });
    await tick();
    expect(frame()).toContain('stopped: q pressed');
  });

  it('Ctrl-C stops gracefully first and exits hard the second time', async () => {
    const { app, control, onHardExit } = await mount(normalRun(1));
    app.stdin.write('\x03');
    await tick();
    expect(control.stopReason).toBe('SIGINT (Ctrl-C)');
    expect(onHardExit).not.toHaveBeenCalled();
    app.stdin.write('\x03');
    await tick();
    expect(onHardExit).toHaveBeenCalledOnce();
  });

  it('shows stage progress before training', async () => {
    const { frame } = await mount([
      { type: 'run', app: 'mbti', backend: { name: 'wasm', reason: 'auto' }, rows: 8675, tasks: ['IE', 'NS', 'TF', 'JP'] },
      { type: 'stage', name: 'embedding', done: 2000, total: 8000, unit: 'posts', rate: 100, counters: { 'cache hits': 1500 } },
    ]);
    expect(frame()).toMatch(/embedding [\u2588-\u258f]+·+ 2,000\/8,000 posts {2}100\.0 posts\/s {2}cache hits 1,500 {2}ETA 1m00s/);
    expect(frame()).not.toContain('epoch ');
  });

  it('shows app panels side by side', async () => {
    const { frame } = await mount([
      ...normalRun(1),
      { type: 'panel', title: 'head a', lines: ['#..', '.#.'] },
      { type: 'panel', title: 'head b', lines: ['..#', '.#.'] },
    ]);
    expect(frame()).toMatch(/head a +head b\n#\.\. +\.\.#\n\.#\. +\.#\./);
  });
});
