// A tiny real model shaped like Keras's MobileNet (v1), as tfjs-models ships it: ZeroPadding2D, stride-2
// 'valid' conv, depthwise/pointwise pairs with BN and Activation('relu6'), then the Keras head
// GlobalAveragePooling2D → Reshape(1,1,C) → Dropout → Conv2D 'conv_preds' → Activation('softmax') → Reshape.
// Needs an initialised tfjs backend.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRandom, writeModelFolder, type WrittenModel } from './testModels.ts';

function build(classes: number): tfl.LayersModel {
  const input = tfl.input({ batchShape: [null, 32, 32, 3], name: 'input_1' });
  const bnRelu6 = (x: tfl.SymbolicTensor, name: string) => {
    const b = tfl.layers.batchNormalization({ name: `${name}_bn`, axis: 3, epsilon: 0.001 }).apply(x);
    return tfl.layers.activation({ name: `${name}_relu`, activation: 'relu6' }).apply(b) as tfl.SymbolicTensor;
  };
  let x = tfl.layers.zeroPadding2d({ name: 'conv1_pad', padding: [[0, 1], [0, 1]] }).apply(input) as tfl.SymbolicTensor;
  x = bnRelu6(tfl.layers.conv2d({ name: 'conv1', filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false }).apply(x) as tfl.SymbolicTensor, 'conv1');
  for (const [i, stride, filters] of [[1, 1, 12], [2, 2, 16]] as const) {
    if (stride === 2) x = tfl.layers.zeroPadding2d({ name: `conv_pad_${i}`, padding: [[0, 1], [0, 1]] }).apply(x) as tfl.SymbolicTensor;
    const dw = tfl.layers.depthwiseConv2d({ name: `conv_dw_${i}`, kernelSize: 3, strides: stride, padding: stride === 2 ? 'valid' : 'same', useBias: false }).apply(x);
    x = bnRelu6(dw as tfl.SymbolicTensor, `conv_dw_${i}`);
    x = bnRelu6(tfl.layers.conv2d({ name: `conv_pw_${i}`, filters, kernelSize: 1, useBias: false }).apply(x) as tfl.SymbolicTensor, `conv_pw_${i}`);
  }
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }).apply(x);
  let h = tfl.layers.reshape({ name: 'reshape_1', targetShape: [1, 1, 16] }).apply(pooled);
  h = tfl.layers.dropout({ name: 'dropout', rate: 0.001 }).apply(h);
  h = tfl.layers.conv2d({ name: 'conv_preds', filters: classes, kernelSize: 1, padding: 'same' }).apply(h);
  h = tfl.layers.activation({ name: 'act_softmax', activation: 'softmax' }).apply(h);
  const out = tfl.layers.reshape({ name: 'reshape_2', targetShape: [classes] }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ name: 'mobilenet_1.00_224', inputs: input, outputs: out });
}

/** Writes the model with seeded weights (moving variances kept positive) as model.json + one shard. */
export async function writeTinyMobileNetV1(dir: string, opts: { classes?: number; seed?: number } = {}): Promise<WrittenModel> {
  const model = build(opts.classes ?? 1000);
  let topology: Record<string, unknown> = {};
  let specs: tf.io.WeightsManifestEntry[] = [];
  await model.save(tf.io.withSaveHandler(async (a) => {
    topology = a.modelTopology as Record<string, unknown>;
    specs = a.weightSpecs ?? [];
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  model.dispose();
  const rand = seededRandom(opts.seed ?? 2);
  const values: Record<string, Float32Array> = {};
  const entries = specs.map((spec) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const param = spec.name.split('/').pop()!;
    const [lo, hi] = param === 'moving_variance' || param === 'gamma' ? [0.5, 1.5] : param.endsWith('kernel') ? [-0.6, 0.6] : [-0.3, 0.3];
    const v = (values[spec.name] = Float32Array.from({ length: n }, () => lo + (hi - lo) * rand()));
    return { spec, bytes: new Uint8Array(v.buffer.slice(0)) };
  });
  const json = { format: 'layers-model', generatedBy: 'tfjs-layers', convertedBy: 'Reverie testModelsMobile', modelTopology: { model_config: topology, keras_version: 'tfjs-layers', backend: 'tensor_flow.js' } };
  const written = await writeModelFolder(dir, json, entries);
  return { ...written, weightSpecs: entries.map((e) => e.spec), values };
}
