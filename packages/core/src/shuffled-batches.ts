import * as tf from '@tensorflow/tfjs';
import type { Matrix } from './matrix.js';
import { type SparseRows, sparseRows } from './sparse-rows.js';

/**
 * The training rows of one epoch, reordered once in plain memory so that a
 * batch is a contiguous slice uploaded as is. Gathering each batch on the
 * backend instead costs an index upload and two gather kernels per batch (on
 * wasm about 10 % of a toy training step). Same rows, same order, same values.
 */
export class ShuffledBatches {
  private readonly x: Float32Array;
  private readonly y: Float32Array;

  constructor(
    private readonly features: Matrix,
    private readonly labels: Matrix,
  ) {
    this.x = new Float32Array(features.data.length);
    this.y = new Float32Array(labels.data.length);
  }

  /** Lays the rows out in `order` for the batches that follow. */
  reorder(order: Int32Array): void {
    copyRows(this.features, order, this.x);
    copyRows(this.labels, order, this.y);
  }

  /** Rows [start, end) of the current order as tensors; the caller disposes them. */
  batch(start: number, end: number): { xb: tf.Tensor2D; yb: tf.Tensor2D } {
    const { cols: xc } = this.features;
    const { cols: yc } = this.labels;
    return {
      xb: tf.tensor2d(this.x.subarray(start * xc, end * xc), [end - start, xc]),
      yb: tf.tensor2d(this.y.subarray(start * yc, end * yc), [end - start, yc]),
    };
  }

  /** Rows [start, end) of the current order, the features as their nonzero entries (for a sparse first layer). */
  sparseBatch(start: number, end: number): { xs: SparseRows; yb: tf.Tensor2D } {
    const { cols: xc } = this.features;
    const { cols: yc } = this.labels;
    return {
      xs: sparseRows(this.x.subarray(start * xc, end * xc), end - start, xc),
      yb: tf.tensor2d(this.y.subarray(start * yc, end * yc), [end - start, yc]),
    };
  }
}

function copyRows(source: Matrix, order: Int32Array, into: Float32Array): void {
  const { cols, data } = source;
  for (let i = 0; i < order.length; i++) {
    const from = order[i]! * cols;
    const to = i * cols;
    for (let c = 0; c < cols; c++) into[to + c] = data[from + c]!;
  }
}
