import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PEAK_RSS = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'peak-rss.js')).href;

export interface TimedRun {
  code: number | null;
  seconds: number;
  peakRssMb: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs `node script args` with the peak-RSS probe; wall time, peak RSS and output (`echo`: the child's stdout also goes to our stderr as it comes). */
export function timedNode(script: string, args: string[], env: NodeJS.ProcessEnv = {}, options: { echo?: boolean } = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PEAK_RSS, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      // A run of many minutes shows its own progress lines.
      if (options.echo) process.stderr.write(c);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const kb = /PEAK_RSS_KB (\d+)/.exec(stderr)?.[1];
      resolve({ code, seconds: (performance.now() - started) / 1000, peakRssMb: kb ? Number(kb) / 1024 : undefined, stdout, stderr });
    });
  });
}

export function lastLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' / ');
}
