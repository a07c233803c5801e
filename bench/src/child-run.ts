import { spawn } from 'node:child_process';

export type ChildOutcome<T> = { ok: true; result: T } | { ok: false; reason: string };

/**
 * Runs a benchmark child and takes its `RESULT {json}` line. A `SKIP reason`
 * line, a non-zero exit or a missing result becomes a skip with the reason.
 */
export function runChild<T>(command: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 15 * 60_000): Promise<ChildOutcome<T>> {
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
      const result = lines.find((l) => l.startsWith('RESULT '));
      if (code === 0 && result) return resolve({ ok: true, result: JSON.parse(result.slice(7)) as T });
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
