import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from './child-run.js';
import type { ReportRow } from './report-row.js';
import { addFastestPerRound, type EpochTimes, ratioOf, runInterleaved, timingRow, type Variant, variantRecords } from './interleaved-runs.js';
import { BENCH_ROOT, BENCH_TMP } from './repo-paths.js';
import { writeToyTrainingFile } from './toy-dataset.js';
import { plainPeerPresent, runPlainPeer } from './toy-plain-peer.js';

export const PYTHON = process.env.MTL_BENCH_PYTHON ?? '/usr/bin/python3';

export interface ToySuiteOptions {
  rounds: number;
  /** Measured epochs per run of the fast variants (wasm, PyTorch). */
  epochs: number;
  /** Skip the slow cpu backend. */
  skipCpu: boolean;
}

export interface ToySuiteResult {
  rows: ReportRow[];
  json: unknown;
  torchVersion?: string;
  blas?: string;
}

function tfjsVariant(id: string, label: string, backend: string, mode: string, warmup: number, measured: number): Variant {
  const script = join(BENCH_ROOT, 'dist', 'toy-epoch-run.js');
  return {
    id,
    label,
    warmup,
    measured,
    run: (epochs) => runChild<EpochTimes>(process.execPath, [script, '--backend', backend, '--mode', mode, '--epochs', String(epochs)]),
  };
}

function torchVariant(dataFile: string, rows: number, threads: number, warmup: number, measured: number): Variant {
  const script = join(BENCH_ROOT, 'peers', 'toy_torch.py');
  return {
    id: `torch${threads}`,
    label: `PyTorch ${threads} thread${threads > 1 ? 's' : ''}`,
    warmup,
    measured,
    run: (epochs) =>
      runChild<EpochTimes>(PYTHON, [script, dataFile, String(rows), String(epochs), String(threads)], {
        OPENBLAS_NUM_THREADS: '1',
        OMP_NUM_THREADS: String(threads),
      }),
  };
}

function plainTorchVariant(threads: number, warmup: number, measured: number): Variant {
  return {
    id: `torch-plain${threads}`,
    label: `PyTorch plain loop (../shared/peers), ${threads} thread${threads > 1 ? 's' : ''}`,
    warmup,
    measured,
    run: (epochs) => runPlainPeer(PYTHON, epochs, threads),
  };
}

const isTorch = (id: string) => id.startsWith('torch');

/**
 * Toy training s/epoch: every variant runs once per round, one after the other
 * (A, B, C, A, B, C...), so a ratio compares runs made minutes apart at most.
 * Ratio per pair = median over rounds of (median epoch A / median epoch B).
 */
export async function runToySuite(options: ToySuiteOptions): Promise<ToySuiteResult> {
  mkdirSync(BENCH_TMP, { recursive: true });
  const dataFile = join(BENCH_TMP, 'toy-train.f32');
  const rows = writeToyTrainingFile(dataFile);
  const fast = options.epochs;
  const variants: Variant[] = [
    tfjsVariant('wasm', 'our trainer, wasm', 'wasm', 'trainer', 2, fast),
    torchVariant(dataFile, rows, 2, 2, fast),
    torchVariant(dataFile, rows, 1, 2, fast),
    ...(plainPeerPresent() ? [plainTorchVariant(2, 2, fast), plainTorchVariant(1, 2, fast)] : []),
    tfjsVariant('wasm-fit', 'model.fit, wasm', 'wasm', 'fit', 2, fast),
    tfjsVariant('node', 'our trainer, node (tfjs-node)', 'node', 'trainer', 2, fast),
  ];
  if (!options.skipCpu) variants.push(tfjsVariant('cpu', 'our trainer, cpu', 'cpu', 'trainer', 1, 2));

  const runs = await runInterleaved({ name: 'toy', variants, rounds: options.rounds });
  const { torchVersion, blas } = runs;
  // The fastest PyTorch run of each round (our peer and the plain loop, 1 and 2 threads): with the
  // cores oversubscribed, 2 OpenMP threads can be several times slower than 1, and the target is
  // about PyTorch at its best on this machine.
  addFastestPerRound(
    runs,
    'torch',
    variants.filter((v) => isTorch(v.id)).map((v) => v.id),
    options.rounds,
  );
  const ratio = (a: string, b: string) => ratioOf(runs, a, b);
  const torch2VsPlain2 = ratio('torch2', 'torch-plain2');
  const rowsOut: ReportRow[] = variants.map((v) => {
    const row = timingRow(runs, 'toy training', v);
    if (row.status === 'skipped') return row;
    const comparisons: string[] = [];
    const vsBest = ratio(v.id, 'torch');
    if (vsBest !== undefined) comparisons.push(`${vsBest.toFixed(2)}x best PyTorch`);
    const vsPlain = isTorch(v.id) ? undefined : ratio(v.id, 'torch-plain2');
    if (vsPlain !== undefined) comparisons.push(`${vsPlain.toFixed(2)}x plain loop 2 threads`);
    if (v.id === 'wasm-fit') {
      const vsOurs = ratio('wasm-fit', 'wasm');
      if (vsOurs !== undefined) comparisons.push(`${vsOurs.toFixed(2)}x our trainer`);
    }
    if (v.id === 'torch2') {
      const vs1 = ratio('torch2', 'torch1');
      if (vs1 !== undefined) comparisons.push(`${vs1.toFixed(2)}x PyTorch 1 thread`);
      if (torch2VsPlain2 !== undefined) comparisons.push(`${torch2VsPlain2.toFixed(2)}x plain loop 2 threads`);
    }
    if (comparisons.length > 0) row.comparison = comparisons.join('; ');
    if (v.id === 'wasm') {
      row.target = '<= 1.0x best PyTorch';
      row.status = vsBest === undefined ? 'skipped' : vsBest <= 1 ? 'met' : 'not met';
    }
    if (v.id === 'torch2') {
      row.target = '<= 1.0x plain loop (our peer is no straw man)';
      row.status = torch2VsPlain2 === undefined ? 'info' : torch2VsPlain2 <= 1 ? 'met' : 'not met';
    }
    return row;
  });
  const json = {
    rows,
    batchSize: 5000,
    rounds: options.rounds,
    torchBlas: blas,
    variants: variantRecords(runs, variants),
    ratios: {
      wasmVsBestTorch: ratio('wasm', 'torch'),
      wasmVsTorch2: ratio('wasm', 'torch2'),
      cpuVsBestTorch: ratio('cpu', 'torch'),
      fitVsBestTorch: ratio('wasm-fit', 'torch'),
      fitVsTrainer: ratio('wasm-fit', 'wasm'),
      torch2VsTorch1: ratio('torch2', 'torch1'),
      torch2VsPlain2,
      wasmVsPlain2: ratio('wasm', 'torch-plain2'),
    },
  };
  return { rows: rowsOut, json, torchVersion, blas };
}
