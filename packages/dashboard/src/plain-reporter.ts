import type { RunEvent, StageEvent } from '@mtl/core';
import { count, duration, fixed } from './format.js';
import { ProgressThrottle } from './progress-throttle.js';
import { stageEta } from './stage-eta.js';

export interface PlainReporterOptions {
  /** Where lines go; default process.stdout. */
  write?: (line: string) => void;
  /** Clock in milliseconds, for the progress lines and the summary; default performance.now. */
  now?: () => number;
  /** Least milliseconds between two progress lines of a stage or an epoch; default 10 000. */
  progressIntervalMs?: number;
  /** A run of more epochs than this gets a line per epoch at most every `epochIntervalMs` (and always the first and the last); default 100. */
  everyEpochUpTo?: number;
  /** Least milliseconds between two epoch lines of a run longer than `everyEpochUpTo`; default 1 000. */
  epochIntervalMs?: number;
}

/**
 * One plain line per epoch and per finished stage, plus a start header and a
 * final summary: no ANSI codes, no carriage returns. For pipes, files, CI and
 * `--no-dashboard`. Long work also gets progress lines (done/total, rate, ETA):
 * a stage from its stage events, a long epoch from its batch events, at 25, 50
 * and 75 % and at most every 10 s otherwise; a run whose stages and epochs all
 * take less than that prints none. A run of more than 100 epochs (MBTI's 500
 * fast ones, five times over with --cv) prints the first and last epoch and
 * at most one epoch line a second between them, and says so once.
 */
export function createPlainReporter(options: PlainReporterOptions = {}): (event: RunEvent) => void {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => performance.now());
  const throttleOptions = { now, ...(options.progressIntervalMs === undefined ? {} : { intervalMs: options.progressIntervalMs }) };
  // Stages by name; batches of the epoch being trained under one key of their own throttle.
  const stages = new ProgressThrottle(throttleOptions);
  const batches = new ProgressThrottle(throttleOptions);
  let started = 0;
  let epochs = 0;
  // The epoch being trained: its clock starts at the previous epoch event (or the start event), as the dashboard's does.
  let epochStartedAt: number | null = null;
  let epochSamples = 0;
  let pausedAt: number | null = null;
  const everyEpochUpTo = options.everyEpochUpTo ?? 100;
  const epochIntervalMs = options.epochIntervalMs ?? 1000;
  let thinEpochs = false;
  let lastEpochLineAt = -Infinity;
  const beginEpoch = (): number => {
    epochStartedAt = now();
    epochSamples = 0;
    batches.begin('epoch');
    return epochStartedAt;
  };
  return (event) => {
    switch (event.type) {
      case 'run': {
        write(`${event.app}: backend ${event.backend.name} (${event.backend.reason}); ${count(event.rows)} rows; tasks ${event.tasks.join(', ')}`);
        for (const [key, value] of Object.entries(event.details ?? {})) write(`  ${key}: ${value}`);
        break;
      }
      case 'stage':
        if (event.finished) {
          stages.end(event.name);
          write(`${event.name}: ${count(event.done)} ${event.unit}${stageRate(event)}${stageCounters(event)}`);
        } else if (stages.due(event.name, event.done, event.total)) {
          write(stageProgressLine(event));
        }
        break;
      case 'start':
        started = now();
        epochs = event.epochs;
        pausedAt = null;
        beginEpoch();
        write(
          `training${event.label ? ` ${event.label}` : ''}: ${count(event.trainRows)} train rows, ${count(event.devRows)} dev rows, ${event.batchesPerEpoch} batch${event.batchesPerEpoch === 1 ? '' : 'es'} of ${event.batchSize}, ` +
            (event.startEpoch >= event.epochs
              ? `already at epoch ${event.startEpoch} of ${event.epochs}: nothing left to train`
              : `epochs ${event.startEpoch + 1}..${event.epochs}`),
        );
        write(`labelled: ${event.tasks.map((t) => `${t.name} ${count(t.labelled)}/${count(t.total)}`).join(', ')}`);
        thinEpochs = event.epochs - event.startEpoch > everyEpochUpTo;
        lastEpochLineAt = -Infinity;
        if (thinEpochs)
          write(
            `(${count(event.epochs - event.startEpoch)} epochs: a line at most every ${duration(epochIntervalMs / 1000)}, and the last; results.json has every epoch)`,
          );
        break;
      case 'epoch': {
        const at = now();
        // The first line of a run always shows: lastEpochLineAt starts at -Infinity.
        if (!thinEpochs || event.epoch === event.epochs || at - lastEpochLineAt >= epochIntervalMs) {
          lastEpochLineAt = at;
          const tasks = event.tasks.map((t) => `${t.name} acc ${fixed(t.accuracy, 3)} auc ${fixed(t.auc, 3)}`).join(' | ');
          const width = String(event.epochs).length;
          write(
            `epoch ${String(event.epoch).padStart(width)}/${event.epochs} loss ${fixed(event.trainLoss)} dev ${fixed(event.devLoss)} ${event.seconds.toFixed(2)}s${tasks ? ` | ${tasks}` : ''}`,
          );
        }
        beginEpoch();
        break;
      }
      case 'batch': {
        const since = epochStartedAt ?? beginEpoch();
        epochSamples += event.samples;
        // The last batch is followed by the epoch's own line.
        if (event.batch < event.batches && batches.due('epoch', event.batch, event.batches)) {
          const seconds = (now() - since) / 1000;
          write(batchProgressLine(event, epochs, epochSamples, seconds));
        }
        break;
      }
      case 'paused':
        pausedAt = now();
        break;
      case 'resumed':
        // The epoch's rate and ETA count training time only.
        if (pausedAt !== null && epochStartedAt !== null) epochStartedAt += now() - pausedAt;
        pausedAt = null;
        break;
      case 'nan':
        write(`ALERT: loss is NaN at epoch ${event.epoch}, batch ${event.batch}`);
        break;
      case 'stopped':
        write(`stopped after epoch ${event.epoch}: ${event.reason} (${duration((now() - started) / 1000)})`);
        break;
      case 'end':
        write(`done: ${event.history.length} epochs in ${duration((now() - started) / 1000)}`);
        break;
      case 'error':
        write(`error: ${event.message}`);
        break;
      case 'notice':
        write(`${event.level === 'warning' ? 'warning' : 'note'}: ${event.message}`);
        break;
      case 'panel':
        break;
    }
  };
}

