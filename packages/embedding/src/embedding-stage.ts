import type { RunEventListener } from '@mtl/core';
import { type EmbeddingCache, textHash } from './embedding-cache.js';
import { EmbeddingInterrupted } from './embedding-interrupted.js';
import { EMBEDDING_SIZE } from './sentence-encoder.js';
import type { TextEmbedder } from './text-embedder.js';

export interface EmbeddingStageOptions {
  cache: EmbeddingCache;
  /** Called at the first text the cache lacks: a fully cached run never loads the model. */
  createEmbedder: () => Promise<TextEmbedder>;
  /** Receives 'stage' events: one when embedding starts, one per batch, one at the end (finished). */
  onEvent?: RunEventListener;
  /** Checked between batches; true stops after the batches in flight are cached (EmbeddingInterrupted). */
  shouldStop?: () => boolean;
  /** Texts per model call. Small batches are faster on wasm: the graph pads every text to the longest one. */
  batchSize?: number;
  /** The stage's name in events; default 'embedding'. */
  name?: string;
  /** What one text is, in events ('posts', 'rows'); default 'texts'. */
  unit?: string;
}

export interface EmbeddingStats {
  /** Texts counted, repeats included. */
  texts: number;
  /** Distinct texts: the total of the progress events. */
  unique: number;
  /** Distinct texts already in the cache when counted. */
  cacheHits: number;
  /** Texts the model embedded in this stage. */
  embedded: number;
  /** From the first `vectors` call to `finish`, model loading excluded. */
  seconds: number;
  /** Texts embedded per second of embedding work (cache reads and model loading excluded); 0 when none was. */
  textsPerSecond: number;
  /** Where the model ran ('2 worker threads'), or 'cache only'. */
  where: string;
}

/**
 * One embedding stage over texts that may not fit in memory at once. Count
 * every text first (`count`): that fixes the progress total and the cache hits
 * before any model work. Then ask for vectors a chunk at a time (`vectors`):
 * cached ones are read, missing ones embedded in batches sorted by token count
 * and committed to the cache batch by batch, so an interrupted stage loses at
 * most the batches in flight.
 */
export class EmbeddingStage {
  private readonly options: EmbeddingStageOptions;
  private readonly batchSize: number;
  /** Every distinct text counted; dropped when embedding starts. */
  private counted: Set<string> | undefined = new Set();
  /** Distinct counted texts whose vector is not known yet: progress is `unique - pending.size`. */
  private readonly pending = new Set<string>();
  private texts = 0;
  private cacheHits = 0;
  private embedded = 0;
  private embedder: TextEmbedder | undefined;
  private started: number | undefined;
  private loadSeconds = 0;
  private embedSeconds = 0;
  private embeddingSince: number | undefined;
  private unique = 0;

