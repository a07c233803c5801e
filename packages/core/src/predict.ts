import * as tf from '@tensorflow/tfjs';
import { sparseChainForward } from './dense-chain-step.js';
import { hostMemoryBackend } from './host-memory.js';
import { createMatrix, type Matrix } from './matrix.js';
import { nonzeroShare, SPARSE_INPUT_SHARE, sparseRows } from './sparse-rows.js';
import { checkTfjsInternals } from './tfjs-internals-guard.js';

export interface PredictOptions {
  /** Rows per forward pass (default 8192): bounds memory. */
  chunkRows?: number;
  /**
   * The sparse first layer: true takes it whenever the model allows (no scan
   * of the inputs), false never; by default it is taken when at most
   * SPARSE_INPUT_SHARE of the values are nonzero (one scan per call).
   */
  sparseInput?: boolean;
}

/**
 * Model outputs for every row of `x`, computed in chunks so memory stays
 * bounded. Sparse inputs (fingerprints) through a plain Dense chain take the
 * sparse first layer, as in training: the same outputs to float32 rounding.
 * A number for `options` is `chunkRows`.
 */
export function predictProbabilities(model: tf.LayersModel, x: Matrix, options: PredictOptions | number = {}): Matrix {
  const { chunkRows = 8192, sparseInput } = typeof options === 'number' ? { chunkRows: options } : options;
  const outputs = outputWidth(model);
  const out = createMatrix(x.rows, outputs);
  const sparse = sparseInput === false ? undefined : sparseForward(model, x, sparseInput === true);
  for (let start = 0; start < x.rows; start += chunkRows) {
    const n = Math.min(chunkRows, x.rows - start);
    const rows = x.data.subarray(start * x.cols, (start + n) * x.cols);
    // One batch per chunk: predict's default of 32 rows costs ~30x more per row. The values are
    // read outside tidy, which would otherwise walk every element of a returned typed array.
    const output = tf.tidy(() =>
      sparse ? sparse(sparseRows(rows, n, x.cols)) : (model.predict(tf.tensor2d(rows, [n, x.cols]), { batchSize: n }) as tf.Tensor),
    );
    const values = output.dataSync();
    output.dispose();
    out.data.set(values, start * outputs);
  }
  return out;
}

/** The sparse forward pass when it applies: a plain Dense chain, sparse enough inputs (unless `known`), a host backend and the verified tfjs. */
function sparseForward(model: tf.LayersModel, x: Matrix, known: boolean): ReturnType<typeof sparseChainForward> {
  if (!hostMemoryBackend() || !checkTfjsInternals().verified || x.cols !== model.inputs[0]?.shape.at(-1)) return undefined;
  if (x.rows === 0 || (!known && nonzeroShare(x) > SPARSE_INPUT_SHARE)) return undefined;
  return sparseChainForward(model);
}

export function outputWidth(model: tf.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  return shape[shape.length - 1] ?? 1;
}
