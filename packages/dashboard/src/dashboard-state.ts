import type { ActiveBackend, RunEvent, TaskMetrics, TaskSummary } from '@mtl/core';
import { DEV_RISING_EPOCHS, devRising, nanAlert, type Alert } from './alerts.js';

export type RunStatus = 'waiting' | 'training' | 'paused' | 'stopping' | 'stopped' | 'done' | 'failed';

export interface TaskRow {
  name: string;
  /** Labelled entries among the training rows (from the start event). */
  trainLabelled: number | null;
  trainTotal: number | null;
  latest: TaskMetrics | null;
  previous: TaskMetrics | null;
  bestAuc: number | null;
  bestAucEpoch: number | null;
  bestAccuracy: number | null;
}

export interface StageProgress {
  name: string;
  done: number;
  total: number | null;
  unit: string;
  rate: number | null;
  counters: Record<string, number>;
  finished: boolean;
}

export interface Progress {
  epoch: number;
  epochs: number;
  /** Batches finished in the current epoch. */
  batch: number;
  batches: number;
  /** Samples and milliseconds of the current epoch so far, for a live samples/s. */
  epochSamples: number;
  epochStartedAt: number | null;
  lastBatchLoss: number | null;
}

export interface PanelView {
  title: string;
  lines: readonly string[];
  /** State version of the last update, to prefer fresh panels when space is short. */
  updated: number;
}

export interface DashboardState {
  app: string;
  backend: ActiveBackend | null;
  rows: number | null;
  taskNames: string[];
  details: Record<string, string | number>;
  trainRows: number | null;
  devRows: number | null;
  batchSize: number | null;
  startEpoch: number;
  /** The model being trained, when a run trains several (a --compare variant); null otherwise. */
  modelLabel: string | null;
  status: RunStatus;
  statusReason: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** Milliseconds spent paused, so elapsed and ETA count training time only. */
  pausedMs: number;
  pausedAt: number | null;
  progress: Progress;
  /** One entry per finished epoch; a new array only on epoch events, shared between batch updates. */
  trainLosses: readonly number[];
  devLosses: readonly (number | null)[];
  /**
   * Wall seconds from one epoch event to the next: training, evaluation and
   * the app's own per-epoch work (checkpoints, panels), which the trainer's
   * `seconds` leaves out but the ETA must count.
   */
  epochSeconds: readonly number[];
  samplesPerSecond: number | null;
  tasks: readonly TaskRow[];
  devRisingStreak: number;
  alerts: readonly Alert[];
  stages: readonly StageProgress[];
  /** Latest lines per panel title, in the order titles first appeared; at most MAX_PANELS, least recently updated dropped. */
  panels: readonly PanelView[];
  notices: readonly { level: 'info' | 'warning'; message: string }[];
  /** Counts every event; lets a screen skip a redraw when nothing changed. */
  version: number;
}

const MAX_NOTICES = 4;
const MAX_ALERTS = 4;
const MAX_PANELS = 12;
const ETA_EPOCHS = 5;

export function initialDashboardState(app: string): DashboardState {
  return {
    app,
    backend: null,
    rows: null,
    taskNames: [],
    details: {},
    trainRows: null,
    devRows: null,
    batchSize: null,
    startEpoch: 0,
    modelLabel: null,
    status: 'waiting',
    statusReason: null,
    startedAt: null,
    finishedAt: null,
    pausedMs: 0,
    pausedAt: null,
    progress: { epoch: 0, epochs: 0, batch: 0, batches: 0, epochSamples: 0, epochStartedAt: null, lastBatchLoss: null },
    trainLosses: [],
    devLosses: [],
    epochSeconds: [],
    samplesPerSecond: null,
    tasks: [],
    devRisingStreak: 0,
    alerts: [],
    stages: [],
    panels: [],
    notices: [],
    version: 0,
  };
}

/**
 * Folds one run event into the screen's state. Pure (the clock comes in as
 * `now`); a batch event costs the same however long the run has been going.
 */
export function reduceDashboard(state: DashboardState, event: RunEvent, now: number): DashboardState {
  const next = reduce(state, event, now);
  return { ...next, version: state.version + 1 };
}

