import { loadBackend, tf } from '@mtl/core';
import { fuseBiasAdds, type GraphNode } from './graph-fusion.js';
import { EMBEDDING_SIZE, loadTokenizer, readModelArtifacts } from './sentence-encoder.js';

/** USE-lite's graph, fused or as published, run on the same token ids. */
async function embedWith(nodes: GraphNode[], encodings: number[][]): Promise<Float32Array> {
  const artifacts = readModelArtifacts();
  const model = await tf.loadGraphModel(tf.io.fromMemory({ ...artifacts, modelTopology: { ...artifacts.modelTopology, node: nodes } }));
  const pairs = encodings.flatMap((ids, row) => ids.map((id, j) => [row, j, id] as const));
  const indices = tf.tensor2d(
    pairs.map(([row, j]) => [row, j]),
    [pairs.length, 2],
    'int32',
  );
  const values = tf.tensor1d(
    pairs.map(([, , id]) => id),
    'int32',
  );
  try {
    const out = (await model.executeAsync({ indices, values })) as tf.Tensor;
    const data = (await out.data()) as Float32Array;
    out.dispose();
    return data;
  } finally {
    tf.dispose([indices, values]);
    model.dispose();
  }
}

describe('fuseBiasAdds on USE-lite', () => {
  const published = (readModelArtifacts().modelTopology as { node: GraphNode[] }).node;
  const fused = fuseBiasAdds(published);

  it('folds all 10 BiasAdds and both Relus into 6 fused matmuls and 4 fused 1x1 convolutions', () => {
    const count = (nodes: GraphNode[], op: string) => nodes.filter((n) => n.op === op).length;
    expect([count(published, 'BiasAdd'), count(published, 'Relu')]).toEqual([10, 2]);
    expect([count(fused, 'BiasAdd'), count(fused, 'Relu'), count(fused, '_FusedMatMul'), count(fused, '_FusedConv2D')]).toEqual([0, 0, 6, 4]);
    expect(fused.length).toBe(published.length - 12);
    // Every input still names a node of the graph.
    const names = new Set(fused.map((n) => n.name));
    for (const node of fused) for (const input of node.input ?? []) expect(names.has(input.replace(/^\^/, '').split(':')[0]!)).toBe(true);
  });

  it('gives the vectors of the published graph to float32 rounding', async () => {
    await loadBackend({ request: 'wasm' });
    const tokenizer = loadTokenizer();
    const texts = ['How old are you?', 'I love my dog, and https://www.youtube.com/watch?v=qsXHcwe3krw is my favourite video of him.', 'ok', 'a '.repeat(60)];
    const encodings = texts.map((text) => tokenizer.encode(text));
    const before = await embedWith(published, encodings);
    const after = await embedWith(fused, encodings);
    expect(after.length).toBe(texts.length * EMBEDDING_SIZE);
    let worst = 0;
    for (let i = 0; i < before.length; i++) worst = Math.max(worst, Math.abs(after[i]! - before[i]!));
    expect(worst).toBeLessThan(1e-6);
  });
});
