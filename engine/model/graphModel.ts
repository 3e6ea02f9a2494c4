// DreamModel for TF.js graph models (GraphDef JSON), run by tfjs-converter's GraphModel.
import * as tf from '@tensorflow/tfjs-core';
import { GraphModel, registerOp, type GraphNode } from '@tensorflow/tfjs-converter';
import { join } from 'node:path';
import { ModelLoadError, UnknownLayerError } from '../shared/errors.ts';
import type { Activations, DreamModel, LayerInfo, ObjectiveFn, ValueAndGradient } from '../shared/model.ts';
import type { ModelFiles } from './files/modelJson.ts';

interface NodeDef {
  name: string;
  op: string;
  input?: string[];
}

/** Dreamable ops; activations count as 'conv' (the rectified conv output is what users dream on). */
const KIND_BY_OP: Record<string, LayerInfo['kind']> = {
  Conv2D: 'conv', _FusedConv2D: 'conv', DepthwiseConv2dNative: 'conv', FusedDepthwiseConv2dNative: 'conv',
  Relu: 'conv', Relu6: 'conv', Elu: 'conv', Selu: 'conv', LeakyRelu: 'conv', Sigmoid: 'conv', Tanh: 'conv',
  MaxPool: 'pool', AvgPool: 'pool',
  ConcatV2: 'concat', Concat: 'concat',
  BiasAdd: 'other', Add: 'other', AddV2: 'other', FusedBatchNorm: 'other', FusedBatchNormV3: 'other',
};

/** The file errors name: model.json itself (the id is its folder, its URL, or an embedded name). */
function modelFile(files: ModelFiles): string {
  return /^[a-z]+:/i.test(files.id) || files.id.endsWith('.json') ? files.id : join(files.id, 'model.json');
}

function inputRangeOf(meta: Record<string, unknown> | undefined): readonly [number, number] {
  const r = meta?.['inputRange'];
  if (Array.isArray(r) && r.length === 2 && typeof r[0] === 'number' && typeof r[1] === 'number' && r[0] < r[1]) return [r[0], r[1]];
  return [-1, 1];
}

/** Per output position along one axis: how many real (unpadded) pixels a 'same' window covers. */
function validCounts(n: number, k: number, s: number): number[] {
  const out = Math.ceil(n / s);
  const before = Math.floor(Math.max((out - 1) * s + k - n, 0) / 2);
  return Array.from({ length: out }, (_, o) => Math.min(o * s - before + k, n) - Math.max(o * s - before, 0));
}

/**
 * Average pooling, 'same' padding: each window is divided by its count of real pixels (TF semantics, and
 * tfjs's forward). tfjs's AvgPool gradient divides by the full window instead, wrong at every border, so
 * scale dy by window / count before handing it to the AvgPoolGrad kernel.
 */
export function avgPoolSame(x: tf.Tensor4D, k: [number, number], strides: [number, number]): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    (args[1] as tf.GradSaveFunc)([input]);
    return {
      value: tf.avgPool(input, k, strides, 'same'),
      gradFunc: (dy: tf.Tensor4D, [saved]: tf.Tensor[]) => {
        const [, h, w] = saved!.shape;
        const counts = tf.outerProduct(validCounts(h!, k[0], strides[0]), validCounts(w!, k[1], strides[1]));
        const scaled = tf.mul(dy, tf.div(k[0] * k[1], tf.reshape(counts, [1, ...counts.shape, 1])));
        return tf.engine().runKernel('AvgPoolGrad', { dy: scaled, input: saved! }, { filterSize: k, strides, pad: 'same' }) as tf.Tensor;
      },
    };
  });
  return op(x);
}

