import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Log, MainModule, Mol } from '@rdkit/rdkit';
import { UserError } from '@mtl/core';

export type RDKitMol = Mol;

/** RDKit's WebAssembly build, loaded once per process. */
export interface RDKit {
  readonly module: MainModule;
  /** RDKit's own version, e.g. '2026.09.1': part of every feature cache key. */
  readonly version: string;
  /** The .wasm file the module was compiled from. */
  readonly wasmPath: string;
  /**
   * Forgets RDKit's earlier messages. Call it before parsing a molecule, then
   * `lastMessage` after a failed parse says why it failed.
   */
  clearMessages(): void;
  /** RDKit's latest message since `clearMessages` ("SMILES Parse Error: unclosed ring for input: 'C1CC'"), or undefined. */
  lastMessage(): string | undefined;
}

/** RDKit's WebAssembly file could not be found or compiled: an installation problem, not a data problem. */
export class RDKitLoadError extends UserError {
  readonly wasmPath: string | undefined;

  constructor(options: { reason: string; wasmPath?: string }) {
    super(
      `Could not load RDKit (npm package @rdkit/rdkit)${options.wasmPath ? ` from ${options.wasmPath}` : ''}: ${options.reason}. ` +
        'Reinstall the dependencies (npm install) so that @rdkit/rdkit and its RDKit_minimal.wasm are present.',
    );
    this.name = 'RDKitLoadError';
    this.wasmPath = options.wasmPath;
  }
}

type InitRDKitModule = (options: { locateFile: (file: string) => string; printErr?: (text: string) => void }) => Promise<MainModule>;

const require = createRequire(import.meta.url);
let loading: Promise<RDKit> | undefined;

/**
 * The RDKit module of this process. The first call compiles the .wasm (about
 * 0.2 s); later calls share it, so every featurisation of a run uses one
 * instance and one log capture.
 */
export function loadRDKit(): Promise<RDKit> {
  loading ??= instantiate().catch((error: unknown) => {
    // A failed load is not cached: a caller that fixes the install can try again in the same process.
    loading = undefined;
    throw error;
  });
  return loading;
}

async function instantiate(): Promise<RDKit> {
  let wasmPath: string;
  let initRDKitModule: InitRDKitModule;
  try {
    // The package is CommonJS whose typings declare only a default export; require gives the factory itself.
    initRDKitModule = require('@rdkit/rdkit') as InitRDKitModule;
    // Resolved from this file, not from the working directory, so the app runs from anywhere.
    wasmPath = require.resolve('@rdkit/rdkit/RDKit_minimal.wasm');
  } catch (error) {
    throw new RDKitLoadError({ reason: (error as Error).message.split('\n')[0] ?? String(error) });
  }
  if (!existsSync(wasmPath)) throw new RDKitLoadError({ reason: 'the .wasm file is missing', wasmPath });
  let module: MainModule;
  try {
    // locateFile points emscripten at the file on disk: in Node it then reads it, never fetches it.
    // printErr keeps emscripten's own complaints off the terminal, where they would break a live dashboard.
    module = await initRDKitModule({ locateFile: () => wasmPath, printErr: () => {} });
  } catch (error) {
    throw new RDKitLoadError({ reason: error instanceof Error ? error.message : String(error), wasmPath });
  }
  // Parse errors go to RDKit's log; capturing it in memory gives each invalid row its reason.
  const log: Log | null = module.set_log_capture('rdApp.*');
  return {
    module,
    version: module.version(),
    wasmPath,
    clearMessages: () => log?.clear_buffer(),
    lastMessage: () => lastLogLine(log?.get_buffer() ?? ''),
  };
}

/** The last non-empty line of RDKit's log, without its "[hh:mm:ss] " time stamp. */
function lastLogLine(buffer: string): string | undefined {
  const lines = buffer
    .split('\n')
    .map((line) => line.replace(/^\[\d\d:\d\d:\d\d\]\s*/, '').trim())
    .filter((line) => line !== '');
  return lines.at(-1);
}
