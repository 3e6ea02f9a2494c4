// Writes small, real models to a folder for tests: a Keras-2.2.4-style layers model shaped like the
// stem + first Inception block of nsfwjs's InceptionV3, and a hand-written TF.js graph model.
// Needs an initialised tfjs backend (tfjs-layers builds the layers model's topology).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tinyGraphDef } from './tinyGraph.ts';
import { seededRandom } from '../../engine/shared/random.ts';

export interface TinyModelOptions {
  /** PRNG seed for the weights (default 1). */
  seed?: number;
  /** Store weights uint8-quantized like nsfwjs (value = min + scale * q). */
  quantize?: 'uint8';
  /** Split the weight buffer into this many shards (default 1: group1-shard1of1.bin). */
  shards?: number;
  /** Add a Flatten + Dense head after mixed0, like nsfwjs's classifier head. */
  head?: boolean;
  /** Instead, a GlobalAveragePooling2D + Dense(classes, softmax) "predictions" head, like Keras's ImageNet models. */
  classes?: number;
  userDefinedMetadata?: Record<string, unknown>;
}

export interface WrittenModel {
  modelJsonPath: string;
  shardPaths: string[];
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** Weight values before quantization, by name. */
  values: Record<string, Float32Array>;
}

/** The engine's seeded PRNG (mulberry32), re-exported for the test-model writers. */
export { seededRandom };

/** Layers whose `trainable` flag is true, so provenance handling can be tested (nsfwjs: frozen = ImageNet). */
const TRAINABLE = new Set(['average_pooling2d_1', 'conv2d_3', 'batch_normalization_3', 'activation_3', 'flatten_1', 'dense_1']);

function buildTinyKeras(head: boolean, classes?: number): tfl.LayersModel {
  const input = tfl.input({ batchShape: [null, 32, 32, 3], name: 'input_1' });
  const unit = (x: tfl.SymbolicTensor, n: number, filters: number, k: number): tfl.SymbolicTensor => {
    const c = tfl.layers.conv2d({ name: `conv2d_${n}`, filters, kernelSize: k, padding: 'same', useBias: false }).apply(x);
    const b = tfl.layers.batchNormalization({ name: `batch_normalization_${n}`, axis: 3, epsilon: 0.001, scale: false, center: true }).apply(c);
    return tfl.layers.activation({ name: `activation_${n}`, activation: 'relu' }).apply(b) as tfl.SymbolicTensor;
  };
  const stem = unit(input, 1, 8, 3);
  const pool = tfl.layers.maxPooling2d({ name: 'max_pooling2d_1', poolSize: 3, strides: 2, padding: 'valid' }).apply(stem) as tfl.SymbolicTensor;
  const a = unit(pool, 2, 4, 1);
  const avg = tfl.layers.averagePooling2d({ name: 'average_pooling2d_1', poolSize: 3, strides: 1, padding: 'same' }).apply(pool) as tfl.SymbolicTensor;
  const b = unit(avg, 3, 4, 1);
  let out = tfl.layers.concatenate({ name: 'mixed0', axis: 3 }).apply([a, b]) as tfl.SymbolicTensor;
  if (head) {
    const flat = tfl.layers.flatten({ name: 'flatten_1' }).apply(out);
    out = tfl.layers.dense({ name: 'dense_1', units: 5, activation: 'softmax' }).apply(flat) as tfl.SymbolicTensor;
  } else if (classes) {
    const pooled = tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }).apply(out);
    out = tfl.layers.dense({ name: 'predictions', units: classes, activation: 'softmax' }).apply(pooled) as tfl.SymbolicTensor;
  }
  return tfl.model({ name: 'model_1', inputs: input, outputs: out });
}

/** Rewrites tfjs-layers' JSON into the Keras 2.2.4 layout nsfwjs ships (model_config wrapper, flags). */
function toKeras224(topology: Record<string, unknown>): Record<string, unknown> {
  const model = structuredClone(topology) as { class_name: string; config: { layers: { name: string; class_name: string; config: Record<string, unknown> }[] } };
  for (const layer of model.config.layers) {
    if (layer.class_name === 'InputLayer') continue;
    layer.config['trainable'] = TRAINABLE.has(layer.name);
    const init = layer.config['kernel_initializer'] as { config?: Record<string, unknown> } | undefined;
    if (init?.config && layer.class_name === 'Conv2D') init.config['distribution'] = 'uniform'; // Keras 2.2.4's glorot_uniform
    if (layer.class_name === 'Flatten') layer.config['data_format'] = 'channels_last';
  }
  return { keras_version: '2.2.4', backend: 'tensorflow', model_config: { class_name: 'Model', config: model.config } };
}

