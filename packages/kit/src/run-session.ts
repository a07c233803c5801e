import { type RunEventListener, TrainingControl } from '@mtl/core';
import { createReporter, type Reporter } from '@mtl/dashboard';
import { handleStopSignals } from './stop-signals.js';

/** What a long-running command shares: stop control, signal handling and the reporter. */
export interface RunSession {
  control: TrainingControl;
  onEvent: RunEventListener;
  /** True when the live dashboard draws (a terminal), false for plain lines. */
  live: boolean;
  /** Stops drawing, restores the terminal and removes the signal handlers. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens a session: the live dashboard on a terminal (unless `dashboard` is
 * false), plain lines in a pipe, a file, CI or turbo's stream output. The
 * session owns SIGINT and SIGTERM; the dashboard only draws and reads keys.
 */
export function openRunSession(options: { app: string; dashboard: boolean }): RunSession {
  const control = new TrainingControl();
  const releaseSignals = handleStopSignals(control);
  const reporter: Reporter = createReporter({ app: options.app, control, handleSignals: false, ...(options.dashboard ? {} : { live: false }) });
  let closing: Promise<void> | undefined;
  return {
    control,
    onEvent: (event) => reporter.onEvent(event),
    live: reporter.live,
    close: () => {
      closing ??= reporter.close().finally(releaseSignals);
      return closing;
    },
  };
}
