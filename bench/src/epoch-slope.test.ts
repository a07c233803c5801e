import { describe, expect, it } from 'vitest';
import { parseEpochPair, slopePerEpoch } from './epoch-slope.js';

describe('slopePerEpoch', () => {
  it('divides the extra time of the long run by its extra epochs, so start-up cancels out', () => {
    // 3 s of start-up and 0.2 s an epoch: 5 s for 10 epochs, 15 s for 60.
    expect(slopePerEpoch({ epochs: 10, seconds: 5 }, { epochs: 60, seconds: 15 })).toBeCloseTo(0.2, 12);
  });

  it('refuses a long run that is not longer', () => {
    expect(() => slopePerEpoch({ epochs: 10, seconds: 5 }, { epochs: 10, seconds: 6 })).toThrow(RangeError);
  });
});

describe('parseEpochPair', () => {
  it('reads two increasing epoch counts', () => {
    expect(parseEpochPair('--cli-epochs', '10,60')).toEqual({ short: 10, long: 60 });
    expect(parseEpochPair('--cli-epochs', ' 5 , 40 ')).toEqual({ short: 5, long: 40 });
  });

  it('names the flag when the counts are missing, not whole, not positive or not increasing', () => {
    for (const text of ['60', '10,60,100', '10,x', '0,60', '10.5,60', '60,10', '10,10']) {
      expect(() => parseEpochPair('--cli-epochs', text)).toThrow(`--cli-epochs ${text}: give two epoch counts`);
    }
  });
});
