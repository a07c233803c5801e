/**
 * `npm run bench`: runs the suites, writes bench/results/<suite>.json and
 * prints one markdown table. Flags: --only toy,mbti,ingestion,dashboard
 * --rounds N (toy interleaving rounds) --epochs N (measured toy epochs per run) --no-cpu
 * --mbti-epochs N --dashboard-epochs N.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo } from './machine.js';
import { markdownTable, type ReportRow } from './report-row.js';
import { runDashboardSuite } from './dashboard-suite.js';
import { runIngestionSuite } from './ingestion-suite.js';
import { runMbtiSuite } from './mbti-suite.js';
import { runToySuite } from './toy-suite.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
const SUITES = ['toy', 'mbti', 'ingestion', 'dashboard'] as const;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    epochs: { type: 'string', default: '5' },
    'no-cpu': { type: 'boolean', default: false },
    'mbti-epochs': { type: 'string', default: '20' },
    'dashboard-epochs': { type: 'string', default: '65' },
  },
});
const only = new Set(values.only ? values.only.split(',') : SUITES);
for (const name of only) if (!(SUITES as readonly string[]).includes(name)) throw new Error(`--only: unknown suite "${name}"; use ${SUITES.join(', ')}`);

mkdirSync(RESULTS, { recursive: true });
const rows: ReportRow[] = [];
let torch: string | undefined;
let blas: string | undefined;
const save = (name: string, json: unknown) =>
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify({ machine: machineInfo(torch), ...(json as object) }, null, 2)}\n`);

if (only.has('toy')) {
  const toy = await runToySuite({ rounds: Number(values.rounds), epochs: Number(values.epochs), skipCpu: values['no-cpu'] });
  torch = toy.torchVersion;
  blas = toy.blas;
  rows.push(...toy.rows);
  save('toy-training', toy.json);
}

for (const [name, file, run] of [
  ['mbti', 'mbti', () => runMbtiSuite(Number(values['mbti-epochs']))],
  ['ingestion', 'ingestion', () => runIngestionSuite()],
  ['dashboard', 'dashboard-cost', () => runDashboardSuite(Number(values['dashboard-epochs']))],
] as const) {
  if (!only.has(name)) continue;
  const result = await run();
  rows.push(...result.rows);
  save(file, result.json);
}

const machine = machineInfo(torch);
console.log(
  `\nMachine: ${machine.cores}x ${machine.cpu}, Node ${machine.node}, tfjs ${machine.tfjs}, PyTorch ${machine.torch ?? 'not measured'}${blas ? ` (BLAS ${blas})` : ''}, load average ${machine.loadAverage.toFixed(1)}\n`,
);
console.log(markdownTable(rows));
