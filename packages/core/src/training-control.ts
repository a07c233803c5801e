/**
 * Lets a screen or a signal handler steer a running trainer: request a
 * graceful stop (the current batch finishes) or pause and resume between batches.
 */
export class TrainingControl {
  #stopReason: string | undefined;
  #paused = false;
  #wake: (() => void) | undefined;

  requestStop(reason = 'stop requested'): void {
    this.#stopReason ??= reason;
    this.resume();
  }

  get stopRequested(): boolean {
    return this.#stopReason !== undefined;
  }

  get stopReason(): string | undefined {
    return this.#stopReason;
  }

  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    if (!this.stopRequested) this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#wake?.();
    this.#wake = undefined;
  }

  togglePause(): void {
    if (this.#paused) this.resume();
    else this.pause();
  }

  /** Resolves at once when running, or when resumed or stopped. */
  waitWhilePaused(): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }
}
