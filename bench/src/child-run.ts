import { spawn } from 'node:child_process';

export type ChildOutcome<T> = { ok: true; result: T } | { ok: false; reason: string };

/** Reads the result out of a child's stdout; undefined when it has none. */
export type ResultParser<T> = (stdout: string) => T | undefined;

/** The `RESULT {json}` line our children and peers print. */
export function resultLine<T>(stdout: string): T | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  return line ? (JSON.parse(line.slice(7)) as T) : undefined;
}

/**
 * Runs a benchmark child and takes its result (by default its `RESULT {json}`
 * line). A `SKIP reason` line, a non-zero exit or a missing result becomes a
 * skip with the reason.
 */
export function runChild<T>(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { timeoutMs?: number; parse?: ResultParser<T> } = {},
): Promise<ChildOutcome<T>> {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const parse = options.parse ?? resultLine<T>;
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `${command} could not start: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stdout.split('\n');
      const skip = lines.find((l) => l.startsWith('SKIP '));
      if (skip) return resolve({ ok: false, reason: skip.slice(5) });
      const result = code === 0 ? parse(stdout) : undefined;
      if (result !== undefined) return resolve({ ok: true, result });
      const why = lastErrorLine(stderr) ?? `exit ${code ?? signal}`;
      resolve({ ok: false, reason: why });
    });
  });
}

function lastErrorLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /^(\w*Error|Error \[\w+\]): /.test(l)) ?? lines.at(-1);
}
