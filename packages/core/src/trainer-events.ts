import type { TaskMetrics } from './masked-metrics.js';

export interface TaskSummary {
  name: string;
  /** Labelled entries of this task in the training rows. */
  labelled: number;
  /** Training rows. */
  total: number;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  /** Masked loss on the dev rows; null without dev rows. */
  devLoss: number | null;
  /** Dev metrics per task (empty without dev rows). */
  tasks: TaskMetrics[];
  seconds: number;
  samplesPerSecond: number;
}

/** A message for the user that is not an error (skipped rows, an untrained task...). */
export interface NoticeEvent {
  type: 'notice';
  level: 'info' | 'warning';
  message: string;
}

export type TrainerEvent =
  | {
      type: 'start';
      label?: string;
      epochs: number;
      startEpoch: number;
      batchesPerEpoch: number;
      batchSize: number;
      trainRows: number;
      devRows: number;
      tasks: TaskSummary[];
    }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; samples: number }
  | ({ type: 'epoch'; epochs: number } & EpochRecord)
  | { type: 'paused'; epoch: number }
  | { type: 'resumed'; epoch: number }
  | { type: 'nan'; epoch: number; batch: number }
  | { type: 'end'; history: EpochRecord[] }
  | { type: 'stopped'; epoch: number; reason: string; history: EpochRecord[] }
  | { type: 'error'; message: string }
  | NoticeEvent;

export type TrainerEventListener = (event: TrainerEvent) => void;
