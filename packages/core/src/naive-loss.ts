import * as tf from '@tensorflow/tfjs';

/**
 * Plain binary cross-entropy that takes the labels as they are, -1 included,
 * averaged over every entry: what `binary_crossentropy` does when fed missing
 * labels. Kept only as the baseline that masking is compared against.
 */
export function naiveBinaryCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(yPred, 1e-7, 1 - 1e-7);
    return tf.neg(tf.mean(tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p)))))) as tf.Scalar;
  });
}
