/** A node of a TensorFlow GraphDef as tfjs model.json stores it. */
export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
  device?: string;
}

const bytes = (text: string) => Array.from(text, (c) => c.charCodeAt(0));

/**
 * The graph with every `BiasAdd` (and a `Relu` right after it) folded into the
 * matmul or 1x1 convolution before it (`_FusedMatMul`, `_FusedConv2D`), as
 * TensorFlow's grappler does: XNNPACK adds the bias and clamps inside the
 * GEMM, instead of two more passes over [tokens, 1536] and two more graph
 * nodes each. USE-lite's feed-forward layers put a Reshape between the
 * matmul and its bias (Tensordot); the bias and Relu act on the last axis
 * element by element, so they move before the Reshape. Names that other
 * nodes read stay as they were. The sums change order (XNNPACK starts from
 * the bias), so the vectors change by float rounding only.
 */
export function fuseBiasAdds(nodes: readonly GraphNode[]): GraphNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const readers = new Map<string, string[]>();
  for (const node of nodes) {
    for (const input of node.input ?? []) {
      const name = input.replace(/^\^/, '').split(':')[0]!;
      readers.set(name, [...(readers.get(name) ?? []), node.name]);
    }
  }
  const onlyReader = (name: string) => {
    const list = readers.get(name) ?? [];
    return list.length === 1 ? byName.get(list[0]!) : undefined;
  };
  const source = (input: string | undefined) => (input === undefined || /^\^|:[1-9]/.test(input) ? undefined : byName.get(input.split(':')[0]!));
  const replaced = new Map<string, GraphNode>();
  const removed = new Set<string>();

  for (const bias of nodes) {
    const [value, biasInput] = bias.input ?? [];
    if (bias.op !== 'BiasAdd' || bias.input?.length !== 2 || biasInput === undefined) continue;
    const relu = onlyReader(bias.name);
    const last = relu?.op === 'Relu' ? relu : bias;
    const fusedOps = last === bias ? [bytes('BiasAdd')] : [bytes('BiasAdd'), bytes('Relu')];
    const fuse = (product: GraphNode, name: string): GraphNode => ({
      ...product,
      name,
      op: product.op === 'Conv2D' ? '_FusedConv2D' : '_FusedMatMul',
      input: [...(product.input ?? []), biasInput],
      attr: { ...product.attr, fused_ops: { list: { s: fusedOps } }, num_args: { i: '1' }, epsilon: { f: 0 } },
    });
    const before = source(value);
    if (!before || onlyReader(before.name) !== bias || replaced.has(before.name)) continue;
    if (before.op === 'MatMul' || before.op === 'Conv2D') {
      replaced.set(before.name, fuse(before, last.name));
    } else if (before.op === 'Reshape') {
      const product = source(before.input?.[0]);
      if (product?.op !== 'MatMul' || onlyReader(product.name) !== before || replaced.has(product.name)) continue;
      replaced.set(product.name, fuse(product, product.name));
      replaced.set(before.name, { ...before, name: last.name });
    } else {
      continue;
    }
    removed.add(bias.name);
    if (last !== bias) removed.add(last.name);
  }
  return nodes.flatMap((node) => {
    const replacement = replaced.get(node.name);
    if (replacement) return [replacement];
    return removed.has(node.name) ? [] : [node];
  });
}
