import { Text } from 'ink';
import type { DashboardState } from './dashboard-state.js';
import { useTheme } from './theme.js';

/** The keys that work now, or how the run ended. */
export function KeyFooter({ state, interactive, underTurbo = false }: { state: DashboardState; interactive: boolean; underTurbo?: boolean }) {
  const theme = useTheme();
  switch (state.status) {
    case 'done':
      return <Text color={theme.good}>training finished</Text>;
    case 'stopped':
      return <Text color={theme.warn}>{`stopped: ${state.statusReason ?? ''}`}</Text>;
    case 'failed':
      return <Text color={theme.bad}>{`error: ${state.statusReason ?? ''}`}</Text>;
    case 'stopping':
      return <Text color={theme.warn}>{`stopping after the current batch: ${state.statusReason ?? 'stop requested'}; Ctrl-C again quits at once`}</Text>;
    default:
      if (underTurbo)
        return <Text dimColor={theme.dim}>under turbo: Ctrl-C stops and saves (twice: quit); for q and p run the app's command without turbo</Text>;
      if (!interactive) return <Text dimColor={theme.dim}>keys unavailable: stdin is not a terminal</Text>;
      return (
        <Text dimColor={theme.dim}>
          {state.status === 'paused' ? 'p resume · q stop and save · Ctrl-C stop (twice: quit)' : 'q stop and save · p pause · Ctrl-C stop (twice: quit)'}
        </Text>
      );
  }
}
