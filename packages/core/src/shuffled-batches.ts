import * as tf from '@tensorflow/tfjs';
import type { Matrix } from './matrix.js';
import { type SparseRows, sparseRows } from './sparse-rows.js';

/**
 * The training rows of one epoch, reordered once in plain memory so that a
 * batch is a contiguous slice uploaded as is. Gathering each batch on the
 * backend instead costs an index upload and two gather kernels per batch (on
 * wasm about 10 % of a toy training step). Same rows, same order, same values.
 *
 * With `sparseFeatures`, the features are kept as their nonzero entries,
 * found once, and a batch's entries are copied row by row in the epoch's
 * order: work in proportion to the nonzeros, where reordering and scanning the
 * dense rows cost more than the sparse first layer itself.
 */
export class ShuffledBatches {
  private readonly x: Float32Array;
  private readonly y: Float32Array;
  private readonly sparse: SparseRows | undefined;
  private order: Int32Array = new Int32Array(0);

  constructor(
    private readonly features: Matrix,
    private readonly labels: Matrix,
    options: { sparseFeatures?: boolean } = {},
  ) {
    this.sparse = options.sparseFeatures ? sparseRows(features.data, features.rows, features.cols) : undefined;
    this.x = new Float32Array(this.sparse ? 0 : features.data.length);
    this.y = new Float32Array(labels.data.length);
  }

  /** Lays the rows out in `order` for the batches that follow. */
  reorder(order: Int32Array): void {
    this.order = order;
    if (!this.sparse) copyRows(this.features, order, this.x);
    copyRows(this.labels, order, this.y);
  }

  /** Rows [start, end) of the current order as tensors; the caller disposes them. */
  batch(start: number, end: number): { xb: tf.Tensor2D; yb: tf.Tensor2D } {
    if (this.sparse) throw new Error('ShuffledBatches: the features are kept sparse; take sparseBatch');
    const { cols: xc } = this.features;
    return { xb: tf.tensor2d(this.x.subarray(start * xc, end * xc), [end - start, xc]), yb: this.labelBatch(start, end) };
  }

  /** Rows [start, end) of the current order, the features as their nonzero entries (for a sparse first layer). */
  sparseBatch(start: number, end: number): { xs: SparseRows; yb: tf.Tensor2D } {
    if (!this.sparse) throw new Error('ShuffledBatches: the features are kept dense (no sparseFeatures); take batch');
    return { xs: takeSparseRows(this.sparse, this.order.subarray(start, end)), yb: this.labelBatch(start, end) };
  }

  private labelBatch(start: number, end: number): tf.Tensor2D {
    const { cols } = this.labels;
    return tf.tensor2d(this.y.subarray(start * cols, end * cols), [end - start, cols]);
  }
}

/** The rows at `indices` of a sparse matrix, in that order. */
function takeSparseRows(m: SparseRows, indices: Int32Array): SparseRows {
  let nonzero = 0;
  for (const r of indices) nonzero += m.rowStart[r + 1]! - m.rowStart[r]!;
  const rowStart = new Int32Array(indices.length + 1);
  const columns = new Int32Array(nonzero);
  const values = new Float32Array(nonzero);
  let k = 0;
  indices.forEach((r, i) => {
    rowStart[i] = k;
    const from = m.rowStart[r]!;
    const to = m.rowStart[r + 1]!;
    columns.set(m.columns.subarray(from, to), k);
    values.set(m.values.subarray(from, to), k);
    k += to - from;
  });
  rowStart[indices.length] = k;
  return { rows: indices.length, cols: m.cols, rowStart, columns, values };
}

function copyRows(source: Matrix, order: Int32Array, into: Float32Array): void {
  const { cols, data } = source;
  for (let i = 0; i < order.length; i++) {
    const from = order[i]! * cols;
    const to = i * cols;
    for (let c = 0; c < cols; c++) into[to + c] = data[from + c]!;
  }
}
