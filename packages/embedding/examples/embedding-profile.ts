#!/usr/bin/env node
import { loadavg } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadBackend, tf, UserError } from '@mtl/core';
import { loadSentenceEncoder } from '@mtl/embedding';
import { readCsvTexts } from './csv-texts.js';

const USAGE = `usage: node packages/embedding/dist/examples/embedding-profile.js FILE.csv [--column text] [--split SEP] [--texts 480] [--batch-size 16] [--rounds 3]
  e.g. FILE.csv = ../shared/datasets/mbti/mbti_sample.csv --column posts --split '|||'`;

/**
 * Where USE-lite's time goes on the wasm backend, one thread, and what
 * XNNPACK's GEMM reaches on the same shapes: the ceiling of posts per second.
 *
 * 1. Tokenizing (JavaScript, main thread), per post.
 * 2. The model, batch by batch as an app runs it (token-sorted batches): wall
 *    time per post, best of `rounds`; then each batch `rounds` times under
 *    `tf.profile`: each kernel's fastest time, grouped by what the kernels
 *    do, and the fastest time spent outside kernels in one run (the graph
 *    executor walking 317 nodes, most of them shape ops, and allocation).
 *    Minimums, because other processes preempt this one at random.
 * 3. Worker messaging: a batch's token ids to a worker and 16 vectors back.
 * 4. A matmul microbenchmark on the model's GEMM shapes for that many rows.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      column: { type: 'string', default: 'text' },
      split: { type: 'string' },
      texts: { type: 'string', default: '480' },
      'batch-size': { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const file = positionals[0];
  const wanted = Number(values.texts);
  const batchSize = Number(values['batch-size']);
  const rounds = Number(values.rounds);
  if (!file || !(wanted >= 1) || !Number.isInteger(batchSize) || batchSize < 1 || !(rounds >= 1)) throw new UserError(USAGE);
  const path = isAbsolute(file) ? file : resolve(process.env.INIT_CWD ?? process.cwd(), file);
  const texts = await readCsvTexts({ path, column: values.column, split: values.split, wanted });
  const backend = await loadBackend({ request: 'wasm' });
  const encoder = await loadSentenceEncoder();
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${texts.length} texts from ${path}, batches of ${batchSize}, backend ${backend.name}, load average at start ${load()}`);

  const tokenizeSince = performance.now();
  const encodings = texts.map((text) => encoder.tokenize(text));
  const tokenizeMs = (performance.now() - tokenizeSince) / texts.length;
  const sorted = [...encodings].sort((a, b) => a.length - b.length);
  const batches: number[][][] = [];
  for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize));
  const tokens = sorted.reduce((n, e) => n + e.length, 0);
  const padded = batches.reduce((n, b) => n + b.length * Math.max(...b.map((e) => e.length)), 0);
  out(`${(tokens / texts.length).toFixed(1)} tokens a post, padding ${((100 * (padded - tokens)) / padded).toFixed(1)} %`);

  await encoder.embedTokens(batches[Math.floor(batches.length / 2)]!);
  // Each batch `rounds` times: the fastest wall time, and each kernel's fastest time (other
  // processes preempt this one at random; the minimum is what the work itself costs).
  let wallTotal = 0;
  let executorMs = 0;
  const kernelMs = new Map<string, number>();
  let gemmFlop = 0;
  let gemmMs = 0;
  for (const batch of batches) {
    let wall = Infinity;
    for (let round = 0; round < rounds; round++) {
      const since = performance.now();
      await encoder.embedTokens(batch);
      wall = Math.min(wall, performance.now() - since);
    }
    wallTotal += wall;
    const fastest: number[] = [];
    let kernels: Array<{ name: string; inputShapes: number[][]; outputShapes: number[][] }> = [];
    let outside = Infinity;
    for (let round = 0; round < rounds; round++) {
      const since = performance.now();
      // An empty result: tf.profile keeps what the query returns, so a tensor here would never be disposed.
      const info = await tf.profile(() => encoder.embedTokens(batch).then((): tf.TensorContainer => []));
      const profiledWall = performance.now() - since;
      kernels = info.kernels;
      let inKernels = 0;
      for (const [i, kernel] of info.kernels.entries()) {
        const ms = await kernel.kernelTimeMs;
        // A fused op is profiled twice: as the op ('fusedMatMul__op') and as its kernel.
        if (typeof ms !== 'number' || kernel.name.endsWith('__op')) continue;
        fastest[i] = Math.min(fastest[i] ?? Infinity, ms);
        inKernels += ms;
      }
      // Time outside kernels, wall and kernels of the same run: the graph executor's share.
      outside = Math.min(outside, profiledWall - inKernels);
    }
    executorMs += Math.max(0, outside);
    kernels.forEach((kernel, i) => {
      if (kernel.name.endsWith('__op')) return;
      const ms = fastest[i] ?? 0;
      const group = kernelGroup(kernel.name, kernel.inputShapes);
      kernelMs.set(group, (kernelMs.get(group) ?? 0) + ms);
      const flop = gemmFlops(kernel.name, kernel.inputShapes, kernel.outputShapes);
      if (flop > 0) {
        gemmFlop += flop;
        gemmMs += ms;
      }
    });
  }
  const kernelTotal = [...kernelMs.values()].reduce((s, t) => s + t, 0);
  const perPost = (ms: number) => ms / texts.length;
  out('');
  out(`| where the time goes (main thread, wasm)       | ms a post | share |`);
  out(`| --------------------------------------------- | --------: | ----: |`);
  const rows: Array<[string, number]> = [...kernelMs.entries()].sort((a, b) => b[1] - a[1]);
  rows.push(['graph executor, allocation (outside kernels)', executorMs]);
  const profiled = kernelTotal + executorMs;
  for (const [group, ms] of rows) out(`| ${group.padEnd(45)} | ${perPost(ms).toFixed(3).padStart(9)} | ${((100 * ms) / profiled).toFixed(1).padStart(4)} % |`);
  out(`| ${'the rows above'.padEnd(45)} | ${perPost(profiled).toFixed(3).padStart(9)} | 100 % |`);
  out(`| ${'model, wall (fastest unprofiled run)'.padEnd(45)} | ${perPost(wallTotal).toFixed(3).padStart(9)} |       |`);
  out(`| ${'tokenizing (not in the model wall)'.padEnd(45)} | ${tokenizeMs.toFixed(3).padStart(9)} |       |`);
  const messaging = await messagingMs(batchSize, tokens / texts.length);
  out(`| ${'worker messaging, per post (not in the wall)'.padEnd(45)} | ${(messaging / batchSize).toFixed(3).padStart(9)} |       |`);
  out('');
  const flopPerPost = gemmFlop / texts.length;
  out(`GEMM work: ${(flopPerPost / 1e6).toFixed(0)} MFLOP a post; in the model ${(gemmFlop / 1e6 / gemmMs).toFixed(1)} GFLOP/s`);
  out(`main thread: ${((1000 * texts.length) / wallTotal).toFixed(1)} posts/s (model only)`);

  const rowsPerBatch = Math.round((batchSize * tokens) / texts.length);
  out('');
  out(`matmul microbenchmark (tf.matMul on wasm, XNNPACK), best of 10, one thread:`);
  // Weighted by the model's own GEMM mix: FLOP shares of a token's 9.3 MFLOP.
  let weightedMs = 0;
  let weightedFlop = 0;
  for (const m of [rowsPerBatch, rowsPerBatch * 4]) {
    for (const { k, n, what, perToken } of GEMM_SHAPES) {
      const gflops = matMulGflops(m, k, n);
      if (m === rowsPerBatch) {
        weightedMs += (perToken * 2 * k * n) / gflops;
        weightedFlop += perToken * 2 * k * n;
      }
      out(`  [${m} x ${k}] x [${k} x ${n}] (${what}): ${gflops.toFixed(1)} GFLOP/s`);
    }
  }
  const oneThread = weightedFlop / weightedMs;
  const twoThreads = await parallelMatMulGflops(2, rowsPerBatch);
  out(`  the FFN-in shape on 2 worker threads at once: ${twoThreads.toFixed(1)} GFLOP/s together (load average now ${load()})`);
  const ceiling = (oneThread * 1e9) / flopPerPost;
  out('');
  out(`ceiling, GEMM work alone at the microbenchmark's rate for the model's shape mix (${oneThread.toFixed(1)} GFLOP/s):`);
  out(
    `  ${ceiling.toFixed(0)} posts/s a core; ${(2 * ceiling).toFixed(0)} posts/s with 2 workers on 2 free cores; ${((twoThreads * 1e9) / flopPerPost).toFixed(0)} at the 2-thread rate measured now`,
  );
  out(`load average at end ${load()}`);
  encoder.dispose();
}

/** USE-lite's GEMMs: [tokens x k] x [k x n], `perToken` times per token (FFN 2 layers, Q/K/V and output projections, input projection). */
const GEMM_SHAPES = [
  { k: 512, n: 1536, what: 'FFN in x2, QKV layer 1', perToken: 3 },
  { k: 1536, n: 512, what: 'FFN out x2', perToken: 2 },
  { k: 256, n: 768, what: 'QKV layer 0', perToken: 1 },
  { k: 256, n: 512, what: 'output layer 0, input projection', perToken: 2 },
  { k: 512, n: 512, what: 'output layer 1', perToken: 1 },
] as const;

