import * as tf from '@tensorflow/tfjs';
import { createMatrix, type Matrix } from './matrix.js';

/** Model outputs for every row of `x`, computed in chunks so memory stays bounded. */
export function predictProbabilities(model: tf.LayersModel, x: Matrix, chunkRows = 8192): Matrix {
  const outputs = outputWidth(model);
  const out = createMatrix(x.rows, outputs);
  for (let start = 0; start < x.rows; start += chunkRows) {
    const n = Math.min(chunkRows, x.rows - start);
    // One batch per chunk: predict's default of 32 rows costs ~30x more per row. The values are
    // read outside tidy, which would otherwise walk every element of a returned typed array.
    const output = tf.tidy(() => model.predict(tf.tensor2d(x.data.subarray(start * x.cols, (start + n) * x.cols), [n, x.cols]), { batchSize: n }) as tf.Tensor);
    const values = output.dataSync();
    output.dispose();
    out.data.set(values, start * outputs);
  }
  return out;
}

export function outputWidth(model: tf.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  return shape[shape.length - 1] ?? 1;
}
