import type { TrainingControl } from '@mtl/core';
import { render } from 'ink';
import { Dashboard } from './dashboard.js';
import type { DashboardStore } from './dashboard-store.js';
import { COLOR_THEME, PLAIN_THEME, ThemeContext } from './theme.js';

export interface LiveDashboardOptions {
  store: DashboardStore;
  control: TrainingControl;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  color: boolean;
  onHardExit: () => void;
  /** Drawn inside turbo's terminal UI, which passes Ctrl-C (as SIGINT) but no keys to a task. */
  underTurbo?: boolean;
}

export interface LiveDashboard {
  /** Unmounts Ink (the last frame stays on screen) and resolves once the terminal is restored. */
  unmount(): Promise<void>;
}

export function mountLiveDashboard(options: LiveDashboardOptions): LiveDashboard {
  const instance = render(
    <ThemeContext.Provider value={options.color ? COLOR_THEME : PLAIN_THEME}>
      <Dashboard store={options.store} control={options.control} onHardExit={options.onHardExit} underTurbo={options.underTurbo ?? false} />
    </ThemeContext.Provider>,
    // Ink's own Ctrl-C exit would kill the run without saving; the dashboard handles it.
    // The store paces redraws (at most 10/s, fewer when a frame is costly). Ink's own throttle must
    // be looser, so that Ink draws inside the commit the store times: with maxFps 10 it sometimes
    // deferred a frame to a timer, the store saw a cheap redraw and kept drawing 10 frames a second.
    { stdout: options.stdout, stdin: options.stdin, exitOnCtrlC: false, patchConsole: true, maxFps: 60 },
  );
  return {
    unmount: async () => {
      const exited = instance.waitUntilExit();
      instance.unmount();
      await exited;
    },
  };
}
