import { TrainingControl } from '@mtl/core';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReporter } from './reporter.js';
import { normalRun } from './test-events.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A terminal's stdin in raw mode, as Ink reads it: Ctrl-C arrives as the byte 0x03, not as SIGINT. */
class RawStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit('readable');
  }
  read(): string | null {
    const data = this.data;
    this.data = null;
    return data;
  }
  setRawMode(): void {}
  setEncoding(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

function terminal(): { stdout: NodeJS.WriteStream; stdin: RawStdin } {
  const stdout = Object.assign(new EventEmitter(), { isTTY: true, columns: 100, rows: 40, write: () => true });
  return { stdout: stdout as unknown as NodeJS.WriteStream, stdin: new RawStdin() };
}

describe('createReporter interrupts', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // The experiment kit owns SIGINT and SIGTERM and passes handleSignals: false; in raw mode the terminal sends
  // Ctrl-C to the dashboard as a key, so the dashboard alone must still stop gracefully, then quit.
  it("with handleSignals false, leaves SIGINT alone but the live screen's Ctrl-C still stops, and a second exits 130", async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const control = new TrainingControl();
    const { stdout, stdin } = terminal();
    const reporter = createReporter({ app: 'toy', live: true, control, stdout, stdin: stdin as unknown as NodeJS.ReadStream, handleSignals: false, env: {} });
    for (const e of normalRun(1)) reporter.onEvent(e);
    await tick();
    stdin.write('\x03');
    await tick();
    expect(control.stopReason).toBe('SIGINT (Ctrl-C)');
    expect(exit).not.toHaveBeenCalled();
    stdin.write('\x03');
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(130));
    await reporter.close();
  });

  it('adds its own SIGINT listener to a live screen only with handleSignals', async () => {
    const listeners = async (handleSignals: boolean) => {
      const { stdout, stdin } = terminal();
      const reporter = createReporter({
        app: 'toy',
        live: true,
        control: new TrainingControl(),
        stdout,
        stdin: stdin as unknown as NodeJS.ReadStream,
        handleSignals,
        env: {},
      });
      // Ink adds one of its own (signal-exit, to restore the terminal), with or without ours.
      const count = process.listenerCount('SIGINT');
      await reporter.close();
      return count;
    };
    const without = await listeners(false);
    expect(await listeners(true)).toBe(without + 1);
  });

  it('with handleSignals (the default), the first SIGINT stops gracefully, a second exits 130, and close lets go', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const sigints = process.listenerCount('SIGINT');
    const control = new TrainingControl();
    const reporter = createReporter({ app: 'toy', live: false, control, write: () => {}, env: {} });
    expect(process.listenerCount('SIGINT')).toBe(sigints + 1);
    process.emit('SIGINT');
    expect(control.stopReason).toBe('SIGINT received');
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
    await reporter.close();
    expect(process.listenerCount('SIGINT')).toBe(sigints);
  });
});