const GROUPS: Record<string, string> = {
  Conv2D: 'attention Q/K/V + output projections (1x1 Conv2D)',
  Softmax: 'attention softmax',
  GatherV2: 'token embeddings, positions',
  Sin: 'token embeddings, positions',
  Cos: 'token embeddings, positions',
  Range: 'token embeddings, positions',
  SparseToDense: 'sparse input (tokens to a padded batch)',
  ScatterNd: 'sparse input (tokens to a padded batch)',
  GatherNd: 'sparse input (tokens to a padded batch)',
  Where: 'sparse input (tokens to a padded batch)',
  Mean: 'layer norm, bias, activations (element-wise)',
  Sub: 'layer norm, bias, activations (element-wise)',
  Square: 'layer norm, bias, activations (element-wise)',
  Rsqrt: 'layer norm, bias, activations (element-wise)',
  Mul: 'layer norm, bias, activations (element-wise)',
  Add: 'layer norm, bias, activations (element-wise)',
  Relu: 'layer norm, bias, activations (element-wise)',
  Tanh: 'layer norm, bias, activations (element-wise)',
  RealDiv: 'layer norm, bias, activations (element-wise)',
  Maximum: 'layer norm, bias, activations (element-wise)',
  Sum: 'layer norm, bias, activations (element-wise)',
  Transpose: 'copies: transpose, concat, split, slice',
  Concat: 'copies: transpose, concat, split, slice',
  SplitV: 'copies: transpose, concat, split, slice',
  Slice: 'copies: transpose, concat, split, slice',
  StridedSlice: 'copies: transpose, concat, split, slice',
  Pack: 'copies: transpose, concat, split, slice',
};

