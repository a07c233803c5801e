import { Box, Text } from 'ink';
import type { DashboardState, RunStatus } from './dashboard-state.js';
import { count } from './format.js';
import { useTheme, type Theme } from './theme.js';

const STATUS_TEXT: Record<RunStatus, string> = {
  waiting: 'preparing',
  training: 'training',
  paused: 'PAUSED',
  stopping: 'stopping',
  stopped: 'stopped',
  done: 'done',
  failed: 'FAILED',
};

function statusColor(status: RunStatus, theme: Theme): string | undefined {
  if (status === 'failed') return theme.bad;
  if (status === 'paused' || status === 'stopping' || status === 'stopped') return theme.warn;
  return theme.good;
}

/** App, status, backend and why, data size, labelled share per task, app details. */
export function RunHeader({ state }: { state: DashboardState }) {
  const theme = useTheme();
  const sizes = [
    state.rows === null ? null : `${count(state.rows)} rows`,
    state.trainRows === null ? null : `${count(state.trainRows)} train / ${count(state.devRows ?? 0)} dev`,
    state.batchSize === null ? null : `batch ${state.batchSize}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const labelled = state.tasks
    .filter((t) => t.trainLabelled !== null && t.trainTotal)
    .map((t) => `${t.name} ${((100 * t.trainLabelled!) / t.trainTotal!).toFixed(0)}%`)
    .join(' · ');
  const details = Object.entries(state.details)
    .map(([k, v]) => `${k}: ${v}`)
    .join(' · ');
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>{state.app}</Text>
        <Text>{'  '}</Text>
        <Text bold color={statusColor(state.status, theme)}>
          {STATUS_TEXT[state.status]}
        </Text>
        {state.modelLabel ? <Text bold>{` ${state.modelLabel}`}</Text> : null}
        {state.backend ? <Text>{`  backend ${state.backend.name}`}</Text> : null}
        {state.backend ? <Text dimColor={theme.dim}>{` (${state.backend.reason})`}</Text> : null}
      </Text>
      {sizes || state.taskNames.length > 0 ? (
        <Text wrap="truncate">
          <Text>{sizes}</Text>
          {labelled ? (
            <Text>{`${sizes ? '  ' : ''}labelled: ${labelled}`}</Text>
          ) : state.taskNames.length > 0 ? (
            <Text>{`${sizes ? '  ' : ''}tasks: ${state.taskNames.join(', ')}`}</Text>
          ) : null}
        </Text>
      ) : null}
      {details ? (
        <Text dimColor={theme.dim} wrap="truncate">
          {details}
        </Text>
      ) : null}
    </Box>
  );
}
