import './react-production-mode.js';
import type { RunEvent, TrainingControl } from '@mtl/core';
import { DashboardStore } from './dashboard-store.js';
import { mountLiveDashboard, type LiveDashboard } from './live-dashboard.js';
import { createPlainReporter } from './plain-reporter.js';
import { colorEnabled } from './theme.js';

export interface ReporterOptions {
  app: string;
  /** Live Ink dashboard; default: stdout is a terminal, CI is not set and turbo is not streaming our output. */
  live?: boolean;
  control: TrainingControl;
  /** Where the dashboard draws and reads keys; default process.stdout / process.stdin. */
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Where plain lines go (live=false); default process.stdout. */
  write?: (line: string) => void;
  /** Environment for NO_COLOR and CI; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Least milliseconds between redraws; default 100 (at most 10 per second). */
  throttleMs?: number;
  /**
   * First SIGINT requests a graceful stop, a second exits with 130; default true.
   * False where the app owns its signals (the experiment kit does): the live
   * screen reads Ctrl-C as a key in raw mode, so it stops and quits the same way
   * either way.
   */
  handleSignals?: boolean;
}

export interface Reporter {
  onEvent(event: RunEvent): void;
  /** Stops rendering and restores the terminal; resolves when Ink has unmounted. */
  close(): Promise<void>;
  readonly live: boolean;
}

/** Exit code of a process ended by SIGINT, by shell convention. */
const INTERRUPTED_EXIT_CODE = 130;

/** The live Ink dashboard on a terminal, else one plain line per epoch. */
export function createReporter(options: ReporterOptions): Reporter {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const live = options.live ?? (stdout.isTTY === true && !env.CI && !underTurboStream(env));
  return live ? createLiveReporter(options, stdout, env) : createLineReporter(options);
}

/**
 * turbo runs tasks with TURBO_HASH set; outside its terminal UI (which sets
 * TURBO_IS_TUI) it prefixes every line with the task name and keeps stdin
 * to itself, so a live screen would come out garbled and deaf to keys.
 */
export function underTurboStream(env: NodeJS.ProcessEnv): boolean {
  return env.TURBO_HASH !== undefined && env.TURBO_IS_TUI !== 'true';
}

function createLineReporter(options: ReporterOptions): Reporter {
  const onEvent = createPlainReporter(options.write ? { write: options.write } : {});
  const releaseSignals = handleInterrupts(options, () => process.exit(INTERRUPTED_EXIT_CODE));
  return { live: false, onEvent, close: async () => releaseSignals() };
}

function createLiveReporter(options: ReporterOptions, stdout: NodeJS.WriteStream, env: NodeJS.ProcessEnv): Reporter {
  const store = new DashboardStore(options.app, options.throttleMs === undefined ? {} : { throttleMs: options.throttleMs });
  const hardExit = () => {
    void dashboard.unmount().finally(() => process.exit(INTERRUPTED_EXIT_CODE));
  };
  const dashboard: LiveDashboard = mountLiveDashboard({
    store,
    control: options.control,
    stdout,
    stdin: options.stdin ?? process.stdin,
    color: colorEnabled(env),
    onHardExit: hardExit,
    underTurbo: env.TURBO_IS_TUI === 'true',
  });
  const releaseSignals = handleInterrupts(options, hardExit, (reason) => store.markStopping(reason));
  let closing: Promise<void> | undefined;
  return {
    live: true,
    onEvent: (event) => store.dispatch(event),
    close: () => {
      closing ??= (async () => {
        store.publish();
        store.dispose();
        // React commits the last snapshot asynchronously; let it land before the final frame.
        await new Promise((resolve) => setImmediate(resolve));
        await dashboard.unmount();
        releaseSignals();
      })();
      return closing;
    },
  };
}

/**
 * SIGINT (Ctrl-C when the terminal is not in raw mode, or a signal passed on
 * by turbo): the first asks for a graceful stop, the second exits at once.
 */
function handleInterrupts(options: ReporterOptions, exit: () => void, onStop?: (reason: string) => void): () => void {
  if (options.handleSignals === false) return () => {};
  let count = 0;
  const onSigint = () => {
    count += 1;
    if (count > 1) return exit();
    options.control.requestStop('SIGINT received');
    onStop?.('SIGINT received');
  };
  process.on('SIGINT', onSigint);
  return () => {
    process.off('SIGINT', onSigint);
  };
}
