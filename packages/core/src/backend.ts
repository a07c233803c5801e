import * as tf from '@tensorflow/tfjs';
import { UserError } from './user-error.js';

export const BACKENDS = ['auto', 'node', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKENDS)[number];
export type BackendName = Exclude<BackendRequest, 'auto'>;

/** Environment variable that forces a backend when no flag is given. */
export const BACKEND_ENV = 'MTL_BACKEND';

export interface ActiveBackend {
  name: BackendName;
  /** Why this backend: what was asked for and what was tried. */
  reason: string;
}

const TFJS_NAME: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

const INSTALL_HINT: Record<BackendName, string> = {
  node: 'Install it with `npm install @tensorflow/tfjs-node` on a machine that can download libtensorflow, or use --backend auto.',
  wasm: 'Reinstall with `npm ci`, or use --backend cpu.',
  cpu: 'Reinstall with `npm ci`.',
};

let active: ActiveBackend | undefined;

export function isBackendRequest(value: string): value is BackendRequest {
  return (BACKENDS as readonly string[]).includes(value);
}

/**
 * Chooses and activates the TensorFlow.js backend. `auto` tries tfjs-node
 * (native TensorFlow), then wasm (SIMD), then the pure-JS cpu backend. A flag
 * value beats the MTL_BACKEND variable, which beats `auto`. A forced backend
 * that cannot load is an error, not a silent fallback.
 */
export async function loadBackend(requested?: BackendRequest, env: NodeJS.ProcessEnv = process.env): Promise<ActiveBackend> {
  const fromEnv = env[BACKEND_ENV];
  if (requested === undefined && fromEnv !== undefined && !isBackendRequest(fromEnv)) {
    throw new UserError(`${BACKEND_ENV}=${fromEnv} is not a backend; use one of ${BACKENDS.join(', ')}`);
  }
  const choice: BackendRequest = requested ?? (fromEnv as BackendRequest | undefined) ?? 'auto';
  const source = requested !== undefined ? `--backend ${choice}` : fromEnv !== undefined ? `${BACKEND_ENV}=${choice}` : 'auto';
  if (choice !== 'auto') {
    const failure = await tryBackend(choice);
    if (failure) throw new UserError(`backend "${choice}" (from ${source}) is not available: ${failure}. ${INSTALL_HINT[choice]}`);
    return (active = { name: choice, reason: `forced by ${source}` });
  }
  const skipped: string[] = [];
  for (const name of ['node', 'wasm', 'cpu'] as const) {
    const failure = await tryBackend(name);
    if (!failure) {
      const reason = skipped.length === 0 ? 'auto: fastest available' : `auto: ${skipped.join('; ')}`;
      return (active = { name, reason });
    }
    skipped.push(`${name} unavailable (${failure})`);
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

/** The backend chosen by the last `loadBackend`, if any. */
export function activeBackend(): ActiveBackend | undefined {
  return active;
}

/** Returns why the backend cannot be used, or undefined once it is active. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    if (name === 'node') await import('@tensorflow/tfjs-node' as string);
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return name === 'node' ? '@tensorflow/tfjs-node is not installed or its native library failed to load' : firstLine(error);
  }
  try {
    // setBackend resolves false (it does not throw) when initialisation fails.
    const ok = await tf.setBackend(TFJS_NAME[name]);
    if (!ok) return `tf.setBackend('${TFJS_NAME[name]}') returned false`;
    await tf.ready();
    if (name === 'cpu') {
      // The cpu backend's first write prints an install-tfjs-node banner; the
      // loader already says which backend runs and why, so silence it.
      (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    }
    return undefined;
  } catch (error) {
    return firstLine(error);
  }
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!;
}
