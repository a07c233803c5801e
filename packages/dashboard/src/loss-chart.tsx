import { Box, Text } from 'ink';
import { braillePlot } from './braille-plot.js';
import type { DashboardState } from './dashboard-state.js';
import { fixed } from './format.js';
import { useTheme } from './theme.js';

const AXIS_WIDTH = 8;

/** Train and dev loss per epoch as braille lines; the y axis follows the data, the x axis the planned epochs. */
export function LossChart({ state, width, height }: { state: DashboardState; width: number; height: number }) {
  const theme = useTheme();
  const plotWidth = Math.max(10, width - AXIS_WIDTH - 1);
  const offset = state.startEpoch;
  const planned = Math.max(0, state.progress.epochs - offset);
  const plot = braillePlot([state.trainLosses, state.devLosses], plotWidth, height, planned);
  const colorOf = (owners: number) => (owners === 1 ? theme.train : owners === 2 ? theme.dev : owners === 3 ? theme.both : undefined);
  const hasDev = state.devLosses.some((v) => v !== null);
  const label = (row: number) =>
    Number.isNaN(plot.min) ? '' : row === 0 ? fixed(plot.max, 3) : row === height - 1 ? fixed(plot.min, 3) : '';
  const lastEpoch = offset + Math.max(planned, state.trainLosses.length);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>loss </Text>
        <Text color={theme.train}>{`━ train ${fixed(state.trainLosses.at(-1))}`}</Text>
        {hasDev ? <Text color={theme.dev}>{`  ━ dev ${fixed(state.devLosses.at(-1))}`}</Text> : null}
      </Text>
      {plot.rows.map((runs, r) => (
        <Text key={r}>
          <Text dimColor={theme.dim}>{`${label(r).padStart(AXIS_WIDTH - 1)}┤`}</Text>
          {runs.map((run, i) => (
            <Text key={i} color={colorOf(run.owners)}>{run.text}</Text>
          ))}
        </Text>
      ))}
      <Text dimColor={theme.dim}>
        {`${' '.repeat(AXIS_WIDTH - 1)}└${`epoch ${offset + 1}`.padEnd(plotWidth - String(lastEpoch).length)}${lastEpoch}`}
      </Text>
    </Box>
  );
}