/** Converter ops read the registry when a graph is parsed, so this precedes every load (global, idempotent). */
function registerExactAvgPool(): void {
  registerOp('AvgPool', (node: GraphNode) => {
    const x = node.inputs[0] as tf.Tensor4D;
    const [, kh = 1, kw = 1] = node.attrs['ksize'] as number[];
    const [, sh = 1, sw = 1] = node.attrs['strides'] as number[];
    if (String(node.attrs['data_format'] ?? 'nhwc') !== 'nhwc') throw new Error(`AvgPool ${node.attrs['data_format']} layout is not supported`);
    return node.attrs['padding'] === 'same' ? avgPoolSame(x, [kh, kw], [sh, sw]) : tf.avgPool(x, [kh, kw], [sh, sw], 'valid');
  });
}

/** tfjs-converter defers unknown ops to run time; its parsed graph (internal) marks them with no category. */
function unsupportedOps(model: GraphModel): string[] {
  const nodes = (model as unknown as { executor?: { graph?: { nodes?: Record<string, { op: string; category?: string }> } } }).executor?.graph?.nodes;
  return [...new Set(Object.values(nodes ?? {}).filter((n) => n.category === undefined).map((n) => n.op))];
}

/** Candidate layers: nodes of dreamable ops fed (transitively) by the image input, in graph order. */
function reachableLayers(nodes: readonly NodeDef[], input: string): NodeDef[] {
  const reached = new Set([input]);
  // GraphDef JSON lists nodes in topological order in practice; iterate to a fixpoint in case it does not.
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of nodes) {
      if (reached.has(n.name)) continue;
      if ((n.input ?? []).some((i) => reached.has(i.replace(/^\^/, '').replace(/:\d+$/, '')))) {
        reached.add(n.name);
        changed = true;
      }
    }
  }
  return nodes.filter((n) => reached.has(n.name) && n.name !== input && KIND_BY_OP[n.op] !== undefined);
}

export async function loadGraphDreamModel(files: ModelFiles): Promise<DreamModel> {
  const file = modelFile(files);
  const topology = files.modelTopology as { node?: NodeDef[] } | undefined;
  if (files.format !== 'graph-model' || !Array.isArray(topology?.node)) throw new ModelLoadError(file, 'not a TF.js graph model (no modelTopology.node list).');
  // The converter reads versions.producer unconditionally; hand-written graphs may leave it out.
  const modelTopology = { versions: {}, ...topology };
  const artifacts: tf.io.ModelArtifacts = { format: 'graph-model', modelTopology, weightSpecs: files.weightSpecs, weightData: files.weightData };
  registerExactAvgPool();
  const model = new GraphModel({ load: async () => artifacts });
  try {
    // loadSync decodes the weights before parsing the graph; tidy frees them if parsing throws.
    tf.tidy(() => {
      model.loadSync(artifacts);
      return Object.values(model.weights).flat();
    });
  } catch (err) {
    throw new ModelLoadError(file, `tfjs-converter could not load the graph: ${(err as Error).message}`);
  }
  const fail = (problem: string): never => {
    model.dispose();
    throw new ModelLoadError(file, problem);
  };
  const bad = unsupportedOps(model);
  if (bad.length) fail(`uses ops tfjs-converter does not support: ${bad.join(', ')}.`);
  const image = model.inputs.find((i) => i.dtype !== 'string' && (i.shape === undefined || (i.shape.length === 4 && (i.shape[3] === 3 || i.shape[3] === -1))));
  if (!image) fail(`graph has no 4-D image input [batch, height, width, 3]; inputs: ${model.inputs.map((i) => `${i.name} ${JSON.stringify(i.shape)}`).join(', ') || 'none'}.`);
  const candidates = reachableLayers(topology.node, image!.name);
  if (!candidates.length) fail('no convolution, activation, pooling or concat node is fed by the image input.');
  return new GraphDreamModel(files, model, image!, candidates);
}

class GraphDreamModel implements DreamModel {
  readonly id: string;
  readonly description: string;
  readonly inputRange: readonly [number, number];
  readonly defaultInputSize: number;
  private readonly known: Map<string, NodeDef>;
  private readonly shapes = new Map<string, LayerInfo[]>();

