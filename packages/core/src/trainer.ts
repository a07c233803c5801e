import * as tf from '@tensorflow/tfjs';
import {
  type BestEpoch,
  type BestEpochOptions,
  BestEpochTracker,
  checkScorable,
  epochScore,
  planSelection,
  scoreLabel,
  type SelectionPlan,
} from './best-epoch.js';
import {
  bestEpochStateOf,
  type Checkpoint,
  type CheckpointOptions,
  prepareCheckpointDir,
  readCheckpoint,
  restoreCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
import { denseChainStep, type DenseChainStep, hostMaskedBceGradient, type LossGradient, tapeLossGradient } from './dense-chain-step.js';
import { dropoutLayers, dropoutSeedStream, keepDropoutSeeds, seedDropout } from './dropout-seeds.js';
import { FusedAdamOptimizer } from './fused-adam.js';
import { HostChain } from './host-chain.js';
import { hostMemoryBackend } from './host-memory.js';
import { maskedBceWithGradient, maskedBinaryCrossentropy, type MaskedLossOptions } from './masked-loss.js';
import { maskedMetrics } from './masked-metrics.js';
import { labelledCounts, type Matrix, positiveCounts } from './matrix.js';
import { predictProbabilities } from './predict.js';
import { createRng, permutation, type Rng } from './rng.js';
import { ShuffledBatches } from './shuffled-batches.js';
import { nonzeroShare, SPARSE_INPUT_SHARE } from './sparse-rows.js';
import { checkTfjsInternals, plainPathNotice } from './tfjs-internals-guard.js';
import type { EpochRecord, TrainerEvent, TrainerEventListener } from './trainer-events.js';
import { TrainingControl } from './training-control.js';
import { UserError } from './user-error.js';
import { useFastWasmKernels } from './wasm-kernels.js';

export interface Dataset {
  x: Matrix;
  /** rows x tasks, -1 where a label is missing. */
  y: Matrix;
}

export interface TrainOptions {
  taskNames: readonly string[];
  epochs: number;
  batchSize: number;
  learningRate?: number;
  /** Seeds the batch order. */
  seed?: number;
  loss?: MaskedLossOptions;
  /** Replaces the masked loss (e.g. the naive loss of a comparison). Dev loss stays masked. */
  lossFunction?: LossFunction;
  /** Evaluated after every epoch. */
  dev?: Dataset;
  control?: TrainingControl;
  onEvent?: TrainerEventListener;
  /** Write a checkpoint after every epoch, and optionally resume from it. */
  checkpoint?: CheckpointOptions;
  /** What this model is, when a run trains several (e.g. one variant of a comparison); shown by reporters. */
  label?: string;
  /**
   * Fewest positive and fewest negative training labels a task needs to count as
   * trained (default 0: only a task without any label is untrained). A head that
   * saw two positives has learnt nothing worth a score; it is reported untrained.
   */
  minLabelsPerClass?: number;
  /**
   * Let the first layer of a plain Dense chain work on the nonzero inputs only
   * (gathering kernel rows forward, scatter-adding its gradient backward) when at
   * most SPARSE_INPUT_SHARE of the training values are nonzero, e.g. fingerprint
   * bits (default true; wasm and cpu backends). Results agree with the dense
   * product to float32 rounding; runs stay deterministic and resume exactly.
   */
  sparseInput?: boolean;
  /**
   * Train a plain Dense chain (relu or linear hidden layers, sigmoid output, no
   * dropout, at most 512 wide, dense inputs) under the default masked loss with
   * one WebAssembly call per batch, on two threads when batches are big
   * (host-chain.ts; default true; wasm and cpu backends). Adam's update is
   * tfjs' bit for bit and the gradients agree with tfjs' to float32 rounding;
   * the same results on one thread or two, deterministic, exact resume.
   */
  hostChain?: boolean;
  /** Called after each epoch's event, e.g. to write a checkpoint. */
  afterEpoch?: (record: EpochRecord, model: tf.LayersModel) => void | Promise<void>;
  /**
   * Keep the weights of the epoch with the best dev score and end with them
   * (when training finishes, is stopped, or `patience` epochs bring nothing
   * better). Needs dev rows (or `holdout`); without them it does nothing and
   * says so in a notice.
   */
  bestEpoch?: BestEpochOptions;
}

export type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

export interface TrainResult {
  history: EpochRecord[];
  /** Tasks with no label in the training rows, or fewer of a class than `minLabelsPerClass`: their heads are untrained. */
  untrainedTasks: string[];
  /** Present when training ended early on request. */
  stopped?: { epoch: number; reason: string };
  /** With `bestEpoch`: the epoch whose weights the model now has (absent when no epoch could be scored). */
  bestEpoch?: BestEpoch;
  /** With `bestEpoch.patience`: training ended after `epoch` because `patience` epochs in a row brought no better score. */
  stoppedEarly?: { epoch: number; patience: number };
}

/** Training produced a non-finite loss; the model's weights are no longer meaningful. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly epoch: number,
    readonly batch: number,
  ) {
    super(
      `the training loss became NaN or infinite at epoch ${epoch}, batch ${batch}. Lower the learning rate, check the inputs for NaN/Infinity, or scale the features.`,
    );
    this.name = 'NonFiniteLossError';
  }
}

/**
 * Mini-batch training with the masked loss and Adam. Emits typed events, checks
 * for NaN after every batch, honours pause/stop between batches, and evaluates
 * the dev rows after every epoch. Its fast paths run only on the tfjs release
 * they were verified against; on any other it trains on tfjs' tape with
 * `tf.train.adam` and says so in a notice.
 */
export async function trainMultiTask(model: tf.LayersModel, train: Dataset, options: TrainOptions): Promise<TrainResult> {
  const emit = options.onEvent ?? (() => {});
  try {
    return await runTraining(model, train, options, emit);
  } catch (error) {
    emit({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

async function runTraining(model: tf.LayersModel, allTrain: Dataset, options: TrainOptions, emit: (e: TrainerEvent) => void): Promise<TrainResult> {
  validateShapes(model, allTrain, options);
  const least = options.minLabelsPerClass ?? 0;
  const selection = selectionPlan(allTrain, options, least);
  const train = selection.train;
  const control = options.control ?? new TrainingControl();
  const rng = createRng(options.seed ?? 0);
  if (options.checkpoint && !options.checkpoint.resume) prepareCheckpointDir(options.checkpoint.path);
  // The fast paths lean on tfjs internals: only on the release they were verified against.
  const internals = checkTfjsInternals();
  const learningRate = options.learningRate ?? 0.001;
  const optimizer = internals.verified ? new FusedAdamOptimizer(learningRate) : tf.train.adam(learningRate);
  const rows = train.x.rows;
  const batches = Math.ceil(rows / options.batchSize);
  const resumed = await resumeFrom(options.checkpoint, model, optimizer);
  const startEpoch = resumed?.epoch ?? 0;
  const counts = labelledCounts(train.y);
  const positives = positiveCounts(train.y);
  const history: EpochRecord[] = resumed ? [...resumed.history] : [];
  const thin = (i: number) => isThin(counts[i]!, positives[i]!, least);
  const untrainedTasks = options.taskNames.filter((_, i) => thin(i));
  const lossFunction: LossFunction = options.lossFunction ?? ((yTrue, yPred) => maskedBinaryCrossentropy(yTrue, yPred, options.loss));
  emit({
    type: 'start',
    ...(options.label ? { label: options.label } : {}),
    epochs: options.epochs,
    startEpoch,
    batchesPerEpoch: batches,
    batchSize: options.batchSize,
    trainRows: rows,
    devRows: options.dev?.x.rows ?? 0,
    tasks: options.taskNames.map((name, i) => ({ name, labelled: counts[i]!, total: rows })),
  });
  if (!internals.verified) emit(plainPathNotice(internals));
  for (const [i, task] of options.taskNames.entries()) {
    if (!thin(i)) continue;
    const what =
      counts[i] === 0
        ? 'has no labels in the training rows'
        : `has ${positives[i]} positive and ${counts[i]! - positives[i]!} negative training labels, fewer than ${least} of a class`;
    emit({ type: 'notice', level: 'warning', message: `task ${task} ${what}: the other tasks train, ${task} is reported as untrained` });
  }
  if (selection.notice) emit({ type: 'notice', ...selection.notice, message: labelled(options, selection.notice.message) });
  let best: BestEpochTracker | undefined;
  let stoppedEarly: TrainResult['stoppedEarly'];
  const nextDropoutSeed = dropoutSeedStream(options.seed ?? 0);
  skipFinishedEpochs({ epochs: startEpoch, rows, batches, shuffleRng: rng, nextDropoutSeed });

  if (internals.verified && tf.getBackend() === 'wasm') useFastWasmKernels();
  const dropouts = dropoutLayers(model);
  const restoreDropoutSeeds = keepDropoutSeeds(dropouts);
  const chainStep = internals.verified ? fastStep({ model, options, lossFunction, train }) : undefined;
  const hostChain = chainStep?.onHost && !chainStep.sparseInput && options.hostChain !== false ? HostChain.create(model, train, options) : undefined;
  const sparseInput = chainStep?.sparseInput ?? false;
  const shuffled = hostChain ? undefined : new ShuffledBatches(train.x, train.y, { sparseFeatures: sparseInput });
  try {
    if (selection.on && options.bestEpoch) best = bestEpochTracker({ options: options.bestEpoch, resumed, model, measure, emit });
    for (let epoch = startEpoch + 1; epoch <= options.epochs; epoch++) {
      if (best?.patienceRanOut) {
        stoppedEarly = { epoch: epoch - 1, patience: options.bestEpoch!.patience! };
        emit({ type: 'notice', level: 'info', message: labelled(options, patienceMessage(options, stoppedEarly, best.state.epoch)) });
        break;
      }
      const started = performance.now();
      const order = permutation(rows, rng);
      if (hostChain) {
        // The chain takes the weights and Adam's state for the epoch and gives them back at its end.
        hostChain.pull(optimizer);
        hostChain.order(order);
      } else shuffled!.reorder(order);
      let lossSum = 0;
      for (let batch = 0; batch < batches; batch++) {
        if (control.paused) {
          emit({ type: 'paused', epoch });
          await control.waitWhilePaused();
          if (!control.stopRequested) emit({ type: 'resumed', epoch });
        }
        if (control.stopRequested) {
          hostChain?.push(optimizer);
          return stop(epoch - 1);
        }
        const start = batch * options.batchSize;
        const end = Math.min(rows, start + options.batchSize);
        const dropoutSeed = nextDropoutSeed();
        const loss = hostChain
          ? hostChain.step(start, end, optimizer)
          : trainStep({ model, optimizer, batch: { rows: shuffled!, start, end }, lossFunction, chainStep, dropout: { layers: dropouts, seed: dropoutSeed } });
        if (!Number.isFinite(loss)) {
          emit({ type: 'nan', epoch, batch: batch + 1 });
          throw new NonFiniteLossError(epoch, batch + 1);
        }
        lossSum += loss * (end - start);
        emit({ type: 'batch', epoch, batch: batch + 1, batches, loss, samples: end - start });
        // Let key presses and signals through between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      hostChain?.push(optimizer);
      const seconds = (performance.now() - started) / 1000;
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / rows,
        ...evaluate(model, options.dev, options, { hostChain, sparseInput }),
        seconds,
        samplesPerSecond: rows / seconds,
      };
      history.push(record);
      emit({ type: 'epoch', epochs: options.epochs, ...record });
      best?.observe({ epoch, score: selection.on!.kind === 'dev' ? measure(record) : measure(), model });
      if (options.checkpoint) {
        await writeCheckpoint({ ...options.checkpoint, model, optimizer, epoch, history, ...(best ? { best: best.state } : {}) });
      }
      await options.afterEpoch?.(record, model);
    }
    if (control.stopRequested) return stop(options.epochs);
    const bestEpoch = restoreBest();
    emit({ type: 'end', history });
    return { history, untrainedTasks, ...(bestEpoch ? { bestEpoch } : {}), ...(stoppedEarly ? { stoppedEarly } : {}) };
  } finally {
    hostChain?.dispose();
    optimizer.dispose();
    restoreDropoutSeeds();
  }

  /** The score of the weights the model has now (or of an epoch's record on the dev rows), on the rows the epoch is chosen on. */
  function measure(record?: Pick<EpochRecord, 'devLoss' | 'tasks'>): number | null {
    const measured = record ?? evaluate(model, selection.on!.data, options, { sparseInput });
    return epochScore({ metric: options.bestEpoch!.metric, ...measured, ignore: untrainedTasks });
  }

  /** Puts the best epoch's weights back into the model, and says so. */
  function restoreBest(): BestEpoch | undefined {
    if (!best || !selection.on) return undefined;
    const { epoch, score } = best.state;
    if (epoch === 0 || score === null) {
      emit({ type: 'notice', level: 'warning', message: labelled(options, 'best epoch: no epoch had a score; the model keeps its last weights') });
      return undefined;
    }
    best.restore(model);
    const trained = history.length;
    const what = `${scoreLabel(options.bestEpoch!.metric, selection.on.kind)} ${score.toFixed(4)}`;
    const message = epoch === trained ? `kept epoch ${epoch} of ${trained}, the best: ${what}` : `restored epoch ${epoch} of ${trained}: ${what}`;
    emit({ type: 'notice', level: 'info', message: labelled(options, message) });
    return { epoch, metric: options.bestEpoch!.metric, score, selectedOn: selection.on.kind, rows: selection.on.data.x.rows };
  }

  function stop(epoch: number): TrainResult {
    const reason = control.stopReason ?? 'stop requested';
    const bestEpoch = restoreBest();
    emit({ type: 'stopped', epoch, reason, history });
    return { history, untrainedTasks, stopped: { epoch, reason }, ...(bestEpoch ? { bestEpoch } : {}) };
  }
}

/** A task with no label, or fewer positives or negatives than `least`, is reported untrained. */
function isThin(labelled: number, positives: number, least: number): boolean {
  return labelled === 0 || positives < least || labelled - positives < least;
}

/** Where the best epoch is chosen (dev rows or held-out training rows), or nowhere, with the notice that says why. */
function selectionPlan(train: Dataset, options: TrainOptions, least: number): SelectionPlan {
  if (!options.bestEpoch) return { train };
  const plan = planSelection({ train, dev: options.dev, bestEpoch: options.bestEpoch, seed: options.seed ?? 0 });
  const counts = labelledCounts(train.y);
  const positives = positiveCounts(train.y);
  return checkScorable({ plan, train, metric: options.bestEpoch.metric, ignore: (i) => isThin(counts[i]!, positives[i]!, least) });
}

/**
 * The tracker, continued from a checkpoint's state when it has one. A checkpoint
 * written without it starts the choice at the resumed epoch, whose weights the
 * model has: the epochs before it can no longer be chosen.
 */
function bestEpochTracker(input: {
  options: BestEpochOptions;
  resumed: Checkpoint | undefined;
  model: tf.LayersModel;
  measure: () => number | null;
  emit: (e: TrainerEvent) => void;
}): BestEpochTracker {
  const { options, resumed, model } = input;
  const tracker = { metric: options.metric, ...(options.patience ? { patience: options.patience } : {}) };
  if (!resumed) return new BestEpochTracker(tracker);
  const state = bestEpochStateOf(resumed, model);
  if (state && state.metric !== options.metric) {
    throw new UserError(
      `--resume: the checkpoint chose its best epoch by ${state.metric}, this run by ${options.metric}. Resume with the same setting, or start over without --resume.`,
    );
  }
  if (state) return new BestEpochTracker({ ...tracker, state });
  input.emit({
    type: 'notice',
    level: 'warning',
    message: `best epoch: the checkpoint has no best-epoch state; choosing among epochs ${resumed.epoch} to the end (the earlier ones cannot be restored)`,
  });
  const fresh = new BestEpochTracker(tracker);
  fresh.observe({ epoch: resumed.epoch, score: input.measure(), model });
  return fresh;
}

function patienceMessage(options: TrainOptions, stoppedEarly: NonNullable<TrainResult['stoppedEarly']>, bestEpoch: number): string {
  const { metric, holdout } = options.bestEpoch!;
  const what = scoreLabel(metric, holdout === undefined ? 'dev' : 'holdout');
  return `early stop after epoch ${stoppedEarly.epoch} of ${options.epochs}: no better ${what} in ${stoppedEarly.patience} epochs since epoch ${bestEpoch}`;
}

/** A notice of one model among several (a comparison's variant) names it. */
function labelled(options: TrainOptions, message: string): string {
  return options.label ? `${options.label}: ${message}` : message;
}

/**
 * Draws what the finished epochs of a resumed run drew, and drops it: each
 * epoch's shuffle and the dropout seed of each of its steps. The epochs that
 * follow then see the batch order and dropout masks of an uninterrupted run.
 */
function skipFinishedEpochs(options: { epochs: number; rows: number; batches: number; shuffleRng: Rng; nextDropoutSeed: () => number }): void {
  for (let e = 0; e < options.epochs; e++) {
    permutation(options.rows, options.shuffleRng);
    for (let b = 0; b < options.batches; b++) options.nextDropoutSeed();
  }
}

/** Loads and applies the checkpoint when resuming; on failure the optimizer is freed before the error goes up. */
async function resumeFrom(checkpoint: CheckpointOptions | undefined, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<Checkpoint | undefined> {
  if (!checkpoint?.resume) return undefined;
  try {
    const saved = readCheckpoint(checkpoint.path, checkpoint.fingerprint);
    await restoreCheckpoint(saved, model, optimizer);
    return saved;
  } catch (error) {
    optimizer.dispose();
    throw error;
  }
}

interface FastStep {
  step: DenseChainStep;
  lossGradient: LossGradient;
  /** The default masked loss, computed on the host (wasm or cpu). */
  onHost: boolean;
  /** Batches go in as their nonzero entries, to the sparse first layer. */
  sparseInput: boolean;
}

/**
 * A plain Dense chain (the builder's models) backpropagates without tfjs' tape;
 * with the default masked loss on wasm or cpu, the loss and its gradient are
 * computed on the host, and sparse enough inputs take the sparse first layer.
 * Undefined (use `minimize`) for any other model.
 */
function fastStep(input: { model: tf.LayersModel; options: TrainOptions; lossFunction: LossFunction; train: Dataset }): FastStep | undefined {
  const { options } = input;
  const step = denseChainStep(input.model);
  if (!step) return undefined;
  const host = hostMemoryBackend() !== undefined;
  const onHost = host && !options.lossFunction && !options.loss?.fromLogits;
  const sparseInput = host && options.sparseInput !== false && nonzeroShare(input.train.x) <= SPARSE_INPUT_SHARE;
  return { step, lossGradient: onHost ? hostMaskedBceGradient(options.loss) : tapeLossGradient(input.lossFunction), onHost, sparseInput };
}

interface StepOptions {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** Rows [start, end) of the epoch's order. */
  batch: { rows: ShuffledBatches; start: number; end: number };
  lossFunction: LossFunction;
  /** The fast step, when the model and tfjs allow it; otherwise the tape (`minimize`). */
  chainStep: FastStep | undefined;
  dropout: { layers: readonly tf.layers.Layer[]; seed: number };
}

/** One optimizer step on one batch; returns the batch's loss. */
function trainStep({ model, optimizer, batch, lossFunction, chainStep, dropout }: StepOptions): number {
  return tf.tidy(() => {
    if (chainStep?.sparseInput) {
      const { xs, yb } = batch.rows.sparseBatch(batch.start, batch.end);
      const { loss, grads } = chainStep.step(xs, yb, chainStep.lossGradient, dropout.seed);
      optimizer.applyGradients(grads);
      return loss;
    }
    const { xb, yb } = batch.rows.batch(batch.start, batch.end);
    if (chainStep) {
      const { loss, grads } = chainStep.step(xb, yb, chainStep.lossGradient, dropout.seed);
      optimizer.applyGradients(grads);
      return loss;
    }
    seedDropout(dropout.layers, dropout.seed);
    const loss = optimizer.minimize(() => lossFunction(yb, model.apply(xb, { training: true }) as tf.Tensor), true)!;
    return loss.dataSync()[0]!;
  });
}

/**
 * Dev loss and metrics of the model's weights: through the host chain when
 * training uses one (its weights are the model's after `push`), otherwise
 * with the sparse first layer exactly when training took it (no scan of the dev rows each epoch).
 */
function evaluate(
  model: tf.LayersModel,
  dev: Dataset | undefined,
  options: TrainOptions,
  paths: { hostChain?: HostChain | undefined; sparseInput: boolean },
): Pick<EpochRecord, 'devLoss' | 'tasks'> {
  if (!dev || dev.x.rows === 0) return { devLoss: null, tasks: [] };
  const probs = paths.hostChain ? paths.hostChain.predict(dev.x) : predictProbabilities(model, dev.x, { sparseInput: paths.sparseInput });
  const devLoss = options.loss?.fromLogits
    ? tf.tidy(
        () =>
          maskedBinaryCrossentropy(
            tf.tensor2d(dev.y.data, [dev.y.rows, dev.y.cols]),
            tf.tensor2d(probs.data, [probs.rows, probs.cols]),
            options.loss,
          ).dataSync()[0]!,
      )
    : maskedBceWithGradient(dev.y.data, probs.data, probs.cols, options.loss).loss;
  return { devLoss, tasks: maskedMetrics(dev.y, probs, options.taskNames) };
}

function validateShapes(model: tf.LayersModel, train: Dataset, options: TrainOptions): void {
  if (train.x.rows !== train.y.rows) throw new Error(`${train.x.rows} feature rows but ${train.y.rows} label rows`);
  if (train.x.rows === 0) throw new Error('no training rows');
  if (train.y.cols !== options.taskNames.length) throw new Error(`${train.y.cols} label columns but ${options.taskNames.length} task names`);
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new Error(`batch size must be a positive integer, got ${options.batchSize}`);
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new Error(`epochs must be a positive integer, got ${options.epochs}`);
  const inputShape = model.inputs[0]!.shape;
  if (inputShape[inputShape.length - 1] !== train.x.cols)
    throw new Error(`the model expects ${inputShape[inputShape.length - 1]} features but the data has ${train.x.cols}`);
}
