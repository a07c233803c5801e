import { loadBackend, tf } from '@mtl/core';
import { useFastEncoderKernels } from './encoder-kernels.js';
import { loadSentenceEncoder } from './sentence-encoder.js';

/** Runs `f` with the kernels registered before any replacement, then puts the current ones back. */
async function withKernels<T>(configs: tf.KernelConfig[], f: () => Promise<T>): Promise<T> {
  const current = configs.map((c) => tf.getKernel(c.kernelName, 'wasm'));
  const swap = (to: tf.KernelConfig[]) =>
    to.forEach((c) => {
      tf.unregisterKernel(c.kernelName, 'wasm');
      tf.registerKernel(c);
    });
  swap(configs);
  try {
    return await f();
  } finally {
    swap(current);
  }
}

const values = (t: tf.Tensor | tf.Tensor[]) => (Array.isArray(t) ? t : [t]).map((x) => ({ shape: x.shape, data: Array.from(x.dataSync()) }));

describe('useFastEncoderKernels (wasm)', () => {
  // The stock row gather, and the stock split for the vectors' test: the encoder also installs core's kernels, whose SplitV copies rows.
  let stock: tf.KernelConfig[];
  beforeAll(async () => {
    await loadBackend({ request: 'wasm' });
    stock = [tf.getKernel(tf.GatherV2, 'wasm'), tf.getKernel(tf.SplitV, 'wasm')].map((k) => ({ ...k }));
    expect(useFastEncoderKernels()).toBe(true);
    expect(useFastEncoderKernels()).toBe(true);
  });

  const cases: Array<[string, () => tf.Tensor | tf.Tensor[]]> = [
    ['gather rows of a table', () => tf.gather(tf.range(0, 8002 * 8).reshape([8002, 8]), tf.tensor1d([5, 0, 8001, 5], 'int32'))],
    [
      'gather rows by a 2-d index',
      () =>
        tf.gather(
          tf.randomNormal([10, 3, 4], 0, 1, 'float32', 1),
          tf.tensor2d(
            [
              [1, 9],
              [0, 0],
            ],
            [2, 2],
            'int32',
          ),
        ),
    ],
    ['gather int32 rows, axis -2', () => tf.gather(tf.range(0, 12, 1, 'int32').reshape([4, 3]), tf.tensor1d([3, 1], 'int32'), -2)],
    ['gather along axis 1 (stock)', () => tf.gather(tf.range(0, 12).reshape([3, 4]), tf.tensor1d([2, 0], 'int32'), 1)],
    ['gather of a 1-d tensor', () => tf.gather(tf.tensor1d([7, 8, 9]), tf.tensor1d([2, 2, 0], 'int32'))],
  ];
  for (const [name, op] of cases) {
    it(`${name}: the stock kernel's values, bit for bit`, async () => {
      const fast = values(tf.tidy(op));
      const before = await withKernels(stock, async () => values(tf.tidy(op)));
      expect(fast).toEqual(before);
    });
  }

  it("refuses an index out of range with the stock kernel's message", () => {
    expect(() => tf.gather(tf.ones([3, 70]), tf.tensor1d([3], 'int32'))).toThrow('GatherV2: the index value 3 is not in [0, 2]');
    expect(() => tf.gather(tf.ones([3, 70]), tf.tensor1d([-1], 'int32'))).toThrow('GatherV2: the index value -1 is not in [0, 2]');
  });

  it('leaves USE-lite vectors bit for bit as the stock gather and split give them', async () => {
    const encoder = await loadSentenceEncoder();
    try {
      const texts = ['How old are you?', 'I love my dog, and https://www.youtube.com/watch?v=qsXHcwe3krw is my favourite video of him.', '', 'ok'];
      const fast = await encoder.embed(texts);
      const before = await withKernels(stock, () => encoder.embed(texts));
      expect(Array.from(fast)).toEqual(Array.from(before));
    } finally {
      encoder.dispose();
    }
  });
});
