import * as tf from '@tensorflow/tfjs';
import { sparseChainForward } from './dense-chain-step.js';
import { hostMemoryBackend } from './host-memory.js';
import { createMatrix, type Matrix } from './matrix.js';
import { nonzeroShare, SPARSE_INPUT_SHARE, sparseRows } from './sparse-rows.js';
import { checkTfjsInternals } from './tfjs-internals-guard.js';

/**
 * Model outputs for every row of `x`, computed in chunks so memory stays
 * bounded. Sparse inputs (fingerprints) through a plain Dense chain take the
 * sparse first layer, as in training: the same outputs to float32 rounding.
 */
export function predictProbabilities(model: tf.LayersModel, x: Matrix, chunkRows = 8192): Matrix {
  const outputs = outputWidth(model);
  const out = createMatrix(x.rows, outputs);
  const sparse = sparseForward(model, x);
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

/** The sparse forward pass when it applies: a plain Dense chain, sparse enough inputs, a host backend and the verified tfjs. */
function sparseForward(model: tf.LayersModel, x: Matrix): ReturnType<typeof sparseChainForward> {
  if (!hostMemoryBackend() || !checkTfjsInternals().verified || x.cols !== model.inputs[0]?.shape.at(-1)) return undefined;
  if (x.rows === 0 || nonzeroShare(x) > SPARSE_INPUT_SHARE) return undefined;
  return sparseChainForward(model);
}

export function outputWidth(model: tf.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  return shape[shape.length - 1] ?? 1;
}
