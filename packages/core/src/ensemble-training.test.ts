import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { memberSeed, trainEnsemble } from './ensemble-training.js';
import { createMatrix, MISSING } from './matrix.js';
import { buildMultiHeadModel } from './model-builder.js';
import { predictProbabilities } from './predict.js';
import { trainMultiTask } from './trainer.js';

beforeAll(async () => {
  await loadBackend({ request: 'cpu' });
});

const rows = 64;
const x = createMatrix(
  rows,
  2,
  Float32Array.from({ length: rows * 2 }, (_, i) => Math.sin(i * 1.7)),
);
const y = createMatrix(
  rows,
  2,
  Float32Array.from({ length: rows * 2 }, (_, i) => (i % 7 === 0 ? MISSING : x.data[i]! > 0 ? 1 : 0)),
);
const build = (seed: number) => buildMultiHeadModel({ inputSize: 2, trunk: [{ units: 6 }], heads: [{ name: 'a' }, { name: 'b' }], seed });
const training = { taskNames: ['a', 'b'], epochs: 3, batchSize: 16, learningRate: 0.05, seed: 4 };

describe('trainEnsemble', () => {
  it('predicts the mean of members trained alone with seeds seed, seed + 1000, …', async () => {
    const { model, results } = await trainEnsemble({ members: 2, build, train: { x, y }, training });
    expect(results).toHaveLength(2);
    const alone: Float32Array[] = [];
    for (const k of [0, 1]) {
      const member = build(memberSeed(4, k));
      await trainMultiTask(member, { x, y }, { ...training, seed: memberSeed(4, k) });
      alone.push(predictProbabilities(member, x).data);
      member.dispose();
    }
    const got = predictProbabilities(model, x).data;
    got.forEach((v, i) => expect(v).toBeCloseTo((alone[0]![i]! + alone[1]![i]!) / 2, 6));
    model.dispose();
  });

  it('with one member is the plain run', async () => {
    const { model } = await trainEnsemble({ members: 1, build, train: { x, y }, training });
    const plain = build(4);
    await trainMultiTask(plain, { x, y }, training);
    expect(Array.from(predictProbabilities(model, x).data)).toEqual(Array.from(predictProbabilities(plain, x).data));
    model.dispose();
    plain.dispose();
  });
});
