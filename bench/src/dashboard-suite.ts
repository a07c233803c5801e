import { join } from 'node:path';
import { runChild } from './child-run.js';
import type { ReportRow } from './report-row.js';
import { BENCH_ROOT } from './repo-paths.js';
import { median } from './stats.js';

/** Toy s/epoch with the live dashboard against the plain reporter, epochs alternating in one run. */
export async function runDashboardSuite(epochs: number): Promise<{ rows: ReportRow[]; json: unknown }> {
  process.stderr.write('dashboard cost: toy training, live and plain epochs alternating... ');
  const outcome = await runChild<{ live: number[]; plain: number[] }>(process.execPath, [join(BENCH_ROOT, 'dist', 'dashboard-cost-run.js'), String(epochs)]);
  if (!outcome.ok) {
    process.stderr.write(`skipped: ${outcome.reason}\n`);
    return {
      rows: [{ benchmark: 'dashboard cost', variant: '', value: 'skipped', status: 'skipped', note: outcome.reason }],
      json: { skipped: outcome.reason },
    };
  }
  const live = median(outcome.result.live);
  const plain = median(outcome.result.plain);
  const cost = live / plain - 1;
  process.stderr.write(`${(cost * 100).toFixed(1)} %\n`);
  return {
    rows: [
      {
        benchmark: 'dashboard cost',
        variant: 'live Ink (fake 160x50 TTY) vs plain, toy wasm',
        value: `${live.toFixed(3)} vs ${plain.toFixed(3)} s/epoch`,
        comparison: `${cost >= 0 ? '+' : ''}${(cost * 100).toFixed(1)} % per epoch`,
        target: '< 5 %',
        status: cost < 0.05 ? 'met' : 'not met',
        note: `medians of ${outcome.result.live.length} live and ${outcome.result.plain.length} plain epochs`,
      },
    ],
    json: { epochs, ...outcome.result, medianLive: live, medianPlain: plain, cost },
  };
}
