import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from './child-run.js';
import { addFastestPerRound, type EpochTimes, ratioOf, runInterleaved, timingRow, type Variant, variantRecords } from './interleaved-runs.js';
import type { ReportRow } from './report-row.js';
import { BENCH_ROOT, BENCH_TMP, REPO_ROOT } from './repo-paths.js';
import type { Tox21TrainingSet } from './tox21-training-set.js';
import { PYTHON } from './toy-suite.js';

/** The project's copy (user-supplied, git-ignored), else the one beside the project. */
const TOX21_FILES = ['datasets/tox21/tox21.csv', '../shared/datasets/tox21/tox21.csv'];
const BENCHMARK = 'Tox21 training (mtl default)';

export interface Tox21SuiteOptions {
  rounds: number;
  /** Measured epochs per run. */
  epochs: number;
  /** Also time our trainer with the sparse first layer off (its dense product: ~20x slower per epoch). */
  dense: boolean;
}

function oursVariant(id: string, label: string, set: string, extra: string[], measured: number): Variant {
  const script = join(BENCH_ROOT, 'dist', 'tox21-epoch-run.js');
  return {
    id,
    label,
    warmup: 1,
    measured,
    run: (epochs) => runChild<EpochTimes>(process.execPath, [script, '--set', set, '--epochs', String(epochs), ...extra], { MTL_BACKEND: 'wasm' }),
  };
}

function torchVariant(set: string, threads: number, measured: number): Variant {
  const script = join(BENCH_ROOT, 'peers', 'tox21_torch.py');
  return {
    id: `torch${threads}`,
    label: `PyTorch ${threads} thread${threads > 1 ? 's' : ''}`,
    warmup: 1,
    measured,
    run: (epochs) =>
      runChild<EpochTimes>(PYTHON, [script, set, String(epochs), String(threads)], { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: String(threads) }),
  };
}

const skipRow = (reason: string): { rows: ReportRow[]; json: unknown } => ({
  rows: [{ benchmark: BENCHMARK, variant: '', value: 'skipped', status: 'skipped', note: reason }],
  json: { skipped: reason },
});

/**
 * Tox21 training s/epoch: the `mtl` app's default network and settings on its
 * default features (ECFP4, 2048 bits) and training rows, our trainer against
 * the same network in PyTorch on the same bytes (bench/peers/tox21_torch.py).
 * An epoch is the training pass alone, on both sides: no dev evaluation.
 */
export async function runTox21Suite(options: Tox21SuiteOptions): Promise<{ rows: ReportRow[]; json: unknown; torchVersion?: string; blas?: string }> {
  const csv = TOX21_FILES.map((p) => join(REPO_ROOT, p)).find((p) => existsSync(p));
  if (!csv) return skipRow(`no Tox21 file (${TOX21_FILES.join(' or ')}); see datasets/README.md`);
  mkdirSync(BENCH_TMP, { recursive: true });
  const set = join(BENCH_TMP, 'tox21-train');
  process.stderr.write('tox21: writing the training fingerprints (RDKit, cached)... ');
  const prepared = await runChild<Tox21TrainingSet>(process.execPath, [
    join(BENCH_ROOT, 'dist', 'tox21-prepare-run.js'),
    '--data',
    csv,
    '--out',
    set,
    '--cache',
    join(BENCH_TMP, 'tox21-cache'),
  ]);
  if (!prepared.ok) {
    process.stderr.write(`skipped: ${prepared.reason}\n`);
    return skipRow(prepared.reason);
  }
  const info = prepared.result;
  process.stderr.write(`${info.rows} rows x ${info.cols} (${(info.zeroShare * 100).toFixed(1)} % zeros)\n`);
  const variants: Variant[] = [
    oursVariant('wasm', 'our trainer, wasm', set, [], options.epochs),
    torchVariant(set, 2, options.epochs),
    torchVariant(set, 1, options.epochs),
    ...(options.dense ? [oursVariant('wasm-dense', 'our trainer, wasm, dense first layer', set, ['--dense-first-layer'], options.epochs)] : []),
  ];
  const runs = await runInterleaved({ name: 'tox21', variants, rounds: options.rounds });
  addFastestPerRound(runs, 'torch', ['torch1', 'torch2'], options.rounds);
  const rows: ReportRow[] = variants.map((v) => {
    const row = timingRow(runs, BENCHMARK, v);
    if (row.status === 'skipped') return row;
    const vsBest = ratioOf(runs, v.id, 'torch');
    if (vsBest !== undefined) row.comparison = `${vsBest.toFixed(2)}x best PyTorch`;
    const vsSparse = v.id === 'wasm-dense' ? ratioOf(runs, 'wasm-dense', 'wasm') : undefined;
    if (vsSparse !== undefined) row.comparison = `${row.comparison ?? ''}; ${vsSparse.toFixed(2)}x the sparse first layer`;
    if (v.id === 'wasm') {
      row.target = '<= 1.0x best PyTorch';
      row.status = vsBest === undefined ? 'skipped' : vsBest <= 1 ? 'met' : 'not met';
      row.note = `${info.rows} rows, ${info.features}, ${(info.zeroShare * 100).toFixed(1)} % zeros; batch ${info.settings.batchSize}`;
    }
    return row;
  });
  return {
    rows,
    json: {
      set: info,
      rounds: options.rounds,
      torchVersion: runs.torchVersion,
      torchBlas: runs.blas,
      variants: variantRecords(runs, variants),
      ratios: {
        wasmVsBestTorch: ratioOf(runs, 'wasm', 'torch'),
        torch2VsTorch1: ratioOf(runs, 'torch2', 'torch1'),
        denseVsSparse: ratioOf(runs, 'wasm-dense', 'wasm'),
      },
    },
    ...(runs.torchVersion ? { torchVersion: runs.torchVersion } : {}),
    ...(runs.blas ? { blas: runs.blas } : {}),
  };
}