function reduce(state: DashboardState, event: RunEvent, now: number): DashboardState {
  switch (event.type) {
    case 'run':
      return {
        ...state,
        app: event.app,
        backend: event.backend,
        rows: event.rows,
        details: event.details ?? {},
        taskNames: event.tasks,
        tasks: state.tasks.length > 0 ? state.tasks : event.tasks.map((name) => emptyRow(name, null)),
      };
    case 'start':
      // Each start is a new model (--compare trains several in one run): its own curves,
      // metrics and best-so-far, not the previous model's carried on.
      return {
        ...state,
        status: 'training',
        statusReason: null,
        startedAt: now,
        finishedAt: null,
        pausedMs: 0,
        pausedAt: null,
        trainRows: event.trainRows,
        devRows: event.devRows,
        batchSize: event.batchSize,
        startEpoch: event.startEpoch,
        modelLabel: event.label ?? null,
        taskNames: event.tasks.map((t) => t.name),
        tasks: event.tasks.map((t) => emptyRow(t.name, t)),
        trainLosses: [],
        devLosses: [],
        epochSeconds: [],
        samplesPerSecond: null,
        devRisingStreak: 0,
        alerts: state.alerts.filter((a) => a.kind !== 'dev-rising'),
        progress: {
          epoch: event.startEpoch + 1,
          epochs: event.epochs,
          batch: 0,
          batches: event.batchesPerEpoch,
          epochSamples: 0,
          epochStartedAt: now,
          lastBatchLoss: null,
        },
      };
    case 'batch': {
      const sameEpoch = event.epoch === state.progress.epoch;
      return {
        ...state,
        progress: {
          ...state.progress,
          epoch: event.epoch,
          batch: event.batch,
          batches: event.batches,
          lastBatchLoss: event.loss,
          epochSamples: (sameEpoch ? state.progress.epochSamples : 0) + event.samples,
          // The clock of a new epoch started at the previous epoch event (or the start event).
          epochStartedAt: state.progress.epochStartedAt ?? now,
        },
      };
    }
    case 'epoch': {
      const devLosses = [...state.devLosses, event.devLoss];
      const rising = devRising(state.devRisingStreak, state.devLosses.at(-1) ?? null, event.devLoss, event.epoch, DEV_RISING_EPOCHS);
      return {
        ...state,
        trainLosses: [...state.trainLosses, event.trainLoss],
        devLosses,
        epochSeconds: [...state.epochSeconds, (now - (state.progress.epochStartedAt ?? now)) / 1000],
        samplesPerSecond: event.samplesPerSecond,
        tasks: state.tasks.map((row) =>
          withMetrics(
            row,
            event.tasks.find((t) => t.name === row.name),
            event.epoch,
          ),
        ),
        devRisingStreak: rising.streak,
        alerts: rising.alert
          ? addAlerts(state.alerts, [rising.alert])
          : rising.streak === 0
            ? state.alerts.filter((a) => a.kind !== 'dev-rising')
            : state.alerts,
        progress: { ...state.progress, epoch: event.epoch, epochs: event.epochs, batch: state.progress.batches, epochStartedAt: now, epochSamples: 0 },
      };
    }
    case 'paused':
      return { ...state, status: state.status === 'stopping' ? 'stopping' : 'paused', pausedAt: now };
    case 'resumed':
      return { ...state, status: 'training', pausedMs: state.pausedMs + pausedFor(state, now), pausedAt: null };
    case 'nan':
      return { ...state, alerts: addAlerts(state.alerts, [nanAlert(event.epoch, event.batch)]) };
    case 'end':
      return { ...state, status: 'done', finishedAt: now, pausedMs: state.pausedMs + pausedFor(state, now), pausedAt: null };
    case 'stopped':
      return { ...state, status: 'stopped', statusReason: event.reason, finishedAt: now, pausedMs: state.pausedMs + pausedFor(state, now), pausedAt: null };
    case 'error':
      return { ...state, status: 'failed', statusReason: event.message, finishedAt: now };
    case 'stage':
      return {
        ...state,
        stages: upsert(state.stages, (s) => s.name === event.name, {
          name: event.name,
          done: event.done,
          total: event.total,
          unit: event.unit,
          rate: event.rate ?? null,
          counters: event.counters ?? {},
          finished: event.finished ?? false,
        }),
      };
    case 'panel':
      return {
        ...state,
        panels: capPanels(upsert(state.panels, (p) => p.title === event.title, { title: event.title, lines: event.lines, updated: state.version + 1 })),
      };
    case 'notice':
      return { ...state, notices: [...state.notices, { level: event.level, message: event.message }].slice(-MAX_NOTICES) };
  }
}

