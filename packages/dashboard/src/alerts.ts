export interface Alert {
  kind: 'nan' | 'dev-rising';
  level: 'error' | 'warning';
  message: string;
}

/** Dev loss must rise this many epochs in a row before it counts as overfitting, not noise. */
export const DEV_RISING_EPOCHS = 3;

export function nanAlert(epoch: number, batch: number): Alert {
  return { kind: 'nan', level: 'error', message: `loss is NaN at epoch ${epoch}, batch ${batch}: lower the learning rate or check the inputs` };
}

/**
 * Tracks how many epochs in a row the dev loss has risen. Returns the new
 * streak and, once it reaches `threshold`, an alert (renewed each epoch so the
 * count stays current). A streak of 0 means the rise, if any, is over.
 */
export function devRising(
  streak: number,
  previousDev: number | null,
  dev: number | null,
  epoch: number,
  threshold: number,
): { streak: number; alert: Alert | null } {
  const next = previousDev !== null && dev !== null && dev > previousDev ? streak + 1 : 0;
  if (next < threshold) return { streak: next, alert: null };
  return {
    streak: next,
    alert: {
      kind: 'dev-rising',
      level: 'warning',
      message: `dev loss has risen ${next} epochs in a row (epochs ${epoch - next + 1}-${epoch}): the model may be overfitting`,
    },
  };
}
