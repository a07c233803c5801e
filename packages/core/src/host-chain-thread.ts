import { Worker } from 'node:worker_threads';

/** Where the second thread's instance finds things: byte offsets in the kernel's memory, and sizes. */
export interface ThreadLayout {
  chain: number;
  weights: number;
  grad: number;
  ids: number;
  params: number;
  rows: number;
}

interface ThreadData {
  module: object;
  image: ArrayBuffer;
  layout: ThreadLayout;
  control: SharedArrayBuffer;
  numbers: SharedArrayBuffer;
  weights: SharedArrayBuffer;
  grad: SharedArrayBuffer;
  ids: SharedArrayBuffer;
  message: SharedArrayBuffer;
}

// Control words (Int32 indices in `control`) and commands; threadMain keeps its own copy (it runs from its source text).
const [SEQ, DONE, COMMAND, START, COUNT, FAILED, READY] = [0, 1, 2, 3, 4, 5, 6];
const [GRADIENT, ORDER, QUIT] = [1, 2, 3];
/** How long the main thread waits for a step before it calls the thread lost. */
const STEP_TIMEOUT_MS = 120_000;
/** How long either side polls for the other before it sleeps, and how long one sleep lasts at most. */
const SPIN_MS = 1;
const SHORT_WAIT_MS = 2;
/** How long the main thread waits for the thread to start before it does without (a new isolate takes ~50 ms). */
const START_TIMEOUT_MS = 10_000;

/**
 * A second thread for the dense-chain kernel: its own instance of the module,
 * started from a copy of the main instance's memory (training rows, layout),
 * that computes the gradient of the second half of each batch while the main
 * thread computes the first. Weights go to it and its gradient comes back
 * through SharedArrayBuffers; Atomics wait and wake both sides. Each half is
 * summed on its own, so the result is the one a single thread gives.
 */
export class ChainThread {
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private readonly numbers: Float64Array;
  private readonly sharedWeights: Float32Array;
  readonly gradient: Float32Array;
  private readonly ids: Int32Array;
  private readonly message: Uint8Array;
  private seq = 0;
  private closed = false;
  private started: boolean | undefined;

  constructor(
    module: object,
    image: ArrayBuffer,
    layout: ThreadLayout,
    private readonly startTimeoutMs = START_TIMEOUT_MS,
  ) {
    const data: ThreadData = {
      module,
      image,
      layout,
      control: new SharedArrayBuffer(8 * 4),
      numbers: new SharedArrayBuffer(2 * 8),
      weights: new SharedArrayBuffer(layout.params * 4),
      grad: new SharedArrayBuffer(layout.params * 4),
      ids: new SharedArrayBuffer(layout.rows * 4),
      message: new SharedArrayBuffer(1024),
    };
    this.control = new Int32Array(data.control);
    this.numbers = new Float64Array(data.numbers);
    this.sharedWeights = new Float32Array(data.weights);
    this.gradient = new Float32Array(data.grad);
    this.ids = new Int32Array(data.ids);
    this.message = new Uint8Array(data.message);
    // The thread's code is threadMain's own text: no file to find, from TypeScript sources (tests) or from dist.
    this.worker = new Worker(`(${threadMain.toString()})(require('node:worker_threads'))`, { eval: true, workerData: data });
    // Never what keeps the process alive. A thread that dies is seen through the control words
    // (it never gets ready, or stops answering); its error event must not take the process down.
    this.worker.unref();
    this.worker.on('error', () => this.close());
  }

  /**
   * Whether the thread started (waits for it the first time, up to 10 s by default). A
   * thread that did not start is closed; the caller computes both halves itself
   * (the same result).
   */
  usable(): boolean {
    if (this.started === undefined) {
      const waited = performance.now();
      while (!Atomics.load(this.control, READY) && performance.now() - waited < this.startTimeoutMs) Atomics.wait(this.control, READY, 0, 100);
      this.started = Atomics.load(this.control, READY) === 1;
      if (!this.started) this.close();
    }
    return this.started;
  }

  /** Gives the thread the epoch's row order. */
  order(permutation: Int32Array): void {
    this.ids.set(permutation);
    this.post(ORDER, 0, 0, 0);
    this.finish();
  }

  /** Starts the gradient of rows [start, start + n) of the order with these weights; `finish` waits for it. */
  start(start: number, n: number, scale: number, weights: Float32Array): void {
    this.sharedWeights.set(weights);
    this.post(GRADIENT, start, n, scale);
  }

