import * as tf from '@tensorflow/tfjs';

export interface MaskedLossOptions {
  /** One weight per task (column); default 1 for every task. */
  taskWeights?: readonly number[];
  /** Weight of a positive label per task, to counter class imbalance; default 1. */
  positiveWeights?: readonly number[];
  /** `yPred` holds logits instead of probabilities. */
  fromLogits?: boolean;
}

/** Probabilities are clipped like Keras does, so log never sees 0. */
const EPSILON = 1e-7;

/**
 * Binary cross-entropy that ignores missing labels (-1).
 *
 * Sum of the (weighted) per-entry losses over labelled entries, divided by the
 * number of labelled entries — not by the batch size, so a half-labelled batch
 * weighs the same as a full one. A batch with no labels at all gives 0, and
 * masked entries get exactly zero gradient (they go through `where`, never a
 * multiplication by a possibly infinite value).
 */
export function maskedBinaryCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor, options: MaskedLossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const cols = yTrue.shape[yTrue.rank - 1] ?? 1;
    const mask = tf.greaterEqual(yTrue, 0);
    const y = tf.where(mask, yTrue, tf.zerosLike(yTrue));
    const { positive, negative } = options.fromLogits ? logitTerms(yPred) : probabilityTerms(yPred);
    const posWeight = columnVector(options.positiveWeights, cols, 'positiveWeights');
    const perEntry = tf.neg(tf.add(tf.mul(tf.mul(y, posWeight), positive), tf.mul(tf.sub(1, y), negative)));
    const weighted = tf.mul(perEntry, columnVector(options.taskWeights, cols, 'taskWeights'));
    const masked = tf.where(mask, weighted, tf.zerosLike(weighted));
    const count = tf.sum(tf.cast(mask, 'float32'));
    return tf.div<tf.Scalar>(tf.sum(masked), tf.maximum(count, 1));
  });
}

/** log(p) and log(1 - p) from probabilities, clipped. */
function probabilityTerms(p: tf.Tensor): { positive: tf.Tensor; negative: tf.Tensor } {
  const clipped = tf.clipByValue(p, EPSILON, 1 - EPSILON);
  return { positive: tf.log(clipped), negative: tf.log(tf.sub(1, clipped)) };
}

/** log(sigmoid(z)) and log(1 - sigmoid(z)) without overflow: -softplus(-z), -softplus(z). */
function logitTerms(z: tf.Tensor): { positive: tf.Tensor; negative: tf.Tensor } {
  return { positive: tf.neg(tf.softplus(tf.neg(z))), negative: tf.neg(tf.softplus(z)) };
}

function columnVector(values: readonly number[] | undefined, cols: number, name: string): tf.Tensor {
  return values ? tf.tensor1d(weightsPerColumn(values, cols, name) as number[]) : tf.scalar(1);
}

/**
 * The masked loss and its gradient with respect to the probabilities, in one
 * pass on the host instead of ~50 small kernels and their tape: what a training
 * step on the wasm or cpu backend spends less time on. Same formula as
 * `maskedBinaryCrossentropy` on probabilities (clipped to the same float32
 * bounds, whose gradient is zero outside them, as tfjs' clip gives), computed in
 * float64: it agrees with tfjs to float32 rounding (tested). Labels < 0 or NaN
 * are missing; a NaN prediction on a labelled entry gives a NaN loss.
 */
export function maskedBceWithGradient(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  cols: number,
  options: MaskedLossOptions = {},
): { loss: number; grad: Float32Array } {
  if (options.fromLogits) throw new Error('maskedBceWithGradient takes probabilities, not logits');
  if (yTrue.length !== yPred.length || yTrue.length % cols !== 0)
    throw new Error(`${yTrue.length} labels and ${yPred.length} predictions do not make rows of ${cols} tasks`);
  const taskWeights = weightsPerColumn(options.taskWeights, cols, 'taskWeights');
  const positiveWeights = weightsPerColumn(options.positiveWeights, cols, 'positiveWeights');
  const low = Math.fround(EPSILON);
  const high = Math.fround(1 - EPSILON);
  const grad = new Float64Array(yPred.length);
  let sum = 0;
  let count = 0;
  for (let row = 0; row < yTrue.length; row += cols) {
    for (let c = 0; c < cols; c++) {
      const i = row + c;
      const y = yTrue[i]!;
      if (!(y >= 0)) continue;
      count++;
      const p = yPred[i]!;
      const q = p < low ? low : p > high ? high : p;
      // Hard labels need one log; soft labels both.
      const positive = y === 0 ? 0 : positiveWeights[c]! * y * Math.log(q);
      const negative = y === 1 ? 0 : (1 - y) * Math.log(1 - q);
      sum -= taskWeights[c]! * (positive + negative);
      grad[i] = p >= low && p <= high ? -taskWeights[c]! * ((positiveWeights[c]! * y) / q - (1 - y) / (1 - q)) : Number.isNaN(p) ? NaN : 0;
    }
  }
  const n = Math.max(count, 1);
  const scaled = new Float32Array(grad.length);
  for (let i = 0; i < grad.length; i++) scaled[i] = grad[i]! / n;
  return { loss: sum / n, grad: scaled };
}

function weightsPerColumn(values: readonly number[] | undefined, cols: number, name: string): readonly number[] {
  if (!values) return new Array<number>(cols).fill(1);
  if (values.length !== cols) throw new Error(`${name} has ${values.length} values but the labels have ${cols} tasks`);
  return values;
}

/** A Keras-style loss function `(yTrue, yPred) => scalar` for `model.compile`. */
export function maskedLoss(options: MaskedLossOptions = {}): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar {
  return (yTrue, yPred) => maskedBinaryCrossentropy(yTrue, yPred, options);
}
