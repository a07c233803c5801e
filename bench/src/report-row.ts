/** One line of the printed table and of the results files. */
export interface ReportRow {
  benchmark: string;
  variant: string;
  /** The measured figure, already formatted with its unit; or "skipped". */
  value: string;
  /** Ratio against the peer measured side by side, e.g. "3.1x PyTorch". */
  comparison?: string;
  target?: string;
  /** met / not met / skipped / info */
  status: 'met' | 'not met' | 'skipped' | 'info';
  note?: string;
}

export function markdownTable(rows: readonly ReportRow[]): string {
  const header = '| benchmark | variant | value | side by side | target | status |';
  const rule = '|---|---|---|---|---|---|';
  const body = rows.map(
    (r) => `| ${r.benchmark} | ${r.variant} | ${r.value}${r.note ? ` (${r.note})` : ''} | ${r.comparison ?? ''} | ${r.target ?? ''} | ${r.status} |`,
  );
  return [header, rule, ...body].join('\n');
}
