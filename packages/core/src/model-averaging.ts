import * as tf from '@tensorflow/tfjs';

/** A layer of a functional model's config, in tfjs' JavaScript form. */
interface LayerConfig {
  name: string;
  className: string;
  config: Record<string, unknown> & { name: string };
  inboundNodes: Array<Array<[string, number, number, Record<string, unknown>]>>;
}

interface ModelConfig {
  name: string;
  layers: LayerConfig[];
  inputLayers: Array<[string, number, number]>;
  outputLayers: Array<[string, number, number]>;
}

/**
 * One model whose output is the mean of several models' outputs (a seed
 * ensemble): a single graph, saved, loaded and used like any model, so
 * predict and evaluate need not know it is an ensemble. The members must share
 * one input and output shape; their layers are copied (renamed `m<i>_…`, weights
 * included) next to each other behind one input, and an Average layer joins them.
 */
export function averageModels(models: readonly tf.LayersModel[], name = 'ensemble'): tf.LayersModel {
  if (models.length === 0) throw new Error('averageModels needs at least one model');
  if (models.length === 1) return models[0]!;
  const configs = models.map((m) => m.getConfig() as unknown as ModelConfig);
  for (const c of configs)
    if (c.inputLayers.length !== 1 || c.outputLayers.length !== 1) throw new Error('averageModels: every model needs one input and one output');
  const input = configs[0]!.layers.find((l) => l.name === configs[0]!.inputLayers[0]![0])!;
  const layers: LayerConfig[] = [structuredClone(input)];
  const outputs: Array<[string, number, number, Record<string, unknown>]> = [];
  configs.forEach((config, i) => {
    const inputName = config.inputLayers[0]![0];
    const rename = (n: string) => (n === inputName ? input.name : `m${i}_${n}`);
    for (const layer of config.layers) {
      if (layer.name === inputName) continue;
      const copy = structuredClone(layer);
      copy.name = rename(layer.name);
      copy.config.name = copy.name;
      copy.inboundNodes = layer.inboundNodes.map((node) => node.map(([from, n, t, kwargs]) => [rename(from), n, t, kwargs]));
      layers.push(copy);
    }
    const [out, n, t] = config.outputLayers[0]!;
    outputs.push([rename(out), n, t, {}]);
  });
  layers.push({ name: 'average', className: 'Average', config: { name: 'average', trainable: true }, inboundNodes: [outputs] });
  const combined: ModelConfig = { name, layers, inputLayers: [[input.name, 0, 0]], outputLayers: [['average', 0, 0]] };
  const model = tf.LayersModel.fromConfig(tf.LayersModel, combined as unknown as tf.serialization.ConfigDict) as tf.LayersModel;
  models.forEach((member, i) => {
    for (const layer of member.layers) {
      const weights = layer.getWeights();
      if (weights.length > 0) model.getLayer(`m${i}_${layer.name}`).setWeights(weights);
    }
  });
  return model;
}
