import {
  buildMultiHeadModel,
  createMatrix,
  createRng,
  loadBackend,
  MISSING,
  predictProbabilities,
  trainMultiTask,
  type RunEventListener,
  type TrainingControl,
  type TrainResult,
} from '@mtl/core';

/** Three binary tasks over [0,1]^2, each with its own boundary, for the demo and the render-cost benchmark. */
const TASKS = [
  { name: 'diagonal', label: (x: number, y: number) => x > y },
  { name: 'circle', label: (x: number, y: number) => (x - 0.5) ** 2 + (y - 0.5) ** 2 < 0.09 },
  { name: 'band', label: (x: number, y: number) => Math.abs(x + y - 1) < 0.25 },
] as const;

export interface SyntheticRunOptions {
  rows?: number;
  epochs?: number;
  batchSize?: number;
  /** Share of labels dropped (set to -1). */
  missing?: number;
  /** Redraw the decision-region panels every this many epochs; 0 = never. */
  panelEvery?: number;
  /** Emit a fake preparation stage before training, to show stage progress. */
  stage?: boolean;
  /** How long the fake stage lasts; default 1 s. Over 10 s, the plain reporter prints its progress lines. */
  stageSeconds?: number;
  control: TrainingControl;
  onEvent: RunEventListener;
}

export async function runSyntheticTraining(options: SyntheticRunOptions): Promise<TrainResult> {
  const { control, onEvent } = options;
  const rows = options.rows ?? 4000;
  const missing = options.missing ?? 0.4;
  const backend = await loadBackend();
  onEvent({
    type: 'run',
    app: 'dashboard-demo',
    backend,
    rows,
    tasks: TASKS.map((t) => t.name),
    details: { data: 'synthetic [0,1]^2', missing: `${Math.round(missing * 100)}%` },
  });
  if (options.stage) await fakeStage(onEvent, options.stageSeconds ?? 1);
  const rng = createRng(7);
  const devRows = Math.floor(rows / 5);
  const make = (n: number, drop: number) => {
    const x = createMatrix(n, 2);
    const y = createMatrix(n, TASKS.length);
    for (let r = 0; r < n; r++) {
      const a = rng.next();
      const b = rng.next();
      x.data[2 * r] = a;
      x.data[2 * r + 1] = b;
      TASKS.forEach((t, k) => {
        y.data[r * TASKS.length + k] = rng.next() < drop ? MISSING : t.label(a, b) ? 1 : 0;
      });
    }
    return { x, y };
  };
  const train = make(rows - devRows, missing);
  const dev = make(devRows, 0);
  const model = buildMultiHeadModel({
    inputSize: 2,
    trunk: [
      { units: 32, activation: 'relu' },
      { units: 32, activation: 'relu' },
    ],
    heads: TASKS.map((t) => ({ name: t.name })),
    seed: 1,
  });
  const panelEvery = options.panelEvery ?? 0;
  try {
    return await trainMultiTask(model, train, {
      taskNames: TASKS.map((t) => t.name),
      epochs: options.epochs ?? 20,
      batchSize: options.batchSize ?? 32,
      learningRate: 0.01,
      seed: 3,
      dev,
      control,
      onEvent,
      afterEpoch: (record) => {
        if (panelEvery > 0 && (record.epoch % panelEvery === 0 || record.epoch === 1)) {
          for (const panel of decisionPanels(model, record.epoch)) onEvent(panel);
        }
      },
    });
  } finally {
    model.dispose();
  }
}

function decisionPanels(model: ReturnType<typeof buildMultiHeadModel>, epoch: number) {
  const cols = 24;
  const lines = 10;
  const grid = createMatrix(cols * lines, 2);
  for (let r = 0; r < lines; r++) {
    for (let c = 0; c < cols; c++) {
      grid.data[2 * (r * cols + c)] = (c + 0.5) / cols;
      grid.data[2 * (r * cols + c) + 1] = 1 - (r + 0.5) / lines;
    }
  }
  const probs = predictProbabilities(model, grid);
  return TASKS.map((t, k) => ({
    type: 'panel' as const,
    title: t.name,
    lines: [
      `epoch ${epoch}`,
      ...Array.from({ length: lines }, (_, r) =>
        Array.from({ length: cols }, (_, c) => {
          const p = probs.data[(r * cols + c) * TASKS.length + k]!;
          return p > 0.8 ? '█' : p > 0.5 ? '▓' : p > 0.2 ? '░' : ' ';
        }).join(''),
      ),
    ],
  }));
}

async function fakeStage(onEvent: RunEventListener, seconds: number): Promise<void> {
  const total = 600;
  const step = 25;
  const started = performance.now();
  for (let done = 0; done <= total; done += step) {
    const rate = done / Math.max(0.001, (performance.now() - started) / 1000);
    onEvent({ type: 'stage', name: 'preparing', done, total, unit: 'rows', rate, counters: { 'cache hits': Math.floor(done / 3) }, finished: done === total });
    if (done < total) await new Promise((resolve) => setTimeout(resolve, (seconds * 1000 * step) / total));
  }
}
