import { join } from 'node:path';
import { prepareOutputDir } from '@mtl/kit';
import {
  buildMultiHeadModel, loadBackend, maskedMetrics, predictProbabilities, type RunEventListener,
  saveModel, type TaskMetrics, tf, trainMultiTask, TrainingControl, trainVariants, writeJsonAtomic,
} from '@mtl/core';
import { EMBEDDING_SIZE } from '@mtl/embedding';
import { writeAxisMetricsPng } from './axis-metrics-chart.js';
import { embedCsv, type EmbeddingSettings } from './embedding-run.js';
import { positiveWeights, splitPeople, untrainedAxes, type MbtiSplits } from './mbti-dataset.js';
import { AXES } from './personality-type.js';
import { CLEANING_VERSION } from './post-cleaning.js';
import type { EmbeddingStats } from './person-vectors.js';

export interface TrainSettings extends EmbeddingSettings {
  data: string;
  epochs: number;
  seed: number;
  missingRate: number;
  out: string;
  compare: boolean;
  /** Continue from the checkpoint in `out`. */
  resume: boolean;
  batchSize: number;
  learningRate: number;
}

export interface MbtiResults {
  app: 'mbti';
  backend: string;
  data: string;
  encoder: string;
  settings: { epochs: number; seed: number; missingRate: number; batchSize: number; learningRate: number; positiveWeights: number[] };
  people: { total: number; train: number; dev: number; test: number; skippedInvalidType: number; skippedNoPosts: number };
  embedding: EmbeddingStats;
  /** Per axis on the test split. */
  tasks: TaskMetrics[];
  /** Axes without a single training label: their numbers mean nothing. */
  untrained: string[];
  variants?: Array<{ name: string; description?: string; trainRows?: number[]; tasks: TaskMetrics[] }>;
  stopped?: { epoch: number; reason: string };
  files: Record<string, string>;
}

/** The architecture every variant shares: one small trunk over the 512-d person vector, one sigmoid per axis. */
function buildModel(heads: readonly string[], seed: number): tf.LayersModel {
  return buildMultiHeadModel({ inputSize: EMBEDDING_SIZE, trunk: [{ units: 64, activation: 'relu', dropout: 0.25 }], heads: heads.map((name) => ({ name })), seed });
}

export async function runTraining(settings: TrainSettings, context: { onEvent: RunEventListener; control: TrainingControl; resumeHint: string }): Promise<MbtiResults> {
  const { onEvent, control } = context;
  const outDir = prepareOutputDir(settings.out);
  const backend = await loadBackend(settings.backend);
  onEvent({ type: 'notice', level: 'info', message: `backend ${backend.name} (${backend.reason}); reading ${settings.data}` });
  const { vectors, encoder } = await embedCsv(settings.data, settings, context);
  onEvent({
    type: 'run', app: 'mbti', backend, rows: vectors.types.length, tasks: [...AXES],
    details: { data: settings.data, encoder, 'missing rate': settings.missingRate, seed: settings.seed },
  });
  const splits = splitPeople(vectors.x, vectors.types, settings.seed, settings.missingRate);
  const weights = positiveWeights(splits.train.y);
  const untrained = untrainedAxes(splits.train.y);
  if (untrained.length > 0) {
    onEvent({ type: 'notice', level: 'warning', message: `axis ${untrained.join(', ')} has no label in the training rows: reported as untrained.` });
  }
  onEvent({
    type: 'notice', level: 'info',
    message: `${vectors.types.length} people: ${splits.split.train.length} train, ${splits.split.dev.length} dev, ${splits.split.test.length} test; positive weights ${AXES.map((a, i) => `${a} ${weights[i]!.toFixed(2)}`).join(', ')}`,
  });

  const training = {
    epochs: settings.epochs, batchSize: settings.batchSize, learningRate: settings.learningRate, seed: settings.seed, control,
    loss: { positiveWeights: weights },
  };
  const model = buildModel(AXES, settings.seed);
  // Everything a checkpoint depends on except --epochs, which may grow on --resume.
  const fingerprint = {
    app: 'mbti', data: settings.data, people: vectors.types.length, encoder, cleaningVersion: CLEANING_VERSION,
    seed: settings.seed, missingRate: settings.missingRate, batchSize: settings.batchSize, learningRate: settings.learningRate,
  };
  const result = await trainMultiTask(model, splits.train, {
    ...training, taskNames: AXES, dev: splits.dev, onEvent,
    checkpoint: { path: join(outDir, 'checkpoint.json'), fingerprint, resume: settings.resume },
  });
  const tasks = maskedMetrics(splits.test.y, predictProbabilities(model, splits.test.x), AXES);

  const files: Record<string, string> = { model: join(outDir, 'model'), chart: join(outDir, 'axis-metrics.png') };
  await saveModel(files.model!, model, {
    app: 'mbti', taskNames: AXES,
    settings: { encoder, embeddingSize: EMBEDDING_SIZE, cleaningVersion: CLEANING_VERSION, seed: settings.seed, missingRate: settings.missingRate, epochs: result.history.length },
  });
  model.dispose();
  await writeAxisMetricsPng(tasks, files.chart!, `MBTI axes, test split (${backend.name})`);

  let variants: MbtiResults['variants'];
  if (settings.compare && !control.stopRequested) {
    variants = [{ name: 'masked', tasks }, ...(await compareVariants(splits, training, settings.seed, onEvent))];
  }
  const results: MbtiResults = {
    app: 'mbti',
    backend: backend.name,
    data: settings.data,
    encoder,
    settings: { epochs: settings.epochs, seed: settings.seed, missingRate: settings.missingRate, batchSize: settings.batchSize, learningRate: settings.learningRate, positiveWeights: weights },
    people: {
      total: vectors.types.length, train: splits.split.train.length, dev: splits.split.dev.length, test: splits.split.test.length,
      skippedInvalidType: vectors.summary.invalidType.count, skippedNoPosts: vectors.summary.noPosts.count,
    },
    embedding: vectors.stats,
    tasks,
    untrained,
    ...(variants ? { variants } : {}),
    ...(result.stopped ? { stopped: result.stopped } : {}),
    files: { ...files, results: join(outDir, 'results.json') },
  };
  writeJsonAtomic(join(outDir, 'results.json'), results);
  return results;
}

/** The --compare variants, with the same positive weights (each single-task model gets its own axis's weight). */
async function compareVariants(
  splits: MbtiSplits,
  training: { epochs: number; batchSize: number; learningRate: number; seed: number; control: TrainingControl; loss: { positiveWeights: number[] } },
  seed: number,
  onEvent: RunEventListener,
): Promise<NonNullable<MbtiResults['variants']>> {
  const variants = await trainVariants({
    taskNames: AXES, train: splits.train, dev: splits.dev, test: splits.test,
    buildModel: (heads) => buildModel(heads, seed), training, variants: ['naive', 'complete-rows', 'single-task'], onEvent,
  });
  return variants.map((v) => ({ name: v.name, description: v.description, trainRows: v.trainRows, tasks: v.tasks }));
}