function stageRate(event: StageEvent): string {
  return event.rate === undefined ? '' : `, ${event.rate.toFixed(1)} ${event.unit}/s`;
}

function stageCounters(event: StageEvent): string {
  return Object.entries(event.counters ?? {})
    .map(([k, v]) => `, ${k} ${count(v)}`)
    .join('');
}

/** `embedding: 12,000/48,000 posts (25 %), 121.3 posts/s, cache hits 300, ETA 4m57s`: what the dashboard's stage row shows. */
function stageProgressLine(event: StageEvent): string {
  const amount =
    event.total === null
      ? `${count(event.done)} ${event.unit}`
      : `${count(event.done)}/${count(event.total)} ${event.unit} (${percent(event.done, event.total)} %)`;
  const eta = stageEta(event);
  return `${event.name}: ${amount}${stageRate(event)}${stageCounters(event)}${eta === null ? '' : `, ETA ${duration(eta)}`}`;
}

/** `epoch 2/5: batch 120/480 (25 %), 1,234 samples/s, loss 0.3100, epoch ETA 1m02s` */
function batchProgressLine(event: Extract<RunEvent, { type: 'batch' }>, epochs: number, samples: number, seconds: number): string {
  const rate = seconds > 0 ? `, ${count(Math.round(samples / seconds))} samples/s` : '';
  const eta = (seconds * (event.batches - event.batch)) / event.batch;
  return `epoch ${event.epoch}/${epochs}: batch ${count(event.batch)}/${count(event.batches)} (${percent(event.batch, event.batches)} %)${rate}, loss ${fixed(event.loss)}, epoch ETA ${duration(eta)}`;
}

/** Whole percent, rounded down: a line at the 25 % mark never says 26 %. */
function percent(done: number, total: number): number {
  return total > 0 ? Math.floor((100 * done) / total) : 0;
}
