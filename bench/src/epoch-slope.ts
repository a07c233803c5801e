/** A run of `epochs` epochs that took `seconds` (wall time, or the sum of its epochs' training passes). */
export interface EpochRun {
  epochs: number;
  seconds: number;
}

/** The epochs of a short and a long run of the same command. */
export interface EpochPair {
  short: number;
  long: number;
}

/**
 * Seconds per epoch as the slope between a short and a long run of the same
 * command: what both spend once (start-up, loading the data, test metrics,
 * charts, saving the model) cancels out, and so does a slow first epoch.
 */
export function slopePerEpoch(short: EpochRun, long: EpochRun): number {
  if (!(long.epochs > short.epochs))
    throw new RangeError(`slopePerEpoch: the long run (${long.epochs} epochs) must have more epochs than the short one (${short.epochs})`);
  return (long.seconds - short.seconds) / (long.epochs - short.epochs);
}

/** `10,60` → { short: 10, long: 60 }; anything else is an error that names the flag. */
export function parseEpochPair(flag: string, text: string): EpochPair {
  const parts = text.split(',').map((p) => p.trim());
  const [short, long] = parts.map(Number);
  const valid = parts.length === 2 && [short, long].every((n) => Number.isInteger(n) && n! > 0);
  if (!valid || !(long! > short!)) {
    throw new Error(`${flag} ${text}: give two epoch counts, the shorter first (e.g. ${flag} 10,60); seconds per epoch is the slope between them.`);
  }
  return { short: short!, long: long! };
}
