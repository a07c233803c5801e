import { Box, Text } from 'ink';
import { braillePlot } from './braille-plot.js';
import { memo } from 'react';
import { fixed } from './format.js';
import { useTheme } from './theme.js';

const AXIS_WIDTH = 8;
const MIN_SPAN = 10;

/** Train and dev loss per epoch as braille lines; both axes follow the data. */
export interface LossChartProps {
  trainLosses: readonly number[];
  devLosses: readonly (number | null)[];
  /** Epochs done before this run (resume) and planned in all. */
  startEpoch: number;
  epochs: number;
  width: number;
  height: number;
}

// Memoised: its inputs change once per epoch, not per batch.
export const LossChart = memo(function LossChart({ trainLosses, devLosses, startEpoch, epochs, width, height }: LossChartProps) {
  const theme = useTheme();
  const plotWidth = Math.max(10, width - AXIS_WIDTH - 1);
  const offset = startEpoch;
  // The x axis spans the epochs done so far (at least a few), so the curve fills the width and rescales as it grows.
  const span = Math.min(Math.max(MIN_SPAN, trainLosses.length), Math.max(epochs - offset, trainLosses.length));
  const plot = braillePlot([trainLosses, devLosses], plotWidth, height, span);
  const colorOf = (owners: number) => (owners === 1 ? theme.train : owners === 2 ? theme.dev : owners === 3 ? theme.both : undefined);
  const hasDev = devLosses.some((v) => v !== null);
  const label = (row: number) => (Number.isNaN(plot.min) ? '' : row === 0 ? fixed(plot.max, 3) : row === height - 1 ? fixed(plot.min, 3) : '');
  const lastEpoch = offset + span;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>loss </Text>
        <Text color={theme.train}>{`━ train ${fixed(trainLosses.at(-1))}`}</Text>
        {hasDev ? <Text color={theme.dev}>{`  ━ dev ${fixed(devLosses.at(-1))}`}</Text> : null}
      </Text>
      {plot.rows.map((runs, r) => (
        <Text key={r}>
          <Text dimColor={theme.dim}>{`${label(r).padStart(AXIS_WIDTH - 1)}┤`}</Text>
          {runs.map((run, i) => (
            <Text key={i} color={colorOf(run.owners)}>
              {run.text}
            </Text>
          ))}
        </Text>
      ))}
      <Text dimColor={theme.dim}>{`${' '.repeat(AXIS_WIDTH - 1)}└${`epoch ${offset + 1}`.padEnd(plotWidth - String(lastEpoch).length)}${lastEpoch}`}</Text>
    </Box>
  );
});