  /** Waits for the thread's work; returns the loss sum of its rows (its gradient is in `gradient`). */
  finish(): number {
    // Spin first (the thread's half usually ends within a millisecond of ours), then sleep in
    // short waits: a wake-up from Atomics.notify was seen to go missing now and then (Node 20),
    // which a long wait would turn into a stall of its whole timeout.
    const waited = performance.now();
    while (Atomics.load(this.control, DONE) !== this.seq) {
      const elapsed = performance.now() - waited;
      if (elapsed < SPIN_MS) continue;
      if (elapsed > STEP_TIMEOUT_MS) throw new Error(`the second training thread did not answer in ${STEP_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.control, DONE, Atomics.load(this.control, DONE), SHORT_WAIT_MS);
    }
    if (Atomics.load(this.control, FAILED)) {
      const text = new TextDecoder().decode(this.message.slice(0, this.message.indexOf(0) >>> 0));
      throw new Error(`the second training thread failed: ${text}`);
    }
    return this.numbers[1]!;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.post(QUIT, 0, 0, 0);
    void this.worker.terminate();
  }

  private post(command: number, start: number, n: number, scale: number): void {
    this.control[COMMAND] = command;
    this.control[START] = start;
    this.control[COUNT] = n;
    this.numbers[0] = scale;
    this.seq++;
    Atomics.store(this.control, SEQ, this.seq);
    Atomics.notify(this.control, SEQ);
  }
}

/**
 * The thread's whole program; it runs from its source text (`toString`), so it
 * refers to nothing outside itself.
 */
function threadMain(threads: { workerData: unknown }): void {
  const data = threads.workerData as ThreadData;
  const [seqAt, doneAt, commandAt, startAt, countAt, failedAt, readyAt] = [0, 1, 2, 3, 4, 5, 6];
  const [gradientCommand, orderCommand, quitCommand] = [1, 2, 3];
  const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: object } } }).WebAssembly;
  const kernel = new wasm.Instance(data.module, {}).exports as {
    memory: { buffer: ArrayBuffer; grow(pages: number): number };
    transpose(chain: number): void;
    clear(a: number, n: number): void;
    gradient(chain: number, ids: number, n: number, scale: number, grad: number): number;
  };
  const missing = data.image.byteLength - kernel.memory.buffer.byteLength;
  if (missing > 0) kernel.memory.grow(Math.ceil(missing / 65536));
  new Uint8Array(kernel.memory.buffer).set(new Uint8Array(data.image));
  const { layout } = data;
  const control = new Int32Array(data.control);
  const numbers = new Float64Array(data.numbers);
  const weights = new Float32Array(data.weights);
  const grad = new Float32Array(data.grad);
  const ids = new Int32Array(data.ids);
  const floats = new Float32Array(kernel.memory.buffer);
  Atomics.store(control, readyAt, 1);
  Atomics.notify(control, readyAt);
  let seen = 0;
  for (;;) {
    // As the main thread waits (see finish): poll for 1 ms, then sleep in waits of 2 ms, of 50 ms
    // once idle for a second (between trainings, while paused), so a lost wake-up costs little.
    const idle = performance.now();
    while (Atomics.load(control, seqAt) === seen) {
      const elapsed = performance.now() - idle;
      if (elapsed > 1) Atomics.wait(control, seqAt, seen, elapsed > 1000 ? 50 : 2);
    }
    seen = Atomics.load(control, seqAt);
    const command = control[commandAt];
    if (command === quitCommand) return;
    try {
      if (command === orderCommand) new Int32Array(kernel.memory.buffer).set(ids, layout.ids / 4);
      if (command === gradientCommand) {
        floats.set(weights, layout.weights / 4);
        kernel.transpose(layout.chain);
        kernel.clear(layout.grad, layout.params);
        numbers[1] = kernel.gradient(layout.chain, layout.ids + control[startAt]! * 4, control[countAt]!, numbers[0]!, layout.grad);
        grad.set(floats.subarray(layout.grad / 4, layout.grad / 4 + layout.params));
      }
    } catch (error) {
      new TextEncoder().encodeInto(String(error).slice(0, 1000), new Uint8Array(data.message));
      Atomics.store(control, failedAt, 1);
    }
    Atomics.store(control, doneAt, seen);
    Atomics.notify(control, doneAt);
  }
}
