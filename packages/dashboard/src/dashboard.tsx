import type { TrainingControl } from '@mtl/core';
import { Box, useInput, useStdin, useStdout } from 'ink';
import { useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { AlertList } from './alert-list.js';
import type { DashboardStore } from './dashboard-store.js';
import { KeyFooter } from './key-footer.js';
import { LossChart } from './loss-chart.js';
import { PanelGrid } from './panel-grid.js';
import { ProgressBars } from './progress-bars.js';
import { RunHeader } from './run-header.js';
import { StageList } from './stage-progress.js';
import { TaskTable } from './task-table.js';

export interface DashboardProps {
  store: DashboardStore;
  control: TrainingControl;
  /** Second Ctrl-C: leave now, without waiting for the trainer. */
  onHardExit: () => void;
  /** Inside turbo's terminal UI: keys do not reach the app, only Ctrl-C does; the footer says so. */
  underTurbo?: boolean;
}

const MAX_CHART_HEIGHT = 10;
const CTRL_C_REASON = 'SIGINT (Ctrl-C)';
const MIN_CHART_HEIGHT = 3;

export function Dashboard({ store, control, onHardExit, underTurbo = false }: DashboardProps) {
  const { state, now } = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { stdout } = useStdout();
  const { isRawModeSupported } = useStdin();
  const ctrlC = useRef(0);
  const interactive = isRawModeSupported === true;
  // After every commit, which is when Ink has drawn: lets the store measure and pace redraws.
  useLayoutEffect(() => store.drawn());

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        ctrlC.current += 1;
        if (ctrlC.current > 1) return onHardExit();
        // Same reason as the signal, so apps give Ctrl-C one exit code with or without the dashboard.
        control.requestStop(CTRL_C_REASON);
        store.markStopping(CTRL_C_REASON);
      } else if (input === 'q') {
        control.requestStop('q pressed');
        store.markStopping('q pressed');
      } else if (input === 'p') {
        control.togglePause();
        store.publish();
      }
    },
    { isActive: interactive },
  );

  const width = Math.max(40, (stdout.columns || 100) - 1);
  const rows = stdout.rows || 40;
  const training = state.progress.epochs > 0;
  const panelLines = state.panels.reduce((most, p) => Math.max(most, p.lines.length), 0);
  const fixedLines =
    3 +
    (training ? 3 : 0) +
    (state.tasks.length > 0 && training ? state.tasks.length + 2 : 0) +
    state.alerts.length +
    state.notices.length +
    state.stages.length +
    (state.panels.length > 0 ? Math.min(panelLines, 16) + 2 : 0) +
    2;
  const chartHeight = Math.max(MIN_CHART_HEIGHT, Math.min(MAX_CHART_HEIGHT, rows - fixedLines - 4));
  const panelMax = Math.max(4, Math.min(16, rows - (fixedLines - Math.min(panelLines, 16)) - chartHeight - 4));

  return (
    <Box flexDirection="column" width={width}>
      <RunHeader state={state} />
      <StageList stages={state.stages} width={width} />
      {training ? (
        <Box marginTop={1} flexDirection="column">
          <ProgressBars state={state} now={now} width={width} />
        </Box>
      ) : null}
      {training ? (
        <Box marginTop={1}>
          <LossChart
            trainLosses={state.trainLosses}
            devLosses={state.devLosses}
            startEpoch={state.startEpoch}
            epochs={state.progress.epochs}
            width={Math.min(width, 100)}
            height={chartHeight}
          />
        </Box>
      ) : null}
      {training ? (
        <Box marginTop={1}>
          <TaskTable tasks={state.tasks} />
        </Box>
      ) : null}
      <AlertList alerts={state.alerts} notices={state.notices} />
      {state.panels.length > 0 ? (
        <Box marginTop={1}>
          <PanelGrid panels={state.panels} width={width} maxLines={panelMax} />
        </Box>
      ) : null}
      <Box marginTop={1}>
        <KeyFooter state={state} interactive={interactive} underTurbo={underTurbo} />
      </Box>
    </Box>
  );
}
