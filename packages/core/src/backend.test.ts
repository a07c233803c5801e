import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BACKEND_ENV, loadBackend } from './backend.js';

afterAll(async () => {
  await loadBackend('wasm');
});

describe('loadBackend', () => {
  it('auto picks the fastest backend that starts and says why', async () => {
    const active = await loadBackend(undefined, {});
    expect(['node', 'wasm']).toContain(active.name);
    expect(active.reason).toMatch(/^auto: /);
    if (active.name === 'wasm') expect(active.reason).toMatch(/node unavailable/);
    expect(tf.getBackend()).toBe(active.name === 'node' ? 'tensorflow' : 'wasm');
  });

  it('a flag beats the environment variable, which beats auto', async () => {
    expect(await loadBackend('cpu', { [BACKEND_ENV]: 'wasm' })).toEqual({ name: 'cpu', reason: 'forced by --backend cpu' });
    expect(await loadBackend(undefined, { [BACKEND_ENV]: 'wasm' })).toEqual({ name: 'wasm', reason: `forced by ${BACKEND_ENV}=wasm` });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown backend in the environment, naming the variable', async () => {
    await expect(loadBackend(undefined, { [BACKEND_ENV]: 'gpu' })).rejects.toThrow(`${BACKEND_ENV}=gpu is not a backend; use one of auto, node, wasm, cpu`);
  });

  it('does not print the cpu backend banner', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await loadBackend('cpu', {});
    tf.tensor([1, 2, 3]).dispose();
    expect(warn.mock.calls.flat().join(' ')).not.toMatch(/looks like you are running TensorFlow\.js in Node/);
    warn.mockRestore();
  });
});
