import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { buildMultiHeadModel } from './model-builder.js';
import { loadModel, readModelMeta, saveModel } from './model-store.js';

beforeAll(async () => {
  await loadBackend({ request: 'wasm' });
});

const model = () => buildMultiHeadModel({ inputSize: 3, trunk: [{ units: 5 }], heads: [{ name: 'a' }, { name: 'b', hidden: { units: 2 } }], seed: 1 });

async function saved() {
  const dir = join(mkdtempSync(join(tmpdir(), 'model-')), 'model');
  const m = model();
  await saveModel(dir, m, { app: 'toy', taskNames: ['a', 'b'], settings: { epochs: 3 } });
  return { dir, m };
}

describe('saveModel / loadModel', () => {
  it('round-trips weights, task names and settings, leaving no temporary files', async () => {
    const { dir, m } = await saved();
    expect(readdirSync(dir).sort()).toEqual(['meta.json', 'model.json', 'weights.bin']);
    const { model: loaded, meta } = await loadModel(dir, 'toy');
    expect(meta).toMatchObject({ app: 'toy', taskNames: ['a', 'b'], settings: { epochs: 3 }, version: 1 });
    const x = tf.tensor2d([[0.1, -0.2, 0.3]]);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as tf.Tensor).dataSync()));
  });

  it('refuses a model of another app, naming both', async () => {
    const { dir } = await saved();
    await expect(loadModel(dir, 'mbti')).rejects.toThrow(/trained by the "toy" app, not "mbti"/);
  });

  it('refuses weights that do not match meta.json (interrupted save or tampering)', async () => {
    const { dir } = await saved();
    const weights = readFileSync(join(dir, 'weights.bin'));
    weights[0] = weights[0]! ^ 0xff;
    writeFileSync(join(dir, 'weights.bin'), weights);
    await expect(loadModel(dir)).rejects.toThrow(/weights\.bin does not match meta\.json.*Train again/);
  });

  it('refuses a directory without meta.json, and another format version', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'not-a-model-'));
    expect(() => readModelMeta(empty)).toThrow(/not a saved model \(no meta\.json\)/);
    const { dir } = await saved();
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...meta, version: 99 }));
    expect(() => readModelMeta(dir)).toThrow(/model format version 99, this program reads version 1/);
  });
});
