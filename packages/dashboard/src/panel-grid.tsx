import { Box, Text } from 'ink';
import { memo } from 'react';
import type { PanelView } from './dashboard-state.js';
import { useTheme } from './theme.js';

const GAP = 2;

/**
 * Which panels fit side by side in `width` columns: the most recently updated
 * first, shown in the order their titles first appeared.
 */
export function panelsThatFit(panels: readonly PanelView[], width: number): PanelView[] {
  const byFreshness = [...panels].sort((a, b) => b.updated - a.updated);
  const chosen = new Set<PanelView>();
  let used = 0;
  for (const panel of byFreshness) {
    const w = panelWidth(panel);
    if (used + w + (chosen.size > 0 ? GAP : 0) > width && chosen.size > 0) continue;
    chosen.add(panel);
    used += w + (chosen.size > 1 ? GAP : 0);
  }
  return panels.filter((p) => chosen.has(p));
}

// Code points, not bytes: panels are drawn with single-width block characters.
function panelWidth(panel: PanelView): number {
  return Math.max([...panel.title].length, ...panel.lines.map((l) => [...l].length));
}

/** The latest text of each app panel, side by side, as many as the width allows. */
export const PanelGrid = memo(function PanelGrid({ panels, width, maxLines }: { panels: readonly PanelView[]; width: number; maxLines: number }) {
  const theme = useTheme();
  const shown = panelsThatFit(panels, width);
  if (shown.length === 0) return null;
  return (
    <Box flexDirection="row" columnGap={GAP}>
      {shown.map((panel) => (
        <Box key={panel.title} flexDirection="column" flexShrink={0}>
          <Text bold color={theme.accent} wrap="truncate">
            {panel.title}
          </Text>
          <Text>{panel.lines.slice(0, maxLines).join('\n')}</Text>
        </Box>
      ))}
    </Box>
  );
});
