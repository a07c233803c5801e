/** Target verdicts, and the two a row without a target has. "loaded — not a claim": the run started on a busy machine. */
export type ReportStatus = 'met' | 'not met' | 'loaded — not a claim' | 'skipped' | 'info';

/** One line of the printed table and of the results files. */
export interface ReportRow {
  benchmark: string;
  variant: string;
  /** The measured figure, already formatted with its unit; or "skipped". */
  value: string;
  /** Ratio against the peer measured side by side, e.g. "3.1x PyTorch". */
  comparison?: string;
  /** The 1-minute load average at the start and the end of the row's suite ("load 0.42 → 1.31"). */
  load?: string;
  target?: string;
  status: ReportStatus;
  note?: string;
  /** A figure the machine's load does not move (peak memory): its verdict stands in a loaded run. */
  loadIndependent?: boolean;
}

export function markdownTable(rows: readonly ReportRow[]): string {
  const header = '| benchmark | variant | value | side by side | load | target | status |';
  const rule = '|---|---|---|---|---|---|---|';
  const body = rows.map(
    (r) =>
      `| ${r.benchmark} | ${r.variant} | ${r.value}${r.note ? ` (${r.note})` : ''} | ${r.comparison ?? ''} | ${r.load ?? ''} | ${r.target ?? ''} | ${r.status} |`,
  );
  return [header, rule, ...body].join('\n');
}