function kernelGroup(name: string, inputs: number[][]): string {
  if (name === 'FusedConv2D') return GROUPS.Conv2D!;
  if (name === 'BatchMatMul' || name === '_FusedMatMul') {
    if (name === 'BatchMatMul' && (inputs[0]?.length ?? 0) > 2) return 'attention products (batched matmul)';
    const [k, n] = inputs[1]?.slice(-2) ?? [];
    return (k === 512 && n === 1536) || (k === 1536 && n === 512)
      ? 'FFN matmuls (512-1536-512, 2 layers)'
      : 'other dense matmuls (input 256-512, tanh 512-512)';
  }
  return GROUPS[name] ?? 'other (reshape, cast, shape, ...)';
}

/** Multiply-adds x 2 of the GEMM kernels: dense matmuls and 1x1 convolutions (attention's own products are not GEMM-sized). */
function gemmFlops(name: string, inputs: number[][], outputs: number[][]): number {
  const out = outputs[0] ?? [];
  const size = out.reduce((p, d) => p * d, 1);
  const depth = inputs[0]?.[inputs[0].length - 1] ?? 0;
  if ((name === 'BatchMatMul' && inputs[0]?.length === 2) || name === '_FusedMatMul') return 2 * size * depth;
  if (name === 'Conv2D' || name === 'FusedConv2D') return 2 * size * depth;
  return 0;
}

function matMulGflops(m: number, k: number, n: number): number {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  let best = Infinity;
  for (let i = 0; i < 11; i++) {
    const since = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    const ms = performance.now() - since;
    c.dispose();
    if (i > 0) best = Math.min(best, ms);
  }
  a.dispose();
  b.dispose();
  return (2 * m * k * n) / (best * 1e6);
}

/** GFLOP/s of `threads` worker threads each multiplying [m x 512] x [512 x 1536] on wasm at the same time, together. */
async function parallelMatMulGflops(threads: number, m: number): Promise<number> {
  const script = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const { loadBackend, tf } = await import(workerData.core);
      await loadBackend({ request: 'wasm' });
      const a = tf.randomNormal([workerData.m, 512]), b = tf.randomNormal([512, 1536]);
      for (let i = 0; i < 3; i++) tf.matMul(a, b).dispose();
      parentPort.postMessage('ready');
      parentPort.once('message', () => {
        const since = performance.now();
        for (let i = 0; i < 20; i++) { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); }
        parentPort.postMessage(performance.now() - since);
      });
    })();`;
  const core = import.meta.resolve('@mtl/core');
  const workers = Array.from({ length: threads }, () => new Worker(script, { eval: true, workerData: { core, m } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const times = await Promise.all(
    workers.map(
      (w) =>
        new Promise<number>((resolve) => {
          w.once('message', resolve);
          w.postMessage('go');
        }),
    ),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  return (threads * 20 * 2 * m * 512 * 1536) / (Math.max(...times) * 1e6);
}

/** Round trip of one batch to a worker: token ids out (structured clone), 512-d vectors back (transferred), best of 50. */
async function messagingMs(batchSize: number, tokensPerPost: number): Promise<number> {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', (m) => { const v = new Float32Array(m.encodings.length * 512); parentPort.postMessage({ id: m.id, vectors: v }, [v.buffer]); });`,
    { eval: true },
  );
  const encodings = Array.from({ length: batchSize }, () => Array.from({ length: Math.round(tokensPerPost) }, (_, i) => i));
  let best = Infinity;
  for (let id = 0; id < 50; id++) {
    const since = performance.now();
    await new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage({ id, encodings });
    });
    best = Math.min(best, performance.now() - since);
  }
  await worker.terminate();
  return best;
}

try {
  await main();
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
