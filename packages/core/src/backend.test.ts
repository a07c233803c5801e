import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BACKEND_ENV, loadBackend } from './backend.js';

afterAll(async () => {
  await loadBackend({ request: 'wasm' });
});

describe('loadBackend', () => {
  it('auto picks the fastest backend that starts and says why', async () => {
    const active = await loadBackend({ env: {} });
    expect(['node', 'wasm']).toContain(active.name);
    expect(active.reason).toMatch(/^auto: /);
    if (active.name === 'wasm') expect(active.reason).toMatch(/node unavailable/);
    expect(tf.getBackend()).toBe(active.name === 'node' ? 'tensorflow' : 'wasm');
  });

  it("the caller's request beats the environment variable, which beats auto", async () => {
    expect(await loadBackend({ request: 'cpu', requestedBy: '--backend cpu', env: { [BACKEND_ENV]: 'wasm' } })).toEqual({
      name: 'cpu',
      reason: 'forced by --backend cpu',
    });
    expect(await loadBackend({ request: 'cpu', env: {} })).toEqual({ name: 'cpu', reason: 'requested' });
    expect(await loadBackend({ env: { [BACKEND_ENV]: 'wasm' } })).toEqual({ name: 'wasm', reason: `forced by ${BACKEND_ENV}=wasm` });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown backend in the environment, naming the variable', async () => {
    await expect(loadBackend({ env: { [BACKEND_ENV]: 'gpu' } })).rejects.toThrow(`${BACKEND_ENV}=gpu is not a backend; use one of auto, node, wasm, cpu`);
  });

  // The library knows no flags: a message names one only when the caller says the request came from it.
  it('names where an unavailable backend was requested, and no flag the caller did not name', async (context) => {
    const bare = await loadBackend({ request: 'node', env: {} }).then(
      () => undefined,
      (error: Error) => error,
    );
    if (!bare) return context.skip('tfjs-node is installed here, so no backend is unavailable');
    expect(bare.message).toMatch(/^backend "node" is not available: .*request auto/);
    expect(bare.message).not.toMatch(/--backend/);
    await expect(loadBackend({ request: 'node', requestedBy: '--backend node', env: {} })).rejects.toThrow(
      /^backend "node" \(from --backend node\) is not available/,
    );
    await expect(loadBackend({ env: { [BACKEND_ENV]: 'node' } })).rejects.toThrow(
      new RegExp(`^backend "node" \\(from ${BACKEND_ENV}=node\\) is not available`),
    );
  });

  it('does not print the cpu backend banner', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await loadBackend({ request: 'cpu', env: {} });
    tf.tensor([1, 2, 3]).dispose();
    expect(warn.mock.calls.flat().join(' ')).not.toMatch(/looks like you are running TensorFlow\.js in Node/);
    warn.mockRestore();
  });
});
