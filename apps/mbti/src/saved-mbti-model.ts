import { loadModel, type SavedModel, UserError } from '@mtl/core';
import { AXES } from './personality-type.js';
import { CLEANING_VERSION } from './post-cleaning.js';

/**
 * A model written by `mbti train`, checked against the encoder and cleaning in
 * use: vectors of another encoder would feed the heads numbers they never saw.
 */
export async function loadMbtiModel(dir: string, encoder: string, flag = '--model'): Promise<SavedModel> {
  const saved = await loadModel(dir, 'mbti');
  const { settings, taskNames } = saved.meta;
  if (taskNames.join(',') !== AXES.join(',')) {
    throw new UserError(`${flag} ${dir}: the model's heads are ${taskNames.join(', ')}, expected ${AXES.join(', ')}. Train again with this version.`);
  }
  if (settings['encoder'] !== encoder) {
    throw new UserError(
      `${flag} ${dir}: trained on sentence vectors of encoder ${String(settings['encoder'])}, but --model-dir gives ${encoder}. Use the same --model-dir as for training, or train again.`,
    );
  }
  if (settings['cleaningVersion'] !== CLEANING_VERSION) {
    throw new UserError(
      `${flag} ${dir}: trained with post cleaning v${String(settings['cleaningVersion'])}, this program cleans with v${CLEANING_VERSION}. Train again.`,
    );
  }
  return saved;
}