  constructor(options: EmbeddingStageOptions) {
    this.options = options;
    this.batchSize = options.batchSize ?? 16;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize ${this.batchSize}: expected a whole number of at least 1`);
  }

  /** Counts one text (before any `vectors` call). Repeats count once towards the total. */
  count(text: string): void {
    if (!this.counted) throw new Error('EmbeddingStage.count after vectors: count every text first, so progress has its total');
    this.texts++;
    const hash = textHash(text);
    const key = hash.toString('base64');
    if (this.counted.has(key)) return;
    this.counted.add(key);
    if (this.options.cache.has(hash)) this.cacheHits++;
    else this.pending.add(key);
  }

  /** One 512-d row per text, in order: from the cache, or embedded now and then cached. */
  async vectors(texts: readonly string[]): Promise<Float32Array> {
    if (this.started === undefined) this.start();
    const hashes = texts.map((text) => textHash(text));
    const found = new Map<string, Float32Array>();
    const missing: Array<{ key: string; hash: Buffer; text: string }> = [];
    hashes.forEach((hash, i) => {
      const key = hash.toString('base64');
      if (found.has(key)) return;
      const cached = this.options.cache.get(hash);
      if (cached) {
        found.set(key, cached);
        this.pending.delete(key);
      } else {
        found.set(key, MISSING);
        missing.push({ key, hash, text: texts[i]! });
      }
    });
    if (missing.length > 0) await this.embedMissing(missing, found);
    const out = new Float32Array(texts.length * EMBEDDING_SIZE);
    hashes.forEach((hash, i) => out.set(found.get(hash.toString('base64'))!, i * EMBEDDING_SIZE));
    return out;
  }

  /** Sends the last progress event (finished) and returns what the stage did. */
  finish(): EmbeddingStats {
    if (this.started === undefined) this.start();
    this.progress(true);
    return {
      texts: this.texts,
      unique: this.unique,
      cacheHits: this.cacheHits,
      embedded: this.embedded,
      seconds: (performance.now() - this.started!) / 1000 - this.loadSeconds,
      textsPerSecond: this.embedSeconds > 0 ? this.embedded / this.embedSeconds : 0,
      where: this.embedder?.where ?? 'cache only',
    };
  }

  /** Stops the model's workers, if it was loaded. Call it whatever happened (finally). */
  async close(): Promise<void> {
    const embedder = this.embedder;
    this.embedder = undefined;
    await embedder?.close();
  }

  private start(): void {
    this.unique = this.counted?.size ?? 0;
    this.counted = undefined;
    this.started = performance.now();
    this.progress();
  }

  private progress(finished = false): void {
    const busy = this.embedSeconds + (this.embeddingSince === undefined ? 0 : (performance.now() - this.embeddingSince) / 1000);
    this.options.onEvent?.({
      type: 'stage',
      name: this.options.name ?? 'embedding',
      unit: this.options.unit ?? 'texts',
      done: this.unique - this.pending.size,
      total: this.unique,
      rate: busy > 0 ? this.embedded / busy : undefined,
      counters: { 'cache hits': this.cacheHits, embedded: this.embedded },
      finished,
    });
  }

  private async loadEmbedder(): Promise<TextEmbedder> {
    if (this.embedder) return this.embedder;
    const since = performance.now();
    this.embedder = await this.options.createEmbedder();
    this.loadSeconds += (performance.now() - since) / 1000;
    return this.embedder;
  }

  private async embedMissing(missing: Array<{ key: string; hash: Buffer; text: string }>, found: Map<string, Float32Array>): Promise<void> {
    const { cache, shouldStop } = this.options;
    const embedder = await this.loadEmbedder();
    // Tokenizing is embedding work too: it counts towards the rate.
    this.embeddingSince = performance.now();
    try {
      const tokenized = (items: typeof missing) => items.map((m) => ({ ...m, tokens: embedder.tokenize(m.text) }));
      // The model starts on a lead of texts while this thread tokenizes the rest (0.3 ms a
      // post: tokenizing a 4096-post chunk first left the workers idle ~4 % of the time).
      const lead = Math.min(missing.length, LEAD_BATCHES * this.batchSize * embedder.parallelism);
      const queue = tokenSortedBatches(tokenized(missing.slice(0, lead)), this.batchSize);
      let restDone = false;
      const rest = (async () => {
        const items: ReturnType<typeof tokenized> = [];
        for (let start = lead; start < missing.length; start += TOKENIZE_SLICE) {
          // Yields between slices, so that finished batches are committed and new ones sent.
          await new Promise((resolve) => setImmediate(resolve));
          if (shouldStop?.()) return;
          items.push(...tokenized(missing.slice(start, start + TOKENIZE_SLICE)));
        }
        queue.push(...tokenSortedBatches(items, this.batchSize));
        restDone = true;
      })();
      const runLane = async () => {
        for (;;) {
          if (shouldStop?.()) return;
          const batch = queue.shift();
          if (!batch) {
            if (restDone) return;
            await rest;
            if (!restDone) return; // stopped while tokenizing
            continue;
          }
          const out = await embedder.embedTokens(batch.map((m) => m.tokens));
          if (out.length !== batch.length * EMBEDDING_SIZE) {
            throw new Error(`the encoder returned ${out.length / EMBEDDING_SIZE} vectors for a batch of ${batch.length} texts`);
          }
          const entries = batch.map((m, i): [Buffer, Float32Array] => [m.hash, out.slice(i * EMBEDDING_SIZE, (i + 1) * EMBEDDING_SIZE)]);
          cache.put(entries);
          batch.forEach((m, i) => {
            found.set(m.key, entries[i]![1]);
            this.pending.delete(m.key);
          });
          this.embedded += batch.length;
          this.progress();
        }
      };
      await Promise.all([rest, ...Array.from({ length: embedder.parallelism }, runLane)]);
      // Batches left over can only mean a lane saw the stop request.
      if (queue.length > 0 || !restDone || shouldStop?.()) throw new EmbeddingInterrupted({ embedded: this.embedded, cachePath: cache.path });
    } finally {
      this.embedSeconds += (performance.now() - this.embeddingSince) / 1000;
      this.embeddingSince = undefined;
    }
  }
}

/** Batches per model thread tokenized before the model starts. */
const LEAD_BATCHES = 4;
/** Texts tokenized between two looks at the workers' results (~10 ms). */
const TOKENIZE_SLICE = 32;

/** Placeholder of a vector being embedded in this chunk (so a repeat is not queued twice). */
const MISSING = new Float32Array(0);

/**
 * Texts with the same number of tokens go together: the graph pads every text
 * of a batch to the longest one. Sorting by characters left 26 % padding on
 * the mbti sample (URLs and odd words split into many tokens); by tokens, 0.1 %.
 * Longest first: the batches that end a chunk are the quick ones, so one
 * thread is not left waiting for the other's long last batch.
 */
function tokenSortedBatches<T extends { tokens: number[] }>(items: T[], size: number): T[][] {
  const sorted = [...items].sort((a, b) => b.tokens.length - a.tokens.length);
  const batches: T[][] = [];
  for (let i = 0; i < sorted.length; i += size) batches.push(sorted.slice(i, i + size));
  return batches;
}
