import * as tf from '@tensorflow/tfjs';
import { createMatrix, type Matrix } from './matrix.js';

/** Model outputs for every row of `x`, computed in chunks so memory stays bounded. */
export function predictProbabilities(model: tf.LayersModel, x: Matrix, chunkRows = 8192): Matrix {
  const outputs = outputWidth(model);
  const out = createMatrix(x.rows, outputs);
  for (let start = 0; start < x.rows; start += chunkRows) {
    const n = Math.min(chunkRows, x.rows - start);
    const values = tf.tidy(() => {
      const input = tf.tensor2d(x.data.subarray(start * x.cols, (start + n) * x.cols), [n, x.cols]);
      return (model.predict(input) as tf.Tensor).dataSync() as Float32Array;
    });
    out.data.set(values, start * outputs);
  }
  return out;
}

export function outputWidth(model: tf.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  return shape[shape.length - 1] ?? 1;
}
