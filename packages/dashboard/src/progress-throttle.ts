export interface ProgressThrottleOptions {
  /**
   * Least milliseconds between two lines about one piece of work, and the
   * least expected length of work whose quarter marks get a line; default 10 000.
   */
  intervalMs?: number;
  /** Fractions of the total that get a line the first time they are reached; default 25, 50 and 75 %. */
  marks?: readonly number[];
  /** Clock in milliseconds; default performance.now. */
  now?: () => number;
}

interface Work {
  startedAt: number;
  lastLineAt: number;
  /** How many of the (sorted) marks were already reached. */
  marksReached: number;
}

/**
 * When long work (a stage, an epoch) deserves a progress line in a log: the
 * first time it reaches each mark (25/50/75 % of a known total), and otherwise
 * once every `intervalMs`. Work that finishes within `intervalMs` prints
 * nothing: its first periodic line would come after `intervalMs`, and a mark
 * gets a line only when the time so far, scaled to the whole, is at least
 * `intervalMs`, so a short run's log keeps one line per epoch and stage.
 */
export class ProgressThrottle {
  private readonly intervalMs: number;
  private readonly marks: readonly number[];
  private readonly now: () => number;
  private readonly work = new Map<string, Work>();

  constructor(options: ProgressThrottleOptions = {}) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.marks = (options.marks ?? [0.25, 0.5, 0.75]).toSorted((a, b) => a - b);
    this.now = options.now ?? (() => performance.now());
  }

  /** (Re)starts the clock of `key`; `due` starts it on first sight too. */
  begin(key: string): void {
    const now = this.now();
    this.work.set(key, { startedAt: now, lastLineAt: now, marksReached: 0 });
  }

  /** Forgets `key`, so that work of the same name later starts afresh. */
  end(key: string): void {
    this.work.delete(key);
  }

  /** Whether a line about `key` is due now, with `done` of `total` (null: unknown) finished; counts the line as written if so. */
  due(key: string, done: number, total: number | null): boolean {
    if (!this.work.has(key)) this.begin(key);
    const work = this.work.get(key)!;
    const now = this.now();
    let line = now - work.lastLineAt >= this.intervalMs;
    if (total !== null && total > 0) {
      const fraction = done / total;
      const reached = this.marks.filter((mark) => fraction >= mark).length;
      if (reached > work.marksReached) {
        // Several marks passed in one jump get one line; a mark passed by short work gets none, now or later.
        work.marksReached = reached;
        if ((now - work.startedAt) / fraction >= this.intervalMs) line = true;
      }
    }
    if (line) work.lastLineAt = now;
    return line;
  }
}
