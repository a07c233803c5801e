import * as tf from '@tensorflow/tfjs';
import { UserError } from './user-error.js';

export const BACKENDS = ['auto', 'node', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKENDS)[number];
export type BackendName = Exclude<BackendRequest, 'auto'>;

/** Environment variable that forces a backend when the caller requests none. */
export const BACKEND_ENV = 'MTL_BACKEND';

export interface ActiveBackend {
  name: BackendName;
  /** Why this backend: what was asked for and what was tried. */
  reason: string;
}

const TFJS_NAME: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

const INSTALL_HINT: Record<BackendName, string> = {
  node: 'Install it with `npm install @tensorflow/tfjs-node` on a machine that can download libtensorflow, or request auto to use the fastest backend that starts.',
  wasm: 'Reinstall with `npm ci`, or request the cpu backend.',
  cpu: 'Reinstall with `npm ci`.',
};

export interface LoadBackendOptions {
  /** The backend asked for; beats the MTL_BACKEND variable. Neither: `auto`. */
  request?: BackendRequest;
  /**
   * Where `request` came from, as the user wrote it (e.g. `--backend wasm`):
   * messages name it so the user knows what to change. The library knows no flags.
   */
  requestedBy?: string;
  /** Read for MTL_BACKEND; `process.env` unless given. */
  env?: NodeJS.ProcessEnv;
}

export function isBackendRequest(value: string): value is BackendRequest {
  return (BACKENDS as readonly string[]).includes(value);
}

/**
 * Chooses and activates the TensorFlow.js backend. `auto` tries tfjs-node
 * (native TensorFlow), then wasm (SIMD), then the pure-JS cpu backend. The
 * caller's request beats the MTL_BACKEND variable, which beats `auto`. A forced
 * backend that cannot load is an error, not a silent fallback.
 */
export async function loadBackend({ request, requestedBy, env = process.env }: LoadBackendOptions = {}): Promise<ActiveBackend> {
  const fromEnv = env[BACKEND_ENV];
  if (request === undefined && fromEnv !== undefined && !isBackendRequest(fromEnv)) {
    throw new UserError(`${BACKEND_ENV}=${fromEnv} is not a backend; use one of ${BACKENDS.join(', ')}`);
  }
  const choice: BackendRequest = request ?? (fromEnv as BackendRequest | undefined) ?? 'auto';
  if (choice === 'auto') return autoBackend();
  const source = request !== undefined ? requestedBy : `${BACKEND_ENV}=${choice}`;
  const failure = await tryBackend(choice);
  if (failure) throw new UserError(`backend "${choice}"${source ? ` (from ${source})` : ''} is not available: ${failure}. ${INSTALL_HINT[choice]}`);
  return { name: choice, reason: source ? `forced by ${source}` : 'requested' };
}

async function autoBackend(): Promise<ActiveBackend> {
  const skipped: string[] = [];
  for (const name of ['node', 'wasm', 'cpu'] as const) {
    const failure = await tryBackend(name);
    if (!failure) return { name, reason: skipped.length === 0 ? 'auto: fastest available' : `auto: ${skipped.join('; ')}` };
    skipped.push(`${name} unavailable (${failure})`);
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

// Typed `string` so that TypeScript imports it untyped: tfjs-node is an optional
// dependency, often not installed, and nothing here needs its types.
const TFJS_NODE: string = '@tensorflow/tfjs-node';

/** Returns why the backend cannot be used, or undefined once it is active. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    if (name === 'node') await import(TFJS_NODE);
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
