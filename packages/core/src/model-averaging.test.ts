import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { createMatrix } from './matrix.js';
import { averageModels } from './model-averaging.js';
import { buildMultiHeadModel } from './model-builder.js';
import { predictProbabilities } from './predict.js';

beforeAll(async () => {
  await loadBackend({ request: 'cpu' });
});

describe('averageModels', () => {
  it('predicts the mean of its members, for merged and separate heads, with dropout inside', () => {
    for (const hidden of [undefined, { units: 3 }]) {
      const members = [1, 2, 3].map((seed) =>
        buildMultiHeadModel({
          inputSize: 4,
          trunk: [{ units: 5, dropout: 0.3 }, { units: 4 }],
          heads: [{ name: 'a', ...(hidden ? { hidden } : {}) }, { name: 'b' }],
          seed,
        }),
      );
      const x = createMatrix(
        6,
        4,
        Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)),
      );
      const each = members.map((m) => predictProbabilities(m, x).data);
      const mean = each[0]!.map((_, k) => (each[0]![k]! + each[1]![k]! + each[2]![k]!) / 3);
      const ensemble = averageModels(members);
      const got = predictProbabilities(ensemble, x).data;
      got.forEach((v, k) => expect(v).toBeCloseTo(mean[k]!, 6));
      ensemble.dispose();
      members.forEach((m) => m.dispose());
    }
  });

  it('is the model itself for one member', () => {
    const model = buildMultiHeadModel({ inputSize: 2, trunk: [], heads: [{ name: 'a' }] });
    expect(averageModels([model])).toBe(model);
    model.dispose();
  });

  it('survives a save and load', async () => {
    const members = [1, 2].map((seed) => buildMultiHeadModel({ inputSize: 3, trunk: [{ units: 4 }], heads: [{ name: 'a' }, { name: 'b' }], seed }));
    const ensemble = averageModels(members);
    let saved: tf.io.ModelArtifacts | undefined;
    await ensemble.save(
      tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = createMatrix(2, 3, Float32Array.from([0.1, 0.2, 0.3, -1, 0, 1]));
    expect(Array.from(predictProbabilities(loaded, x).data)).toEqual(Array.from(predictProbabilities(ensemble, x).data));
    [loaded, ensemble, ...members].forEach((m) => m.dispose());
  });
});
