import { describe, expect, it } from 'vitest';
import { parsePlainPeerOutput } from './toy-plain-peer.js';

describe('parsePlainPeerOutput', () => {
  it("reads the epoch times, the last loss and torch's version from the plain loop's dict", () => {
    const stdout =
      "{'torch': '1.13.0a0', 'threads': 2, 'mkldnn': True, 'epochTimes': [0.0521, 0.0443, 0.0438], 'medianSecPerEpoch': 0.0438, 'firstLoss': 0.6512, 'lastLoss': 0.4123, 'valLoss': 0.41, 'valAcc': 0.8}\n";
    expect(parsePlainPeerOutput(stdout)).toEqual({ epochSeconds: [0.0521, 0.0443, 0.0438], trainLoss: [0.4123], torch: '1.13.0a0' });
  });

  it('gives nothing for output without epoch times', () => {
    expect(parsePlainPeerOutput('Traceback (most recent call last):\n')).toBeUndefined();
    expect(parsePlainPeerOutput("{'epochTimes': []}")).toBeUndefined();
  });
});
