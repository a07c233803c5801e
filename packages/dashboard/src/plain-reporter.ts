import type { RunEvent } from '@mtl/core';
import { count, duration, fixed } from './format.js';

export interface PlainReporterOptions {
  /** Where lines go; default process.stdout. */
  write?: (line: string) => void;
}

/**
 * One plain line per epoch and per finished stage, plus a start header and a
 * final summary: no ANSI codes, no carriage returns, no per-batch lines. For
 * pipes, files, CI and `--no-dashboard`.
 */
export function createPlainReporter(options: PlainReporterOptions = {}): (event: RunEvent) => void {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  let started = 0;
  return (event) => {
    switch (event.type) {
      case 'run': {
        write(`${event.app}: backend ${event.backend.name} (${event.backend.reason}); ${count(event.rows)} rows; tasks ${event.tasks.join(', ')}`);
        for (const [key, value] of Object.entries(event.details ?? {})) write(`  ${key}: ${value}`);
        break;
      }
      case 'stage':
        if (event.finished) {
          const counters = Object.entries(event.counters ?? {}).map(([k, v]) => `, ${k} ${count(v)}`).join('');
          const rate = event.rate === undefined ? '' : `, ${event.rate.toFixed(1)} ${event.unit}/s`;
          write(`${event.name}: ${count(event.done)} ${event.unit}${rate}${counters}`);
        }
        break;
      case 'start':
        started = performance.now();
        write(
          `training${event.label ? ` ${event.label}` : ''}: ${count(event.trainRows)} train rows, ${count(event.devRows)} dev rows, ${event.batchesPerEpoch} batch${event.batchesPerEpoch === 1 ? '' : 'es'} of ${event.batchSize}, ` +
            (event.startEpoch >= event.epochs ? `already at epoch ${event.startEpoch} of ${event.epochs}: nothing left to train` : `epochs ${event.startEpoch + 1}..${event.epochs}`),
        );
        write(`labelled: ${event.tasks.map((t) => `${t.name} ${count(t.labelled)}/${count(t.total)}`).join(', ')}`);
        break;
      case 'epoch': {
        const tasks = event.tasks.map((t) => `${t.name} acc ${fixed(t.accuracy, 3)} auc ${fixed(t.auc, 3)}`).join(' | ');
        const width = String(event.epochs).length;
        write(`epoch ${String(event.epoch).padStart(width)}/${event.epochs} loss ${fixed(event.trainLoss)} dev ${fixed(event.devLoss)} ${event.seconds.toFixed(2)}s${tasks ? ` | ${tasks}` : ''}`);
        break;
      }
      case 'nan':
        write(`ALERT: loss is NaN at epoch ${event.epoch}, batch ${event.batch}`);
        break;
      case 'stopped':
        write(`stopped after epoch ${event.epoch}: ${event.reason} (${duration((performance.now() - started) / 1000)})`);
        break;
      case 'end':
        write(`done: ${event.history.length} epochs in ${duration((performance.now() - started) / 1000)}`);
        break;
      case 'error':
        write(`error: ${event.message}`);
        break;
      case 'notice':
        write(`${event.level === 'warning' ? 'warning' : 'note'}: ${event.message}`);
        break;
      case 'batch':
      case 'panel':
      case 'paused':
      case 'resumed':
        break;
    }
  };
}
