import { Box, Text } from 'ink';
import type { StageProgress } from './dashboard-state.js';
import { count, duration } from './format.js';
import { progressBar } from './progress-bar.js';
import { stageEta } from './stage-eta.js';
import { useTheme } from './theme.js';

/** Non-training work (reading, embedding...): bar, items, rate, counters, ETA. */
export function StageList({ stages, width }: { stages: readonly StageProgress[]; width: number }) {
  const theme = useTheme();
  if (stages.length === 0) return null;
  const nameWidth = Math.max(...stages.map((s) => s.name.length));
  return (
    <Box flexDirection="column">
      {stages.map((s) => {
        const eta = stageEta(s);
        const amount = s.total === null ? `${count(s.done)} ${s.unit}` : `${count(s.done)}/${count(s.total)} ${s.unit}`;
        const rate = s.rate === null ? '' : `  ${s.rate.toFixed(1)} ${s.unit}/s`;
        const counters = Object.entries(s.counters)
          .map(([k, v]) => `  ${k} ${count(v)}`)
          .join('');
        const tail = s.finished ? '  done' : eta === null ? '' : `  ETA ${duration(eta)}`;
        const barWidth = Math.max(8, Math.min(30, width - nameWidth - 2 - amount.length - rate.length - counters.length - tail.length));
        return (
          <Text key={s.name} wrap="truncate">
            <Text bold>{`${s.name.padEnd(nameWidth)} `}</Text>
            <Text color={s.finished ? theme.good : theme.accent}>{progressBar(s.total ? s.done / s.total : s.finished ? 1 : 0, barWidth)}</Text>
            <Text>{` ${amount}`}</Text>
            <Text dimColor={theme.dim}>{`${rate}${counters}${tail}`}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
