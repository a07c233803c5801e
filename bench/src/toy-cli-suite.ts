import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentResults } from '@mtl/kit';
import { type ChildOutcome, runChild } from './child-run.js';
import { attributeSamples, type CpuProfile, type ProfileCategory, profileThread } from './cpu-profile.js';
import { type EpochPair, slopePerEpoch } from './epoch-slope.js';
import { addFastestPerRound, ratioOf, runInterleaved, timingRow, type Variant, variantRecords } from './interleaved-runs.js';
import type { ReportRow } from './report-row.js';
import { BENCH_TMP, firstMissing, REPO_ROOT } from './repo-paths.js';
import { median } from './stats.js';
import { lastLines, timedNode } from './timed-process.js';
import { plainPeerPresent, runPlainPeer } from './toy-plain-peer.js';
import { PYTHON } from './toy-suite.js';

const CLI = 'apps/toy/dist/cli.js';
/** The toy's own defaults for everything else (data, model, batch, backend): the run a user starts. */
const CLI_FLAGS = ['--no-dashboard'];
const BENCHMARK = 'Toy CLI end to end';
const PEER_WARMUP = 2;

/**
 * What the CLI does once per epoch besides the training pass, by the frames a
 * CPU profile finds on the stack (first match wins: see attributeSamples). The
 * dev evaluation and the checkpoint come first, so that the trainer's file
 * keeps only the training pass.
 */
const PER_EPOCH_WORK: readonly ProfileCategory[] = [
  { name: 'dev evaluation', frames: [{ functionName: 'evaluate', file: 'trainer.js' }] },
  { name: 'checkpoint write', frames: [{ file: 'checkpoint.js' }] },
  { name: 'decision panel', frames: [{ functionName: 'decisionMapLines', file: 'decision-grid.js' }] },
  { name: 'reporting', frames: [{ file: 'plain-reporter.js' }, { functionName: 'onEvent', file: 'run-session.js' }] },
  { name: 'training pass', frames: [{ file: 'trainer.js' }] },
  { name: 'garbage collection', frames: [{ functionName: '(garbage collector)' }] },
];
/** The categories that happen outside the training pass's `seconds`. */
const OUTSIDE_THE_PASS = ['dev evaluation', 'checkpoint write', 'decision panel', 'reporting'];

export interface ToyCliSuiteOptions {
  rounds: number;
  /** The short and the long run's epochs: seconds per epoch is the slope between them. */
  epochs: EpochPair;
  /** Measured epochs of each PyTorch run (after its warm-up epochs). */
  peerEpochs: number;
}

export interface ToyCliSuiteResult {
  rows: ReportRow[];
  json: unknown;
  torchVersion?: string;
}

/** One CLI run: its wall time and what its results.json says. */
interface CliRun {
  epochs: number;
  wallSeconds: number;
  /** The sum of results.json's `seconds`, the training pass of each epoch. */
  trainingSeconds: number;
  backend: string;
  peakRssMb?: number;
}

interface CliRound {
  short: CliRun;
  long: CliRun;
  wallSlope: number;
  trainingSlope: number;
}

type Breakdown =
  | {
      profiledEpochs: number;
      /** Main thread. */
      secondsPerEpoch: Record<string, number>;
      profiledSeconds: number;
      workers: Array<{ thread: number; busySecondsPerEpoch: number }>;
    }
  | { skipped: string };

/**
 * The toy CLI end to end, per-epoch dev evaluation and checkpoint included,
 * against the plain PyTorch loop: a short and a long CLI run per round, and
 * the wall-time slope between them as the CLI's seconds per epoch (start-up,
 * test metrics, charts and the saved model cancel out). The CLI's rounds and
 * PyTorch's (1 and 2 threads) alternate; the ratio is the median of the
 * round-by-round ratios to the faster PyTorch of each round. One more run
 * under `node --cpu-prof` says where the time outside the training pass goes.
 */
