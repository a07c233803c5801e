import type { RunEvent } from '@mtl/core';
import { initialDashboardState, markStopping, reduceDashboard, type DashboardState } from './dashboard-state.js';

export interface DashboardSnapshot {
  state: DashboardState;
  /** Clock reading when this snapshot was published, for elapsed time and ETA. */
  now: number;
}

export interface DashboardStoreOptions {
  /** Least milliseconds between two published snapshots (redraws); default 100, i.e. at most 10 per second. */
  throttleMs?: number;
  /** Milliseconds between redraws when no event arrives, so clocks keep moving; 0 turns it off. */
  tickMs?: number;
  now?: () => number;
}

/**
 * Folds every event into the state at once (constant work per event) but
 * publishes a snapshot to the screen at most once per `throttleMs`: a run
 * with thousands of batches per second still redraws ten times a second.
 */
export class DashboardStore {
  #state: DashboardState;
  #snapshot: DashboardSnapshot;
  #listeners = new Set<() => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #lastPublish = -Infinity;
  readonly #throttleMs: number;
  readonly #now: () => number;

  constructor(app: string, options: DashboardStoreOptions = {}) {
    this.#throttleMs = options.throttleMs ?? 100;
    this.#now = options.now ?? (() => performance.now());
    this.#state = initialDashboardState(app);
    this.#snapshot = { state: this.#state, now: this.#now() };
    const tickMs = options.tickMs ?? 1000;
    if (tickMs > 0) {
      this.#ticker = setInterval(() => this.publish(), tickMs);
      this.#ticker.unref?.();
    }
  }

  dispatch(event: RunEvent): void {
    this.#state = reduceDashboard(this.#state, event, this.#now());
    this.#schedule();
  }

  /** Shows at once that a stop was asked for, before the trainer reaches the next batch. */
  markStopping(reason: string): void {
    this.#state = markStopping(this.#state, reason);
    this.publish();
  }

  get state(): DashboardState {
    return this.#state;
  }

  /** Publishes the current state now, cancelling any pending throttled publish. */
  publish(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#lastPublish = this.#now();
    this.#snapshot = { state: this.#state, now: this.#lastPublish };
    for (const listener of this.#listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): DashboardSnapshot => this.#snapshot;

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#ticker !== undefined) clearInterval(this.#ticker);
    this.#timer = undefined;
    this.#ticker = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const wait = this.#lastPublish + this.#throttleMs - this.#now();
    if (wait <= 0) {
      this.publish();
      return;
    }
    this.#timer = setTimeout(() => this.publish(), wait);
    this.#timer.unref?.();
  }
}
