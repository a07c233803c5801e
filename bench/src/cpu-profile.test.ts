import { describe, expect, it } from 'vitest';
import { attributeSamples, type CpuProfile, profileThread } from './cpu-profile.js';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url }, children });

// (root) → runTraining (trainer.js) → trainStep (trainer.js)
//                                   → evaluate (trainer.js) → predict (predict.js)
//        → writeCheckpoint (checkpoint.js)
//        → (garbage collector)
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 6, 7]),
    frame(2, 'runTraining', 'file:///repo/packages/core/dist/trainer.js', [3, 4]),
    frame(3, 'trainStep', 'file:///repo/packages/core/dist/trainer.js'),
    frame(4, 'evaluate', 'file:///repo/packages/core/dist/trainer.js', [5]),
    frame(5, 'predict', 'file:///repo/packages/core/dist/predict.js'),
    frame(6, 'writeCheckpoint', 'file:///repo/packages/core/dist/checkpoint.js'),
    frame(7, '(garbage collector)', ''),
  ],
  samples: [3, 3, 5, 4, 6, 7, 1],
  timeDeltas: [1000, 2000, 3000, 4000, 5000, 6000, 7000],
};

describe('attributeSamples', () => {
  it('gives each sample to the first category on its stack, by function, file or both, and the rest to other', () => {
    const seconds = attributeSamples(profile, [
      { name: 'evaluation', frames: [{ functionName: 'evaluate', file: 'trainer.js' }] },
      { name: 'checkpoint', frames: [{ file: 'checkpoint.js' }] },
      { name: 'training', frames: [{ file: 'trainer.js' }] },
      { name: 'gc', frames: [{ functionName: '(garbage collector)' }] },
    ]);
    const microseconds = Object.fromEntries(Object.entries(seconds).map(([name, s]) => [name, Math.round(s * 1e6)]));
    expect(microseconds).toEqual({ evaluation: 7000, checkpoint: 5000, training: 3000, gc: 6000, other: 7000, total: 28000 });
  });

  it('lets a broad category listed first take the samples of a narrow one', () => {
    const seconds = attributeSamples(profile, [
      { name: 'trainer', frames: [{ file: 'trainer.js' }] },
      { name: 'evaluation', frames: [{ functionName: 'evaluate' }] },
    ]);
    expect(seconds.trainer).toBeCloseTo(0.01, 12);
    expect(seconds.evaluation).toBe(0);
  });
});

describe('profileThread', () => {
  it("reads the thread from node's file name: 0 for the main thread, more for workers", () => {
    expect(profileThread('CPU.20261204.155636.23269.0.001.cpuprofile')).toBe(0);
    expect(profileThread('CPU.20261204.155637.23269.1.002.cpuprofile')).toBe(1);
    expect(profileThread('main.cpuprofile')).toBeUndefined();
  });
});