/** The screen's own view of a stop request, before the trainer reaches the next batch. */
export function markStopping(state: DashboardState, reason: string): DashboardState {
  if (state.status === 'done' || state.status === 'stopped' || state.status === 'failed') return state;
  return { ...state, status: 'stopping', statusReason: reason, version: state.version + 1 };
}

/** Seconds of training so far, pauses excluded. */
export function elapsedSeconds(state: DashboardState, now: number): number {
  if (state.startedAt === null) return 0;
  const end = state.finishedAt ?? now;
  return Math.max(0, (end - state.startedAt - state.pausedMs - (state.finishedAt === null ? pausedFor(state, now) : 0)) / 1000);
}

/** Seconds left: the typical recent epoch time times the epochs left, less what the current epoch has done. */
export function etaSeconds(state: DashboardState, now: number): number | null {
  const { epoch, epochs, batch, batches } = state.progress;
  if (state.status !== 'training' && state.status !== 'paused') return null;
  // Median of the last epochs: a paused epoch (its seconds include the pause) must not skew it.
  const recent = state.epochSeconds.slice(-ETA_EPOCHS).toSorted((a, b) => a - b);
  let perEpoch: number | null = recent.length > 0 ? recent[Math.floor(recent.length / 2)]! : null;
  if (perEpoch === null && batch > 0 && state.progress.epochStartedAt !== null && state.pausedAt === null) {
    perEpoch = ((now - state.progress.epochStartedAt) / 1000) * (batches / batch);
  }
  if (perEpoch === null) return null;
  const currentLeft = batches > 0 ? Math.max(0, 1 - batch / batches) : 1;
  return (Math.max(0, epochs - epoch) + currentLeft) * perEpoch;
}

/** Seconds left in the current epoch at its pace so far; null before its first batch, between epochs or when not training. */
export function epochEtaSeconds(state: DashboardState, now: number): number | null {
  const { batch, batches, epochStartedAt } = state.progress;
  if (state.status !== 'training' || epochStartedAt === null || batch === 0 || batch >= batches) return null;
  return (((now - epochStartedAt) / 1000) * (batches - batch)) / batch;
}

/** Samples per second: live within the current epoch, else the last epoch's figure. */
export function liveSamplesPerSecond(state: DashboardState, now: number): number | null {
  const { epochStartedAt, epochSamples } = state.progress;
  // Under half a second of an epoch says more about timer jitter than speed.
  if (state.status === 'training' && epochStartedAt !== null && epochSamples > 0 && now - epochStartedAt > 500) {
    return epochSamples / ((now - epochStartedAt) / 1000);
  }
  return state.samplesPerSecond;
}

function pausedFor(state: DashboardState, now: number): number {
  return state.pausedAt === null ? 0 : Math.max(0, now - state.pausedAt);
}

function emptyRow(name: string, summary: TaskSummary | null): TaskRow {
  return {
    name,
    trainLabelled: summary?.labelled ?? null,
    trainTotal: summary?.total ?? null,
    latest: null,
    previous: null,
    bestAuc: null,
    bestAucEpoch: null,
    bestAccuracy: null,
  };
}

function withMetrics(row: TaskRow, metrics: TaskMetrics | undefined, epoch: number): TaskRow {
  if (!metrics) return row;
  const better = metrics.auc !== null && (row.bestAuc === null || metrics.auc > row.bestAuc);
  return {
    ...row,
    previous: row.latest,
    latest: metrics,
    bestAuc: better ? metrics.auc : row.bestAuc,
    bestAucEpoch: better ? epoch : row.bestAucEpoch,
    bestAccuracy: metrics.accuracy !== null && (row.bestAccuracy === null || metrics.accuracy > row.bestAccuracy) ? metrics.accuracy : row.bestAccuracy,
  };
}

function addAlerts(current: readonly Alert[], added: Alert[]): readonly Alert[] {
  if (added.length === 0) return current;
  const kept = current.filter((a) => !added.some((b) => b.kind === a.kind));
  return [...kept, ...added].slice(-MAX_ALERTS);
}

function capPanels(panels: readonly PanelView[]): readonly PanelView[] {
  if (panels.length <= MAX_PANELS) return panels;
  const oldest = panels.reduce((a, b) => (b.updated < a.updated ? b : a));
  return panels.filter((p) => p !== oldest);
}

function upsert<T>(items: readonly T[], same: (item: T) => boolean, value: T): readonly T[] {
  const index = items.findIndex(same);
  if (index < 0) return [...items, value];
  const copy = items.slice();
  copy[index] = value;
  return copy;
}
