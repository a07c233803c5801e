// The public face of @mtl/core, grouped by concept. The fast paths that lean on
// tfjs internals are not here: they live behind `@mtl/core/internal`.

// Data and masking: label matrices with -1 for a missing label, seeded label dropping and splits.
export { createMatrix, labelledCounts, matrixFromRows, MISSING, positiveCounts, takeRows } from './matrix.js';
export { dropLabels } from './label-masking.js';
export { splitIndices } from './splits.js';
export { createRng, shuffleInPlace } from './rng.js';
export type { Matrix } from './matrix.js';
export type { DroppedLabels } from './label-masking.js';
export type { Split, SplitFractions } from './splits.js';
export type { Rng } from './rng.js';

// Loss: binary cross-entropy over the labelled entries only, for tensors or model.compile.
export { maskedBinaryCrossentropy, maskedLoss } from './masked-loss.js';
export type { MaskedLossOptions } from './masked-loss.js';

// Metrics: per task, on labelled entries only.
export { markUntrained, maskedMetrics, taskMetrics } from './masked-metrics.js';
export type { TaskMetrics } from './masked-metrics.js';

// Model building and prediction: a shared trunk with one sigmoid head per task.
export { buildMultiHeadModel } from './model-builder.js';
export { averageModels } from './model-averaging.js';
export { predictProbabilities } from './predict.js';
export type { PredictOptions } from './predict.js';
export type { Activation, DenseSpec, HeadSpec, MultiHeadSpec } from './model-builder.js';

// Training and events: the trainer, its pause/stop control, the comparison of variants, and what they report.
export { trainMultiTask } from './trainer.js';
export { SPARSE_INPUT_SHARE } from './sparse-rows.js';
export { TrainingControl } from './training-control.js';
export { trainVariants, VARIANTS } from './training-variants.js';
export { memberSeed, trainEnsemble } from './ensemble-training.js';
export type { Dataset, LossFunction, TrainOptions, TrainResult } from './trainer.js';
export type { BestEpoch, BestEpochMetric, BestEpochOptions } from './best-epoch.js';
export type { VariantName, VariantResult, VariantsInput } from './training-variants.js';
export type { EnsembleOptions, EnsembleResult } from './ensemble-training.js';
export type { EpochRecord, NoticeEvent, TaskSummary, TrainerEvent, TrainerEventListener } from './trainer-events.js';
export type { PanelEvent, RunEvent, RunEventListener, RunInfoEvent, StageEvent } from './run-events.js';

// Checkpoints and the model store: files written whole or not at all, and checked when read back.
export { loadModel, readModelMeta, saveModel } from './model-store.js';
export { writeFileAtomic, writeJsonAtomic } from './atomic-write.js';
export type { CheckpointOptions } from './checkpoint.js';
export type { ModelMeta, SavedModel } from './model-store.js';

// Backend: which TensorFlow.js backend runs, and why.
export { BACKEND_ENV, BACKENDS, isBackendRequest, loadBackend } from './backend.js';
export type { ActiveBackend, BackendName, BackendRequest, LoadBackendOptions } from './backend.js';

// Errors: typed, with messages meant for the user.
export { NonFiniteLossError } from './trainer.js';
export { UserError } from './user-error.js';

// TensorFlow.js itself, so that callers use the very instance (and backend) core uses.
export * as tf from '@tensorflow/tfjs';
