import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from './child-run.js';
import { REPO_ROOT } from './repo-paths.js';

/**
 * The plain PyTorch loop a user would write for the toy (`../shared/peers/toy_torch_plain.py`,
 * beside the project, not in it): its own copy of the data set (87,000 rows, 20 % of the labels
 * missing), the same model, loss, optimiser and batch. Run as a peer when it is there.
 */
export const PLAIN_TOY_PEER = join(REPO_ROOT, '..', 'shared', 'peers', 'toy_torch_plain.py');

export interface PlainPeerTimes {
  epochSeconds: number[];
  trainLoss: number[];
  torch?: string;
}

/**
 * Its last line is a Python dict: `{'torch': '1.13.0a0', 'threads': 2, ...,
 * 'epochTimes': [0.05, ...], 'medianSecPerEpoch': ..., 'lastLoss': 0.41, ...}`.
 * It reads the loss once per epoch and prints only the last, so trainLoss holds that one.
 */
export function parsePlainPeerOutput(stdout: string): PlainPeerTimes | undefined {
  const times = /'epochTimes': \[([^\]]*)\]/.exec(stdout)?.[1];
  if (times === undefined) return undefined;
  const epochSeconds = times
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map(Number);
  if (epochSeconds.length === 0 || epochSeconds.some((t) => !Number.isFinite(t))) return undefined;
  const lastLoss = /'lastLoss': ([-\d.eE]+)/.exec(stdout)?.[1];
  const torch = /'torch': '([^']*)'/.exec(stdout)?.[1];
  return { epochSeconds, trainLoss: lastLoss === undefined ? [] : [Number(lastLoss)], ...(torch ? { torch } : {}) };
}

export function plainPeerPresent(): boolean {
  return existsSync(PLAIN_TOY_PEER);
}

/** One run of the plain loop: `epochs` epochs on `threads` threads. */
export function runPlainPeer(python: string, epochs: number, threads: number) {
  return runChild<PlainPeerTimes>(
    python,
    [PLAIN_TOY_PEER, String(epochs), '0', String(threads)],
    { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: String(threads) },
    {
      parse: parsePlainPeerOutput,
    },
  );
}
