/** What an ETA needs to know of a stage: the dashboard's stage state and a stage event both fit. */
export interface StageAmounts {
  done: number;
  total: number | null;
  rate?: number | null | undefined;
  finished?: boolean | undefined;
}

/** Seconds until a stage finishes at its current rate, or null when that cannot be known. */
export function stageEta(stage: StageAmounts): number | null {
  if (stage.finished) return 0;
  if (stage.total === null || !stage.rate || stage.rate <= 0) return null;
  return Math.max(0, stage.total - stage.done) / stage.rate;
}