export async function runToyCliSuite(options: ToyCliSuiteOptions): Promise<ToyCliSuiteResult> {
  const missing = firstMissing([CLI]);
  if (missing) return skip(`${missing} not built (run npm run build)`);
  const { short, long } = options.epochs;
  const cliRounds: CliRound[] = [];
  const cli: Variant = {
    id: 'cli',
    label: `toy CLI, epochs ${short} and ${long}`,
    warmup: 0,
    measured: 1,
    run: async () => {
      const shortRun = await runCli(short);
      if (!shortRun.ok) return shortRun;
      const longRun = await runCli(long);
      if (!longRun.ok) return longRun;
      const round = {
        short: shortRun.result,
        long: longRun.result,
        wallSlope: slopePerEpoch({ epochs: short, seconds: shortRun.result.wallSeconds }, { epochs: long, seconds: longRun.result.wallSeconds }),
        trainingSlope: slopePerEpoch({ epochs: short, seconds: shortRun.result.trainingSeconds }, { epochs: long, seconds: longRun.result.trainingSeconds }),
      };
      cliRounds.push(round);
      // The round's one "epoch" is the slope, so the interleaving's per-round median is the slope itself.
      return { ok: true, result: { epochSeconds: [round.wallSlope], trainLoss: [] } };
    },
  };
  const peers: Variant[] = plainPeerPresent() ? [2, 1].map((threads) => plainTorchVariant(threads, options.peerEpochs)) : [];
  const runs = await runInterleaved({ name: 'toy-cli', variants: [cli, ...peers], rounds: options.rounds });
  const cliSkipped = runs.skipped.get('cli');
  if (cliSkipped) return skip(cliSkipped);

  runs.perRound.set(
    'cli-training',
    cliRounds.map((r) => r.trainingSlope),
  );
  addFastestPerRound(
    runs,
    'torch',
    peers.map((p) => p.id),
    options.rounds,
  );
  const noTorch =
    peers.length === 0 ? 'the plain PyTorch loop ../shared/peers/toy_torch_plain.py is absent' : peers.map((p) => runs.skipped.get(p.id)).find(Boolean);
  const vsBest = ratioOf(runs, 'cli', 'torch');
  const trainingVsBest = ratioOf(runs, 'cli-training', 'torch');
  const endToEnd = median(cliRounds.map((r) => r.wallSlope));
  const trainingPass = median(cliRounds.map((r) => r.trainingSlope));
  const outside = median(cliRounds.map((r) => r.wallSlope - r.trainingSlope));
  const backend = cliRounds[0]!.short.backend;

  process.stderr.write(`toy-cli: profiling one ${long}-epoch run (node --cpu-prof)... `);
  const breakdown = await profileBreakdown(long);
  process.stderr.write('skipped' in breakdown ? `skipped: ${breakdown.skipped}\n` : 'done\n');

  const rows: ReportRow[] = [
    {
      benchmark: BENCHMARK,
      variant: `toy CLI, ${backend}, ${CLI_FLAGS.join(' ')} (dev evaluation and checkpoint every epoch)`,
      value: `${endToEnd.toFixed(3)} s/epoch`,
      ...(vsBest === undefined ? {} : { comparison: `${vsBest.toFixed(2)}x best PyTorch` }),
      target: '<= 1.0x best PyTorch',
      status: vsBest === undefined ? 'skipped' : vsBest <= 1 ? 'met' : 'not met',
      note: `wall-time slope between ${short} and ${long} epochs, median of ${cliRounds.length} round${cliRounds.length > 1 ? 's' : ''}${vsBest === undefined ? `; no PyTorch: ${noTorch ?? 'no round measured'}` : ''}`,
    },
    {
      benchmark: BENCHMARK,
      variant: "its training pass (results.json's seconds)",
      value: `${trainingPass.toFixed(3)} s/epoch`,
      ...(trainingVsBest === undefined ? {} : { comparison: `${trainingVsBest.toFixed(2)}x best PyTorch` }),
      status: 'info',
    },
    {
      benchmark: BENCHMARK,
      variant: 'outside the training pass',
      value: `${outside.toFixed(3)} s/epoch (${((outside / endToEnd) * 100).toFixed(0)} % of the epoch)`,
      status: 'info',
      note: breakdownNote(breakdown, outside),
    },
    ...peers.map((p) => {
      const row = timingRow(runs, BENCHMARK, p);
      const ratio = ratioOf(runs, p.id, 'torch');
      return ratio === undefined ? row : { ...row, comparison: `${ratio.toFixed(2)}x best PyTorch` };
    }),
  ];
  const json = {
    command: `node ${CLI} ${CLI_FLAGS.join(' ')} --out bench/tmp/toy-cli-<epochs> --epochs <epochs>`,
    epochs: options.epochs,
    rounds: options.rounds,
    backend,
    secondsPerEpoch: { endToEnd, trainingPass, outsideTrainingPass: outside },
    cliRounds,
    peers: variantRecords(runs, peers),
    ...(noTorch ? { torchSkipped: noTorch } : {}),
    bestTorchPerRound: runs.perRound.get('torch'),
    ratios: { endToEndVsBestTorch: vsBest, trainingPassVsBestTorch: trainingVsBest },
    breakdown: {
      method: `CPU profile (node --cpu-prof) of one ${long}-epoch CLI run; each category's seconds divided by its epochs; "not attributed" is the timed runs' time outside the training pass less the categories outside it`,
      ...breakdown,
      ...('skipped' in breakdown ? {} : { notAttributed: outside - sumOutside(breakdown.secondsPerEpoch) }),
    },
  };
  return { rows, json, ...(runs.torchVersion ? { torchVersion: runs.torchVersion } : {}) };
}

