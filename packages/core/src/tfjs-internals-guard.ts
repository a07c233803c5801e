import * as tf from '@tensorflow/tfjs';
import type { NoticeEvent } from './trainer-events.js';

/** The tfjs-core release whose internals the fast paths were written against and tested on. */
export const VERIFIED_TFJS_VERSION = '4.22.0';

export interface TfjsInternalsCheck {
  /** The fast paths may run: the installed release is the verified one. */
  verified: boolean;
  /** The tfjs-core version installed (or the one given to the check). */
  installed: string;
  verifiedVersion: string;
}

/**
 * Whether the installed tfjs-core is the release the fast paths (fused Adam,
 * the dense-chain step, the masked loss on the host, the wasm kernels) were
 * verified against. They read private fields and mirror the kernels and
 * gradient order of that release; another release may rename a field or
 * reorder a gradient and train something subtly different without an error,
 * so anything but an exact match takes the plain path.
 */
export function checkTfjsInternals(options: { installed?: string } = {}): TfjsInternalsCheck {
  const installed = options.installed ?? tf.version_core;
  return { verified: installed === VERIFIED_TFJS_VERSION, installed, verifiedVersion: VERIFIED_TFJS_VERSION };
}

/** What the trainer tells the user when the check fails: the run is correct, only slower. */
export function plainPathNotice(check: TfjsInternalsCheck): NoticeEvent {
  return {
    type: 'notice',
    level: 'info',
    message:
      `tfjs-core ${check.installed} is installed, but the trainer's fast paths were verified against ${check.verifiedVersion} only: ` +
      `training on tfjs' plain tape path with tf.train.adam instead (correct, only slower). Install @tensorflow/tfjs ${check.verifiedVersion} to get them back.`,
  };
}