  constructor(
    files: ModelFiles,
    private readonly model: GraphModel,
    private readonly input: { name: string; shape?: number[] },
    candidates: NodeDef[],
  ) {
    this.id = files.id;
    this.description = `TF.js graph model from ${files.id}`;
    this.inputRange = inputRangeOf(files.userDefinedMetadata);
    const size = [input.shape?.[1], files.userDefinedMetadata?.['defaultInputSize']].find((v) => typeof v === 'number' && v > 0);
    this.defaultInputSize = typeof size === 'number' ? size : 224;
    this.known = new Map(candidates.map((n) => [n.name, n]));
  }

  /** Shapes come from one forward pass on zeros at this size (graph JSON rarely carries shapes). */
  layers(height: number, width: number): LayerInfo[] {
    const key = `${height}x${width}`;
    const cached = this.shapes.get(key);
    if (cached) return cached;
    const names = [...this.known.keys()];
    const shapes = tf.tidy(() => this.run(tf.zeros([1, height, width, 3]), names).map((t) => t.shape));
    const infos: LayerInfo[] = [];
    names.forEach((name, i) => {
      const s = shapes[i];
      const kind = KIND_BY_OP[this.known.get(name)!.op] ?? 'other';
      if (s?.length === 4) infos.push({ name, kind, height: s[1]!, width: s[2]!, channels: s[3]!, training: 'unknown' });
    });
    // No named blocks in a bare graph: concat outputs (Inception-style block ends) come first.
    const ordered = [...infos.filter((l) => l.kind === 'concat'), ...infos.filter((l) => l.kind !== 'concat')];
    this.shapes.set(key, ordered);
    return ordered;
  }

  activations(x: tf.Tensor4D, layers: readonly string[]): Activations {
    const outs = this.run(x, layers);
    return Object.fromEntries(layers.map((name, i) => [name, outs[i] as tf.Tensor4D]));
  }

  /**
   * Graph models go through tfjs autodiff: exact for the ops tfjs implements gradients for, but slower
   * than the layers executor's hand-written gradients (and tfjs's AvgPool 'same' gradient is off at borders).
   */
  valueAndGradient(x: tf.Tensor4D, layers: readonly string[], objective: ObjectiveFn): ValueAndGradient {
    this.check(layers);
    let result: { value: tf.Scalar; grad: tf.Tensor };
    try {
      result = tf.valueAndGrad((input: tf.Tensor4D) => objective(this.activations(input, layers)))(x);
    } catch (err) {
      // e.g. wasm has no DepthwiseConv2dNativeBackpropInput kernel: say what to do instead.
      const m = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec((err as Error).message);
      if (m) throw new Error(`${this.id}: this graph's gradient needs tfjs kernel ${m[1]}, which the ${m[2]} backend lacks; use --backend cpu or tensorflow.`);
      throw err;
    }
    const { value, grad } = result;
    const v = value.dataSync()[0] ?? NaN;
    value.dispose();
    return { value: v, gradient: grad as tf.Tensor4D };
  }

  dispose(): void {
    this.model.dispose();
  }

  private check(layers: readonly string[]): void {
    for (const name of layers) if (!this.known.has(name)) throw new UnknownLayerError(name, [...this.known.keys()]);
  }

  private run(x: tf.Tensor4D, names: readonly string[]): tf.Tensor[] {
    this.check(names);
    const fixed = this.input.shape;
    if (fixed && ((fixed[1]! > 0 && fixed[1] !== x.shape[1]) || (fixed[2]! > 0 && fixed[2] !== x.shape[2]))) {
      throw new Error(`${this.id}: the graph's input is fixed at ${fixed[1]}x${fixed[2]}; got ${x.shape[1]}x${x.shape[2]}.`);
    }
    const out = this.model.execute({ [this.input.name]: x }, [...names]);
    return Array.isArray(out) ? out : [out as tf.Tensor];
  }
}
