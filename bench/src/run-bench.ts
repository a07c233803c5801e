/**
 * `npm run bench`: runs the suites, writes bench/results/<suite>.json and
 * prints one markdown table. Flags: --only toy,toy-cli,tox21,mbti,ingestion,dashboard
 * --rounds N (toy interleaving rounds) --epochs N (measured toy epochs per run) --no-cpu
 * --cli-epochs S,L (the toy CLI's short and long runs: s/epoch is the slope between them)
 * --tox21-epochs N (measured Tox21 epochs per run) --tox21-dense (also our dense first layer) --mbti-epochs N --dashboard-epochs N --wait-quiet S (seconds to wait for a quiet machine, default 180).
 *
 * The load average is sampled when the run starts and around every suite, and
 * printed beside every ratio; a run that started loaded claims nothing (machine-load.ts).
 *
 * `--only mbti-full` (never run by default: most of an hour) builds a Kaggle-size
 * synthetic MBTI file and records the peak RSS of a cold and a warm `mbti train`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo } from './machine.js';
import {
  describeLoad,
  type LoadSample,
  type LoadSpan,
  loadVerdict,
  markRows,
  NOT_A_CLAIM,
  QUIET_LOAD_LIMIT,
  sampleLoad,
  waitForQuiet,
} from './machine-load.js';
import { markdownTable, type ReportRow } from './report-row.js';
import { runDashboardSuite } from './dashboard-suite.js';
import { parseEpochPair } from './epoch-slope.js';
import { runIngestionSuite } from './ingestion-suite.js';
import { runMbtiFullSuite } from './mbti-full-suite.js';
import { runMbtiSuite } from './mbti-suite.js';
import { runTox21Suite } from './tox21-suite.js';
import { runToyCliSuite } from './toy-cli-suite.js';
import { runToySuite } from './toy-suite.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
const SUITES = ['toy', 'toy-cli', 'tox21', 'mbti', 'ingestion', 'dashboard'] as const;
/** Suites run only when --only names them. */
const OPT_IN = ['mbti-full'] as const;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    epochs: { type: 'string', default: '5' },
    'no-cpu': { type: 'boolean', default: false },
    'cli-epochs': { type: 'string', default: '10,60' },
    'tox21-epochs': { type: 'string', default: '3' },
    'tox21-dense': { type: 'boolean', default: false },
    'mbti-epochs': { type: 'string', default: '20' },
    'dashboard-epochs': { type: 'string', default: '65' },
    'wait-quiet': { type: 'string', default: '180' },
  },
});
const only = new Set(values.only ? values.only.split(',') : SUITES);
const known: readonly string[] = [...SUITES, ...OPT_IN];
for (const name of only) if (!known.includes(name)) throw new Error(`--only: unknown suite "${name}"; use ${known.join(', ')}`);
const cliEpochs = parseEpochPair('--cli-epochs', values['cli-epochs']);

mkdirSync(RESULTS, { recursive: true });
const runStart = await waitForQuiet({
  maxSeconds: Number(values['wait-quiet']),
  onWait: (load, waited) =>
    process.stderr.write(`waiting for a quiet machine: 1-minute load ${load.oneMinute.toFixed(2)} >= ${QUIET_LOAD_LIMIT} (${waited.toFixed(0)} s so far)\n`),
});
const verdict = loadVerdict(runStart);
process.stderr.write(
  `load average at the start: ${runStart.oneMinute.toFixed(2)} (1 min), ${runStart.fiveMinutes.toFixed(2)} (5 min): ${verdict === 'quiet' ? 'quiet' : `loaded — every ratio of this run is marked "${NOT_A_CLAIM}"`}\n`,
);
const rows: ReportRow[] = [];
let torch: string | undefined;
let blas: string | undefined;
const save = (name: string, json: unknown, span: LoadSpan) =>
  writeFileSync(
    join(RESULTS, `${name}.json`),
    `${JSON.stringify({ machine: machineInfo(torch), load: { verdict, limit: QUIET_LOAD_LIMIT, runStart, suite: span }, ...(json as object) }, null, 2)}\n`,
  );
/** Runs one suite between two load samples; its rows get the load beside them. */
const suite = async <R extends { rows: ReportRow[]; json: unknown }>(file: string, run: () => Promise<R>): Promise<R> => {
  const start: LoadSample = rows.length === 0 ? runStart : sampleLoad();
  const result = await run();
  const span = { start, end: sampleLoad() };
  const marked = markRows(result.rows, span, verdict);
  rows.push(...marked);
  save(file, { ...(result.json as object), table: marked }, span);
  process.stderr.write(`${file}: ${describeLoad(span)}\n`);
  return result;
};

if (only.has('toy')) {
  const toy = await suite('toy-training', () => runToySuite({ rounds: Number(values.rounds), epochs: Number(values.epochs), skipCpu: values['no-cpu'] }));
  torch = toy.torchVersion;
  blas = toy.blas;
}

if (only.has('toy-cli')) {
  const cli = await suite('toy-cli', () => runToyCliSuite({ rounds: Number(values.rounds), epochs: cliEpochs, peerEpochs: Number(values.epochs) }));
  torch ??= cli.torchVersion;
}

if (only.has('tox21')) {
  const tox21 = await suite('tox21-training', () =>
    runTox21Suite({ rounds: Number(values.rounds), epochs: Number(values['tox21-epochs']), dense: values['tox21-dense'] }),
  );
  torch ??= tox21.torchVersion;
  blas ??= tox21.blas;
}

for (const [name, file, run] of [
  ['mbti', 'mbti', () => runMbtiSuite(Number(values['mbti-epochs']))],
  ['ingestion', 'ingestion', () => runIngestionSuite()],
  ['dashboard', 'dashboard-cost', () => runDashboardSuite(Number(values['dashboard-epochs']))],
  ['mbti-full', 'mbti-full-scale', () => runMbtiFullSuite()],
] as const) {
  if (!only.has(name)) continue;
  await suite(file, run);
}

const machine = machineInfo(torch);
const end = sampleLoad();
console.log(
  `\nMachine: ${machine.cores}x ${machine.cpu}, Node ${machine.node}, tfjs ${machine.tfjs}, PyTorch ${machine.torch ?? 'not measured'}${blas ? ` (BLAS ${blas})` : ''}`,
);
console.log(
  `Load average (1 min): ${runStart.oneMinute.toFixed(2)} at the start, ${end.oneMinute.toFixed(2)} at the end: ${verdict === 'quiet' ? `quiet (< ${QUIET_LOAD_LIMIT} at the start)` : `LOADED (>= ${QUIET_LOAD_LIMIT} at the start): no ratio of this run is a claim`}\n`,
);
console.log(markdownTable(rows));
