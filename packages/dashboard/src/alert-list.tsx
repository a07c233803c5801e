import { Box, Text } from 'ink';
import type { DashboardState } from './dashboard-state.js';
import { useTheme } from './theme.js';

/** Training alerts (NaN, dev loss rising) and the apps' notices. */
export function AlertList({ alerts, notices }: { alerts: DashboardState['alerts']; notices: DashboardState['notices'] }) {
  const theme = useTheme();
  if (alerts.length === 0 && notices.length === 0) return null;
  return (
    <Box flexDirection="column">
      {alerts.map((a) => (
        <Text key={a.kind} color={a.level === 'error' ? theme.bad : theme.warn} bold>{`${a.level === 'error' ? 'ALERT' : 'WARNING'}: ${a.message}`}</Text>
      ))}
      {notices.map((n, i) => (
        <Text
          key={i}
          color={n.level === 'warning' ? theme.warn : undefined}
          dimColor={n.level === 'info' && theme.dim}
        >{`${n.level === 'warning' ? 'warning' : 'note'}: ${n.message}`}</Text>
      ))}
    </Box>
  );
}
