import { Box, Text } from 'ink';
import { elapsedSeconds, epochEtaSeconds, etaSeconds, liveSamplesPerSecond, type DashboardState } from './dashboard-state.js';
import { count, duration, fixed } from './format.js';
import { progressBar } from './progress-bar.js';
import { useTheme } from './theme.js';

/** Epoch bar, batch bar, elapsed, ETA of the run and of the epoch, samples/s and the last batch loss. */
export function ProgressBars({ state, now, width }: { state: DashboardState; now: number; width: number }) {
  const theme = useTheme();
  const { epoch, epochs, batch, batches, lastBatchLoss } = state.progress;
  if (epochs === 0) return null;
  // Room for the batch row's text: up to 120/480, 123,456 samples/s, batch loss and epoch ETA.
  const barWidth = Math.max(10, Math.min(40, width - 74));
  const epochsDone = batches > 0 && batch >= batches ? epoch : epoch - 1;
  const eta = etaSeconds(state, now);
  const rate = liveSamplesPerSecond(state, now);
  const epochEta = epochEtaSeconds(state, now);
  const digits = String(epochs).length;
  const batchDigits = String(batches).length;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text>{'epoch '.padEnd(7)}</Text>
        <Text color={theme.accent}>{progressBar(epochsDone / epochs, barWidth)}</Text>
        <Text>{` ${String(epochsDone).padStart(digits)}/${epochs}`}</Text>
        <Text dimColor={theme.dim}>{`  elapsed ${duration(elapsedSeconds(state, now))}  ETA ${eta === null ? '-' : duration(eta)}`}</Text>
      </Text>
      <Text wrap="truncate">
        <Text>{'batch '.padEnd(7)}</Text>
        <Text color={theme.accent}>{progressBar(batches > 0 ? batch / batches : 0, barWidth)}</Text>
        <Text>{` ${String(batch).padStart(batchDigits)}/${batches}`}</Text>
        <Text
          dimColor={theme.dim}
        >{`  ${rate === null ? '-' : count(Math.round(rate))} samples/s  batch loss ${fixed(lastBatchLoss)}${epochEta === null ? '' : `  epoch ETA ${duration(epochEta)}`}`}</Text>
      </Text>
    </Box>
  );
}
