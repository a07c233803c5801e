import type { TrainingControl } from '@mtl/core';
import { EXIT } from './cli-runner.js';

/**
 * One behaviour for SIGINT and SIGTERM in every app: the first asks the run to
 * stop after the current batch (outputs and checkpoint are then written), a
 * second ends the process at once with 128 + the signal's number.
 * Returns a function that removes the handlers.
 */
export function handleStopSignals(control: TrainingControl, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => {
      if (control.stopRequested) return exit(signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
      control.requestStop(`${signal} received`);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