function plainTorchVariant(threads: number, measured: number): Variant {
  return {
    id: `torch-plain${threads}`,
    label: `PyTorch plain loop (../shared/peers), ${threads} thread${threads > 1 ? 's' : ''}, training pass`,
    warmup: PEER_WARMUP,
    measured,
    run: (epochs) => runPlainPeer(PYTHON, epochs, threads),
  };
}

/** One CLI run in a fresh bench/tmp/toy-cli-<epochs>. */
async function runCli(epochs: number): Promise<ChildOutcome<CliRun>> {
  const out = join(BENCH_TMP, `toy-cli-${epochs}`);
  rmSync(out, { recursive: true, force: true });
  const run = await timedNode(join(REPO_ROOT, CLI), [...CLI_FLAGS, '--out', out, '--epochs', String(epochs)]);
  if (run.code !== 0) return { ok: false, reason: `${CLI} --epochs ${epochs} exited ${run.code}: ${lastLines(run.stderr || run.stdout)}` };
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Pick<ExperimentResults, 'history' | 'backend'>;
  if (results.history.length !== epochs) return { ok: false, reason: `${CLI} --epochs ${epochs} trained ${results.history.length} epochs` };
  return {
    ok: true,
    result: {
      epochs,
      wallSeconds: run.seconds,
      trainingSeconds: results.history.reduce((sum, h) => sum + h.seconds, 0),
      backend: results.backend.name,
      ...(run.peakRssMb === undefined ? {} : { peakRssMb: run.peakRssMb }),
    },
  };
}

/** Seconds per epoch of each category in one profiled CLI run. */
async function profileBreakdown(epochs: number): Promise<Breakdown> {
  const dir = join(BENCH_TMP, 'toy-cli-profile');
  rmSync(dir, { recursive: true, force: true });
  const args = ['--cpu-prof', '--cpu-prof-dir', dir, join(REPO_ROOT, CLI), ...CLI_FLAGS, '--out', join(dir, 'out'), '--epochs', String(epochs)];
  const outcome = await runChild<true>(process.execPath, args, {}, { parse: () => true });
  if (!outcome.ok) return { skipped: outcome.reason };
  const files = readdirSync(dir).filter((f) => profileThread(f) !== undefined);
  const main = files.find((f) => profileThread(f) === 0);
  if (!main) return { skipped: `node --cpu-prof wrote no main-thread profile in ${dir}` };
  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const seconds = attributeSamples(read(main), PER_EPOCH_WORK);
  const secondsPerEpoch = Object.fromEntries(PER_EPOCH_WORK.map((c) => [c.name, seconds[c.name]! / epochs]));
  // A worker (the trainer may step on one) runs beside the main thread: its busy time per epoch, for what could overlap.
  const workers = files
    .filter((f) => f !== main)
    .map((file) => {
      const { idle, total } = attributeSamples(read(file), [{ name: 'idle', frames: [{ functionName: '(idle)' }] }]);
      return { thread: profileThread(file)!, busySecondsPerEpoch: (total - idle!) / epochs };
    });
  return { profiledEpochs: epochs, secondsPerEpoch, profiledSeconds: seconds.total, workers };
}

function sumOutside(secondsPerEpoch: Record<string, number>): number {
  return OUTSIDE_THE_PASS.reduce((sum, name) => sum + (secondsPerEpoch[name] ?? 0), 0);
}

/** "dev evaluation 0.017, checkpoint write 0.007, ... s/epoch": where the time outside the training pass goes. */
function breakdownNote(breakdown: Breakdown, outside: number): string {
  if ('skipped' in breakdown) return `no breakdown: the profiled run failed (${breakdown.skipped})`;
  const per = breakdown.secondsPerEpoch;
  const label: Record<string, string> = { 'decision panel': 'decision panel (every 5th epoch)', reporting: 'reporting (batch events too)' };
  const parts = OUTSIDE_THE_PASS.map((name) => `${label[name] ?? name} ${per[name]!.toFixed(3)}`);
  const workers = breakdown.workers.map((w) => `; worker thread ${w.thread} busy ${w.busySecondsPerEpoch.toFixed(3)}`).join('');
  return `CPU profile of one ${breakdown.profiledEpochs}-epoch run, main thread s/epoch: ${parts.join(', ')}; not attributed ${(outside - sumOutside(per)).toFixed(3)}${workers}`;
}

function skip(reason: string): ToyCliSuiteResult {
  process.stderr.write(`toy-cli: skipped: ${reason}\n`);
  return { rows: [{ benchmark: BENCHMARK, variant: '', value: 'skipped', status: 'skipped', note: reason }], json: { skipped: reason } };
}
