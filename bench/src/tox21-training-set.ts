import { readFileSync, writeFileSync } from 'node:fs';
import type { Dataset } from '@mtl/core';
import { nonzeroShare } from '@mtl/core/internal';

/**
 * The Tox21 training rows as the `mtl` app trains on them, in two files both
 * sides of the bench read: `<base>.json` (shape, tasks and the app's training
 * settings) and `<base>.f32` (x, then y, raw float32, -1 = missing label). The
 * PyTorch peer reads the same bytes, so both train on identical inputs.
 */
export interface Tox21TrainingSet {
  rows: number;
  cols: number;
  tasks: string[];
  /** The app's defaults: its network, batch, optimiser and class weights. */
  settings: {
    hidden: number[];
    dropout: number;
    batchSize: number;
    learningRate: number;
    seed: number;
    /** Adam's epsilon in tfjs (PyTorch's default is 1e-8). */
    adamEpsilon: number;
    positiveWeights: number[] | null;
  };
  /** Share of the feature values that are zero. */
  zeroShare: number;
  features: string;
  source: string;
}

export function writeTox21TrainingSet(base: string, info: Omit<Tox21TrainingSet, 'rows' | 'cols' | 'zeroShare'>, train: Dataset): Tox21TrainingSet {
  const { x, y } = train;
  const full: Tox21TrainingSet = { rows: x.rows, cols: x.cols, zeroShare: 1 - nonzeroShare(x), ...info };
  const values = new Float32Array(x.data.length + y.data.length);
  values.set(x.data, 0);
  values.set(y.data, x.data.length);
  writeFileSync(`${base}.f32`, new Uint8Array(values.buffer));
  writeFileSync(`${base}.json`, `${JSON.stringify(full, null, 2)}\n`);
  return full;
}

export function readTox21TrainingSet(base: string): { info: Tox21TrainingSet; train: Dataset } {
  const info = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Tox21TrainingSet;
  const bytes = readFileSync(`${base}.f32`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const xSize = info.rows * info.cols;
  const ySize = info.rows * info.tasks.length;
  if (values.length !== xSize + ySize) throw new Error(`${base}.f32 holds ${values.length} values, expected ${xSize} + ${ySize}: write it again`);
  return {
    info,
    train: {
      x: { rows: info.rows, cols: info.cols, data: values.subarray(0, xSize) },
      y: { rows: info.rows, cols: info.tasks.length, data: values.subarray(xSize) },
    },
  };
}
