import type { RunEvent } from '@mtl/core';
import { initialDashboardState, markStopping, reduceDashboard, type DashboardState } from './dashboard-state.js';

/** However slow drawing gets, the screen still updates every two seconds. */
const MAX_INTERVAL_MS = 2000;

export interface DashboardSnapshot {
  state: DashboardState;
  /** Clock reading when this snapshot was published, for elapsed time and ETA. */
  now: number;
}

export interface DashboardStoreOptions {
  /** Least milliseconds between two published snapshots (redraws); default 100, i.e. at most 10 per second. */
  throttleMs?: number;
  /**
   * Largest share of the time that redraws may take (default 0.03): when a
   * redraw costs more (a slow terminal, a busy machine), redraws get rarer.
   * 0 turns this off and leaves only `throttleMs`.
   */
  renderBudget?: number;
  /** Milliseconds between redraws when no event arrives, so clocks keep moving; 0 turns it off. */
  tickMs?: number;
  now?: () => number;
}

/**
 * Folds every event into the state at once (constant work per event) but
 * publishes a snapshot to the screen at most once per `throttleMs`, and
 * less often when drawing would take more than `renderBudget` of the time:
 * a run with thousands of batches per second still redraws ten times a second.
 */
export class DashboardStore {
  #state: DashboardState;
  #snapshot: DashboardSnapshot;
  #listeners = new Set<() => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #lastPublish = -Infinity;
  readonly #throttleMs: number;
  readonly #renderBudget: number;
  readonly #now: () => number;
  /** Smoothed milliseconds from publishing a snapshot until React and Ink have drawn it. */
  #drawMs = 0;
  #drawStartedAt: number | null = null;

  constructor(app: string, options: DashboardStoreOptions = {}) {
    this.#throttleMs = options.throttleMs ?? 100;
    this.#renderBudget = options.renderBudget ?? 0.03;
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
    const started = this.#now();
    this.#lastPublish = started;
    this.#snapshot = { state: this.#state, now: started };
    for (const listener of this.#listeners) listener();
    this.#drawStartedAt = started;
  }

  /**
   * Called by the screen once React has committed a snapshot (Ink draws
   * within the commit), to learn what a redraw costs.
   */
  drawn(): void {
    if (this.#drawStartedAt === null) return;
    this.#drawMs = 0.8 * this.#drawMs + 0.2 * (this.#now() - this.#drawStartedAt);
    this.#drawStartedAt = null;
  }

  /** Least milliseconds between redraws now: the throttle, or longer when drawing is slow. */
  get redrawInterval(): number {
    return this.#renderBudget > 0 ? Math.max(this.#throttleMs, Math.min(MAX_INTERVAL_MS, this.#drawMs / this.#renderBudget)) : this.#throttleMs;
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
    const wait = this.#lastPublish + this.redrawInterval - this.#now();
    if (wait <= 0) {
      this.publish();
      return;
    }
    this.#timer = setTimeout(() => this.publish(), wait);
    this.#timer.unref?.();
  }
}
