import type { ChildOutcome } from './child-run.js';
import type { ReportRow } from './report-row.js';
import { median } from './stats.js';

/** What a timing child reports: seconds and mean training loss of every epoch. */
export interface EpochTimes {
  epochSeconds: number[];
  trainLoss: number[];
  torch?: string;
  blas?: string;
}

/** One contender: a process that trains `epochs` epochs and reports their times. */
export interface Variant {
  id: string;
  label: string;
  /** Epochs dropped before the measured ones (start-up, first-call compilation). */
  warmup: number;
  measured: number;
  run(epochs: number): Promise<ChildOutcome<EpochTimes>>;
}

export interface InterleavedResult {
  /** Per variant id: the median measured epoch of each round. */
  perRound: Map<string, number[]>;
  /** Per variant id: the training losses of its last run. */
  losses: Map<string, number[]>;
  /** Variants that could not run, with the reason. */
  skipped: Map<string, string>;
  torchVersion?: string;
  blas?: string;
}

/**
 * Every variant runs once per round, one after the other (A, B, C, A, B, C...),
 * so a ratio compares runs made minutes apart at most. A variant that fails
 * once is skipped from then on.
 */
export async function runInterleaved(options: { name: string; variants: readonly Variant[]; rounds: number }): Promise<InterleavedResult> {
  const { variants, rounds } = options;
  const result: InterleavedResult = { perRound: new Map(variants.map((v) => [v.id, []])), losses: new Map(), skipped: new Map() };
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      if (result.skipped.has(variant.id)) continue;
      process.stderr.write(`${options.name} round ${round + 1}/${rounds}: ${variant.label}... `);
      const outcome = await variant.run(variant.warmup + variant.measured);
      if (!outcome.ok) {
        result.skipped.set(variant.id, outcome.reason);
        process.stderr.write(`skipped: ${outcome.reason}\n`);
        continue;
      }
      const measured = outcome.result.epochSeconds.slice(variant.warmup);
      result.perRound.get(variant.id)!.push(median(measured));
      result.losses.set(variant.id, outcome.result.trainLoss);
      result.torchVersion ??= outcome.result.torch;
      result.blas ??= outcome.result.blas;
      process.stderr.write(`${median(measured).toFixed(3)} s/epoch\n`);
    }
  }
  return result;
}

/**
 * Adds `id` to `perRound`: the fastest of `among` in each round (all of them
 * ran every round), e.g. the best PyTorch run of each round.
 */
export function addFastestPerRound(result: InterleavedResult, id: string, among: readonly string[], rounds: number): void {
  const runs = among.filter((v) => !result.skipped.has(v)).map((v) => result.perRound.get(v) ?? []);
  if (runs.length === 0 || !runs.every((r) => r.length === rounds)) return;
  result.perRound.set(
    id,
    runs[0]!.map((_, i) => Math.min(...runs.map((r) => r[i]!))),
  );
}

/** Median over rounds of round-by-round ratios a/b; undefined when either is missing. */
export function ratioOf(result: InterleavedResult, a: string, b: string): number | undefined {
  const ra = result.perRound.get(a) ?? [];
  const rb = result.perRound.get(b) ?? [];
  if (result.skipped.has(a) || result.skipped.has(b) || ra.length !== rb.length || ra.length === 0) return undefined;
  return median(ra.map((t, i) => t / rb[i]!));
}

/** A variant's row before its comparisons and target: its median s/epoch over rounds, or why it was skipped. */
export function timingRow(result: InterleavedResult, benchmark: string, variant: Variant): ReportRow {
  const reason = result.skipped.get(variant.id);
  if (reason) return { benchmark, variant: variant.label, value: 'skipped', status: 'skipped', note: reason };
  return { benchmark, variant: variant.label, value: `${median(result.perRound.get(variant.id)!).toFixed(3)} s/epoch`, status: 'info' };
}

/** What a results file keeps of each variant: its epochs, its per-round medians and its last run's losses, or why it was skipped. */
export function variantRecords(result: InterleavedResult, variants: readonly Variant[]) {
  return variants.map((v) => ({
    id: v.id,
    label: v.label,
    warmupEpochs: v.warmup,
    measuredEpochs: v.measured,
    skipped: result.skipped.get(v.id),
    medianPerRound: result.perRound.get(v.id),
    lastRunTrainLoss: result.losses.get(v.id),
  }));
}