function randomValues(spec: tf.io.WeightsManifestEntry, rand: () => number): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const uniform = (lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
  const param = spec.name.split('/').pop();
  if (param === 'kernel') {
    const fanIn = spec.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const lim = Math.sqrt(6 / (fanIn + (spec.shape.at(-1) ?? 1)));
    return uniform(-lim, lim);
  }
  if (param === 'moving_variance') return uniform(0.5, 1.5); // must be positive
  return uniform(-0.3, 0.3); // beta, moving_mean, bias
}

function encode(spec: tf.io.WeightsManifestEntry, v: Float32Array, quantize?: 'uint8'): { spec: tf.io.WeightsManifestEntry; bytes: Uint8Array } {
  if (!quantize) return { spec, bytes: new Uint8Array(v.buffer.slice(0)) };
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) [min, max] = [Math.min(min, x), Math.max(max, x)];
  const scale = max > min ? (max - min) / 255 : 1;
  const bytes = Uint8Array.from(v, (x) => Math.round((x - min) / scale));
  return { spec: { ...spec, quantization: { min, scale, dtype: 'uint8' } }, bytes };
}

/** Writes model.json + shards; splits the buffer into `shards` nearly equal pieces (weights may straddle). */
export async function writeModelFolder(
  dir: string,
  json: Record<string, unknown>,
  entries: { spec: tf.io.WeightsManifestEntry; bytes: Uint8Array }[],
  shards = 1,
): Promise<{ modelJsonPath: string; shardPaths: string[] }> {
  await mkdir(dir, { recursive: true });
  const all = new Uint8Array(entries.reduce((a, e) => a + e.bytes.byteLength, 0));
  entries.reduce((at, e) => (all.set(e.bytes, at), at + e.bytes.byteLength), 0);
  const size = Math.ceil(all.byteLength / shards);
  const paths = Array.from({ length: shards }, (_, i) => `group1-shard${i + 1}of${shards}.bin`);
  await Promise.all(paths.map((p, i) => writeFile(join(dir, p), all.subarray(i * size, (i + 1) * size))));
  const modelJsonPath = join(dir, 'model.json');
  await writeFile(modelJsonPath, JSON.stringify({ ...json, weightsManifest: [{ paths, weights: entries.map((e) => e.spec) }] }));
  return { modelJsonPath, shardPaths: paths.map((p) => join(dir, p)) };
}

/** Input 32x32x3 → conv3x3/BN/relu → maxpool 3x3 s2 → [conv1x1/BN/relu, avgpool 3x3 same → conv1x1/BN/relu] → mixed0. */
export async function writeTinyLayersModel(dir: string, opts: TinyModelOptions = {}): Promise<WrittenModel> {
  const model = buildTinyKeras(opts.head ?? false, opts.classes);
  let topology: Record<string, unknown> = {};
  let specs: tf.io.WeightsManifestEntry[] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      topology = artifacts.modelTopology as Record<string, unknown>;
      specs = artifacts.weightSpecs ?? [];
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  // Keras's HDF5 export lists weights by name, not by layer order; mirror that so consumers look up by name.
  specs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rand = seededRandom(opts.seed ?? 1);
  const values: Record<string, Float32Array> = {};
  const entries = specs.map((s) => encode(s, (values[s.name] = randomValues(s, rand)), opts.quantize));
  const json = {
    format: 'layers-model',
    generatedBy: 'keras v2.2.4',
    convertedBy: 'Reverie testModels',
    modelTopology: toKeras224(topology),
    ...(opts.userDefinedMetadata ? { userDefinedMetadata: opts.userDefinedMetadata } : {}),
  };
  const written = await writeModelFolder(dir, json, entries, opts.shards ?? 1);
  return { ...written, weightSpecs: entries.map((e) => e.spec), values };
}

/** A TF.js graph model (GraphDef JSON): Placeholder → Conv2D+BiasAdd+Relu → MaxPool → two branches → ConcatV2 'mixed0' → Mean. */
export async function writeTinyGraphModel(dir: string, opts: Omit<TinyModelOptions, 'head' | 'quantize'> = {}): Promise<WrittenModel> {
  const { nodes, weights } = tinyGraphDef();
  const rand = seededRandom(opts.seed ?? 1);
  const values: Record<string, Float32Array> = {};
  const entries = weights.map(({ spec, ints }) =>
    ints ? { spec, bytes: new Uint8Array(Int32Array.from(ints).buffer) } : encode(spec, (values[spec.name] = randomValues(spec, rand))),
  );
  const json = {
    format: 'graph-model',
    generatedBy: 'hand-written GraphDef',
    convertedBy: 'Reverie testModels',
    modelTopology: { node: nodes, library: {}, versions: { producer: 1482 } },
    ...(opts.userDefinedMetadata ? { userDefinedMetadata: opts.userDefinedMetadata } : {}),
  };
  const written = await writeModelFolder(dir, json, entries, opts.shards ?? 1);
  return { ...written, weightSpecs: entries.map((e) => e.spec), values };
}
