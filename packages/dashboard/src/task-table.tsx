import { Box, Text } from 'ink';
import { memo } from 'react';
import type { TaskRow } from './dashboard-state.js';
import { count, fixed } from './format.js';
import { useTheme, type Theme } from './theme.js';

/** Change of a metric since the previous epoch, signed, or '' when there is none. */
export function metricDelta(latest: number | null | undefined, previous: number | null | undefined): number | null {
  if (latest === null || latest === undefined || previous === null || previous === undefined) return null;
  return latest - previous;
}

function formatDelta(delta: number | null): string {
  if (delta === null) return '';
  const text = Math.abs(delta) < 0.0005 ? '±0.000' : `${delta > 0 ? '+' : '-'}${Math.abs(delta).toFixed(3)}`;
  return text;
}

function deltaColor(delta: number | null, theme: Theme): string | undefined {
  if (delta === null || Math.abs(delta) < 0.0005) return undefined;
  return delta > 0 ? theme.good : theme.bad;
}

/** Per task: labelled training entries, dev accuracy and AUC with their change, best AUC so far. */
export const TaskTable = memo(function TaskTable({ tasks }: { tasks: readonly TaskRow[] }) {
  const theme = useTheme();
  if (tasks.length === 0) return null;
  const nameWidth = Math.max(4, ...tasks.map((t) => t.name.length));
  const head = `${'task'.padEnd(nameWidth)}  ${'labelled (train)'.padEnd(20)} ${'dev n'.padStart(6)} ${'acc'.padStart(6)} ${'Δ'.padEnd(7)} ${'AUC'.padStart(6)} ${'Δ'.padEnd(7)} best AUC`;
  return (
    <Box flexDirection="column">
      <Text bold>{head}</Text>
      {tasks.map((t) => {
        const labelled =
          t.trainLabelled === null || !t.trainTotal
            ? '-'
            : `${count(t.trainLabelled)}/${count(t.trainTotal)} ${((100 * t.trainLabelled) / t.trainTotal).toFixed(0)}%`;
        const accDelta = metricDelta(t.latest?.accuracy, t.previous?.accuracy);
        const aucDelta = metricDelta(t.latest?.auc, t.previous?.auc);
        const best = t.bestAuc === null ? '-' : `${fixed(t.bestAuc, 3)} (ep ${t.bestAucEpoch})`;
        return (
          <Text key={t.name}>
            <Text>{`${t.name.padEnd(nameWidth)}  ${labelled.padEnd(20)} ${(t.latest ? count(t.latest.labelled) : '-').padStart(6)} ${fixed(t.latest?.accuracy, 3).padStart(6)} `}</Text>
            <Text color={deltaColor(accDelta, theme)}>{formatDelta(accDelta).padEnd(7)}</Text>
            <Text>{` ${fixed(t.latest?.auc, 3).padStart(6)} `}</Text>
            <Text color={deltaColor(aucDelta, theme)}>{formatDelta(aucDelta).padEnd(7)}</Text>
            <Text>{` ${best}`}</Text>
          </Text>
        );
      })}
    </Box>
  );
});
