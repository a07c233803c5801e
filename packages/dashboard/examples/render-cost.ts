import { TrainingControl, type RunEvent } from '@mtl/core';
import { createReporter } from '@mtl/dashboard';
import { PassThrough, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { runSyntheticTraining } from './synthetic-run.js';

/**
 * What the live dashboard costs the trainer. One synthetic training run
 * whose epochs alternate between the live Ink reporter (drawing into a fake
 * 160x50 terminal) and the plain reporter (writing nowhere); alternating
 * within one run cancels the drifts of a shared, busy machine that separate
 * runs suffer from. Compares wall and CPU time per epoch.
 *
 *   node packages/dashboard/dist/examples/render-cost.js [--epochs 21] [--rows 4000]
 */
const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '21' },
    rows: { type: 'string', default: '4000' },
  },
});

function fakeTerminal(): { stdout: NodeJS.WriteStream; bytes: () => number } {
  let written = 0;
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.length;
      done();
    },
  });
  Object.assign(stdout, { isTTY: true, columns: 160, rows: 50 });
  return { stdout: stdout as unknown as NodeJS.WriteStream, bytes: () => written };
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

if (process.env.CI) process.stderr.write('note: CI is set, so Ink draws only the last frame; unset CI for a fair measurement\n');
const control = new TrainingControl();
const terminal = fakeTerminal();
const stdin = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
const live = createReporter({ app: 'render-cost', live: true, control, stdout: terminal.stdout, stdin, handleSignals: false, env: {} });
const plain = createReporter({ app: 'render-cost', live: false, control, write: () => {}, handleSignals: false, env: {} });
const liveEpoch = (epoch: number) => epoch % 2 === 0;
const samples = { live: { wall: [] as number[], cpu: [] as number[] }, plain: { wall: [] as number[], cpu: [] as number[] } };
let cpuMark = 0;
let current = 1;

function onEvent(e: RunEvent): void {
  if (e.type === 'start') cpuMark = cpuSeconds();
  if (e.type === 'batch') current = e.epoch;
  // Header events go to both, so the live screen looks as it would in a real run.
  const toLive = e.type === 'run' || e.type === 'start' || e.type === 'panel' || liveEpoch(current);
  if (toLive) live.onEvent(e);
  if (!toLive || e.type === 'run' || e.type === 'start') plain.onEvent(e);
  if (e.type === 'epoch') {
    const cpu = cpuSeconds() - cpuMark;
    cpuMark += cpu;
    // The first epoch warms up kernels and the JIT; leave it out.
    if (e.epoch > 1) {
      const side = liveEpoch(e.epoch) ? samples.live : samples.plain;
      side.wall.push(e.seconds);
      side.cpu.push(cpu);
    }
  }
}

await runSyntheticTraining({ rows: Number(values.rows), epochs: Number(values.epochs), panelEvery: 2, control, onEvent });
await live.close();
await plain.close();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
process.stdout.write(`${samples.live.wall.length} live and ${samples.plain.wall.length} plain epochs; ${(terminal.bytes() / 1024).toFixed(0)} KiB drawn\n`);
for (const key of ['wall', 'cpu'] as const) {
  const p = mean(samples.plain[key]);
  const l = mean(samples.live[key]);
  const ratio = l / p;
  process.stdout.write(
    `${key === 'wall' ? 'wall' : 'CPU '} per epoch: plain ${p.toFixed(3)} s, live ${l.toFixed(3)} s; live/plain = ${ratio.toFixed(3)} (${((ratio - 1) * 100).toFixed(1)} % ${ratio >= 1 ? 'slower' : 'faster'})\n`,
  );
}
