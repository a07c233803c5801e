import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { denseChainStep, hostMaskedBceGradient, tapeLossGradient } from './dense-chain-step.js';
import { dropoutLayers, seedDropout } from './dropout-seeds.js';
import { maskedBinaryCrossentropy } from './masked-loss.js';
import { buildMultiHeadModel, type MultiHeadSpec } from './model-builder.js';
import { naiveBinaryCrossentropy } from './naive-loss.js';
import { createRng } from './rng.js';
import { useFastWasmKernels } from './wasm-kernels.js';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
  useFastWasmKernels();
});

function batch(rows: number, features: number, tasks: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const rng = createRng(seed);
  const x = Float32Array.from({ length: rows * features }, () => rng.next() * 2 - 1);
  const y = Float32Array.from({ length: rows * tasks }, (_, i) => (rng.next() < 0.4 ? -1 : x[Math.floor(i / tasks) * features + (i % features)]! > 0 ? 1 : 0));
  return { x: tf.tensor2d(x, [rows, features]), y: tf.tensor2d(y, [rows, tasks]) };
}

type Loss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
const masked: Loss = (yTrue, yPred) => maskedBinaryCrossentropy(yTrue, yPred);

const cases: Array<[string, MultiHeadSpec, Loss]> = [
  [
    'the toy model (relu trunk, three heads in one layer)',
    { inputSize: 2, trunk: [{ units: 10 }, { units: 40 }, { units: 30 }], heads: [{ name: 'y0' }, { name: 'y1' }, { name: 'y2' }], seed: 1 },
    masked,
  ],
  [
    'tanh and linear layers, positive and task weights',
    {
      inputSize: 5,
      trunk: [
        { units: 7, activation: 'tanh' },
        { units: 6, activation: 'linear' },
        { units: 4, activation: 'sigmoid' },
      ],
      heads: [{ name: 'a' }, { name: 'b' }],
      seed: 2,
    },
    (yTrue, yPred) => maskedBinaryCrossentropy(yTrue, yPred, { positiveWeights: [3, 0.5], taskWeights: [1, 2] }),
  ],
  [
    'dropout after two trunk layers (the MBTI shape)',
    {
      inputSize: 6,
      trunk: [
        { units: 16, dropout: 0.25 },
        { units: 8, dropout: 0.5 },
      ],
      heads: [{ name: 'IE' }, { name: 'NS' }, { name: 'TF' }, { name: 'JP' }],
      seed: 4,
    },
    (yTrue, yPred) => maskedBinaryCrossentropy(yTrue, yPred, { positiveWeights: [0.3, 0.1, 1.2, 1.6] }),
  ],
  [
    'one head, no trunk, the naive loss',
    { inputSize: 3, trunk: [], heads: [{ name: 'only' }], seed: 3 },
    (yTrue, yPred) => naiveBinaryCrossentropy(yTrue, yPred),
  ],
];

describe('denseChainStep', () => {
  it.each(cases)('gives bit-for-bit the loss and gradients of tfjs autodiff: %s', (_name, spec, loss) => {
    const model = buildMultiHeadModel(spec);
    const step = denseChainStep(model)!;
    expect(step).toBeDefined();
    const { x, y } = batch(257, spec.inputSize, spec.heads.length, 9);
    seedDropout(dropoutLayers(model), 1234);
    const reference = tf.variableGrads(() => loss(y, model.apply(x, { training: true }) as tf.Tensor));
    const fast = step(x, y, tapeLossGradient(loss), 1234);
    expect(fast.loss).toBe(reference.value.dataSync()[0]);
    const names = model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    expect(Object.keys(fast.grads)).toEqual(names);
    for (const name of names) {
      expect(fast.grads[name]!.shape, name).toEqual(reference.grads[name]!.shape);
      expect(Array.from(fast.grads[name]!.dataSync()), name).toEqual(Array.from(reference.grads[name]!.dataSync()));
    }
    expect(Math.max(...names.map((n) => Math.abs(fast.grads[n]!.dataSync()[0]!)))).toBeGreaterThan(0);
  });

  it('with the masked loss computed on the host, agrees with tfjs autodiff to float32 rounding', () => {
    const spec = cases[0]![1];
    const model = buildMultiHeadModel(spec);
    const { x, y } = batch(300, 2, 3, 4);
    const options = { positiveWeights: [2, 1, 0.5], taskWeights: [1, 0.5, 2] };
    const reference = tf.variableGrads(() => maskedBinaryCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor, options));
    const fast = denseChainStep(model)!(x, y, hostMaskedBceGradient(options));
    expect(fast.loss).toBeCloseTo(reference.value.dataSync()[0]!, 6);
    for (const [name, grad] of Object.entries(fast.grads)) {
      const expected = reference.grads[name]!.dataSync();
      const scale = Math.max(...Array.from(expected, Math.abs));
      grad.dataSync().forEach((v, i) => expect(Math.abs(v - expected[i]!), name).toBeLessThan(1e-5 * scale));
    }
  });

  it('draws a new dropout mask for each step seed, the same one for the same seed', () => {
    const model = buildMultiHeadModel(cases[2]![1]);
    const step = denseChainStep(model)!;
    const { x, y } = batch(64, 6, 4, 5);
    const kernelGrad = (seed: number) => Array.from(Object.values(step(x, y, tapeLossGradient(masked), seed).grads)[0]!.dataSync());
    expect(kernelGrad(7)).toEqual(kernelGrad(7));
    expect(kernelGrad(7)).not.toEqual(kernelGrad(8));
    // The tape path too: a Dropout layer with one fixed seed would repeat its mask at every step.
    const layer = dropoutLayers(model)[0]!;
    const ones = tf.ones([4, 16]);
    const mask = (seed: number) => {
      seedDropout([layer], seed);
      return Array.from((layer.apply(ones, { training: true }) as tf.Tensor).dataSync());
    };
    expect(mask(1)).toEqual(mask(1));
    expect(mask(1)).not.toEqual(mask(2));
  });

  it('declines models it does not know, so the trainer falls back to the tape', () => {
    expect(
      denseChainStep(buildMultiHeadModel({ inputSize: 2, trunk: [{ units: 4 }], heads: [{ name: 'a' }, { name: 'b', hidden: { units: 3 } }] })),
    ).toBeUndefined();
    const input = tf.input({ shape: [2] });
    const elu = tf.layers.dense({ units: 2, activation: 'elu' }).apply(input) as tf.SymbolicTensor;
    expect(denseChainStep(tf.model({ inputs: input, outputs: elu }))).toBeUndefined();
  });
});
