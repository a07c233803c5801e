import { loadavg } from 'node:os';
import type { ReportRow } from './report-row.js';

/**
 * A run whose 1-minute load average was at least this when it started was
 * sharing the machine (2 cores here): PyTorch's threads lose more to a neighbour
 * than single-threaded wasm does, so its ratios flatter us and are not claims.
 */
export const QUIET_LOAD_LIMIT = 1;

/** The status and the ratio mark of a run that started loaded. */
export const NOT_A_CLAIM = 'loaded — not a claim';

export interface LoadSample {
  /** 1-, 5- and 15-minute load averages. */
  oneMinute: number;
  fiveMinutes: number;
  fifteenMinutes: number;
  at: string;
}

/** The load of a stretch of the run: when it started and when it ended. */
export interface LoadSpan {
  start: LoadSample;
  end: LoadSample;
}

export type LoadVerdict = 'quiet' | 'loaded';

export function sampleLoad(): LoadSample {
  const [oneMinute, fiveMinutes, fifteenMinutes] = loadavg() as [number, number, number];
  return { oneMinute, fiveMinutes, fifteenMinutes, at: new Date().toISOString() };
}

/**
 * Quiet or loaded, by the 1-minute load when the run started, before the bench
 * itself added any (later samples include our own children: PyTorch with 2
 * threads alone takes the load past 1).
 */
export function loadVerdict(runStart: Pick<LoadSample, 'oneMinute'>, limit = QUIET_LOAD_LIMIT): LoadVerdict {
  return runStart.oneMinute >= limit ? 'loaded' : 'quiet';
}

/** "load 0.42 → 1.31", 1-minute averages at the start and the end of a span. */
export function describeLoad(span: LoadSpan): string {
  return `load ${span.start.oneMinute.toFixed(2)} → ${span.end.oneMinute.toFixed(2)}`;
}

/**
 * Puts the load beside every ratio of a suite's rows; when the run started
 * loaded, every ratio is marked as no claim and no row reports "met" or "not met".
 */
export function markRows(rows: readonly ReportRow[], span: LoadSpan, verdict: LoadVerdict): ReportRow[] {
  return rows.map((row) => {
    const marked: ReportRow = { ...row, load: describeLoad(span) };
    if (verdict === 'loaded' && !row.loadIndependent) {
      if (row.comparison) marked.comparison = `${row.comparison} (${NOT_A_CLAIM})`;
      if (row.status === 'met' || row.status === 'not met') marked.status = NOT_A_CLAIM;
    }
    return marked;
  });
}

/**
 * Waits, up to `maxSeconds`, for the 1-minute load to fall below the limit (a
 * build just before the bench leaves it high for a minute or two), then
 * returns the load the run starts with, quiet or not.
 */
export async function waitForQuiet(options: { maxSeconds: number; limit?: number; onWait?: (load: LoadSample, waited: number) => void }): Promise<LoadSample> {
  const limit = options.limit ?? QUIET_LOAD_LIMIT;
  const started = performance.now();
  for (;;) {
    const load = sampleLoad();
    const waited = (performance.now() - started) / 1000;
    if (load.oneMinute < limit || waited >= options.maxSeconds) return load;
    options.onWait?.(load, waited);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}
