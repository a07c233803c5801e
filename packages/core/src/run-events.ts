import type { ActiveBackend } from './backend.js';
import type { NoticeEvent, TrainerEvent } from './trainer-events.js';

export type { NoticeEvent };

/** What a run is about: shown as the header of a dashboard or the first lines of a log. */
export interface RunInfoEvent {
  type: 'run';
  app: string;
  backend: ActiveBackend;
  /** Rows (examples) in the data set, all splits together. */
  rows: number;
  tasks: string[];
  /** Any other facts worth a line: data file, split sizes, missing rate... */
  details?: Record<string, string | number>;
}

/** Progress of work that is not training (reading, embedding, evaluating...). */
export interface StageEvent {
  type: 'stage';
  name: string;
  done: number;
  /** null when the total is not known yet. */
  total: number | null;
  unit: string;
  /** Items per second so far. */
  rate?: number;
  /** Short extra facts, e.g. { 'cache hits': 120 }. */
  counters?: Record<string, number>;
  finished?: boolean;
}

/** A block of text an app wants to show live (e.g. the toy's decision regions). */
export interface PanelEvent {
  type: 'panel';
  title: string;
  lines: string[];
}

export type RunEvent = TrainerEvent | RunInfoEvent | StageEvent | PanelEvent;
export type RunEventListener = (event: RunEvent) => void;
