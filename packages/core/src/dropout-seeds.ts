import * as tf from '@tensorflow/tfjs';
import { createRng } from './rng.js';

/** tfjs-layers' Dropout reads `seed` each time it is called (its TypeScript type keeps it private). */
interface DropoutInternals {
  seed?: number;
}

/**
 * The model's Dropout layers in layer order. A Dropout layer with a fixed seed
 * draws the same mask on every call (tfjs seeds a fresh generator each time),
 * so a model built with seeded dropout would drop the same units of every batch
 * row at every step; `seedDropout` gives each step its own seeds instead.
 */
export function dropoutLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((layer) => layer.getClassName() === 'Dropout');
}

/** Sets the seed of dropout layer k to `stepSeed + k` for the next training step. */
export function seedDropout(layers: readonly tf.layers.Layer[], stepSeed: number): void {
  layers.forEach((layer, k) => {
    (layer as unknown as DropoutInternals).seed = stepSeed + k;
  });
}

/** Remembers the layers' seeds; the returned function puts them back (the trainer does, when it ends). */
export function keepDropoutSeeds(layers: readonly tf.layers.Layer[]): () => void {
  const seeds = layers.map((layer) => (layer as unknown as DropoutInternals).seed);
  return () =>
    layers.forEach((layer, k) => {
      (layer as unknown as DropoutInternals).seed = seeds[k];
    });
}

/** Mixed into the training seed for the dropout stream (any constant that is not 0). */
const DROPOUT_STREAM = 0x5bd1e995;

/**
 * One dropout seed per training step, from a stream of its own: models without
 * dropout keep the batch order of the shuffle stream, and a resumed run can
 * skip the seeds of finished steps and draw the masks it would have drawn.
 */
export function dropoutSeedStream(seed: number): () => number {
  const rng = createRng((seed ^ DROPOUT_STREAM) >>> 0);
  return () => Math.floor(rng.next() * 2 ** 31);
}
