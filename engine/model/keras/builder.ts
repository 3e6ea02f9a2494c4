// The bookkeeping of turning Keras layers into graph nodes: names (fusion renames nodes, aliases keep
// Keras names resolvable), weights by name, BN folding, skipped head layers, and what to dispose.
import * as tf from '@tensorflow/tfjs-core';
import { ModelLoadError } from '../../shared/errors.ts';
import { foldBatchNorm, type BatchNormParams } from './fold.ts';
import { nodeWeights, type Classifier, type Graph, type GraphNode } from '../../graph/graph.ts';
import { opOf } from '../../graph/ops/index.ts';

export interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

export function pair(v: unknown): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  return [Number(a[0]), Number(a[1])];
}

type ConvLike = GraphNode & { op: 'conv' | 'depthwise' };

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly byName = new Map<string, GraphNode>();
  readonly fusedInto = new Map<string, string>();
  readonly skipped: string[] = [];
  /** Why the first skipped head layer was skipped, for the classifier's refusal message. */
  headReason: string | undefined;
  private readonly consumers = new Map<string, KerasLayer[]>();

  constructor(
    layers: readonly KerasLayer[],
    private readonly weights: tf.NamedTensorMap,
    readonly file: string,
  ) {
    for (const l of layers) for (const n of this.inboundNames(l)) this.consumers.set(n, [...(this.consumers.get(n) ?? []), l]);
  }

  inboundNames(layer: KerasLayer): string[] {
    if (layer.inbound_nodes.length === 0) return [];
    if (layer.inbound_nodes.length > 1) {
      throw new ModelLoadError(this.file, `layer "${layer.name}" is shared (called ${layer.inbound_nodes.length} times); shared layers are not supported.`);
    }
    return (layer.inbound_nodes[0] as unknown[][]).map((entry) => String(entry[0]));
  }

  /** Resolves a Keras name to the node now carrying it (fusion renames nodes). */
  resolve(name: string): GraphNode | undefined {
    return this.byName.get(this.fusedInto.get(name) ?? name);
  }

  /** The layer's input nodes; null (and the layer skipped) when it reads a skipped layer. */
  inputsOf(layer: KerasLayer): GraphNode[] | null {
    const names = this.inboundNames(layer);
    if (names.some((n) => this.skipped.includes(n))) {
      this.skipped.push(layer.name);
      return null;
    }
    return names.map((n) => {
      const node = this.resolve(n);
      if (!node) throw new ModelLoadError(this.file, `layer "${layer.name}" takes input "${n}", which is not defined before it.`);
      return node;
    });
  }

  base(layer: KerasLayer, inputs: readonly GraphNode[]) {
    const head = inputs.some((n) => n.head);
    return { name: layer.name, inputs: inputs.map((n) => n.name), layers: [layer.name], trainable: layer.config['trainable'] !== false, ...(head ? { head } : {}) };
  }

  /** A chain may fuse into its input only where nothing else reads the intermediate value. */
  fusable(layer: KerasLayer, inputs: readonly GraphNode[]): boolean {
    const names = this.inboundNames(layer);
    return inputs.length === 1 && names.length === 1 && this.consumers.get(names[0]!)?.length === 1;
  }

  /** A pooling read only by Flatten is the classifier's own pooling (nsfwjs's heads): part of the head. */
  feedsOnlyFlatten(layer: KerasLayer): boolean {
    const readers = this.consumers.get(layer.name) ?? [];
    return /Pooling2D$/.test(layer.class_name) && readers.length > 0 && readers.every((r) => r.class_name === 'Flatten');
  }

  skip(layer: KerasLayer, reason: string): void {
    this.skipped.push(layer.name);
    this.headReason ??= reason;
  }

  weight(layer: string, param: string, required: boolean): tf.Tensor | null {
    const key = Object.keys(this.weights).find((k) => k === `${layer}/${param}` || k.endsWith(`/${layer}/${param}`) || k === `${layer}/${param}:0`);
    if (!key) {
      if (required) throw new ModelLoadError(this.file, `weight "${layer}/${param}" is missing from the weights manifest.`);
      return null;
    }
    return this.weights[key]!;
  }

  private readonly channels = new Map<GraphNode, number>();

  /** The channel count of a node's output (channels_last): its op's shape rule on 1x1 inputs (memoised: Inception's branches rejoin). */
  channelsOf(node: GraphNode): number {
    let c = this.channels.get(node);
    if (c === undefined) {
      const inputs = node.inputs.map((n): [number, number, number] => [1, 1, this.channelsOf(this.resolve(n)!)]);
      c = opOf(node).shape(node, inputs, [1, 1, this.inputChannels])[2];
      this.channels.set(node, c);
    }
    return c;
  }

  /** Channels of the model's input image (InputLayer's batch_input_shape; 3 when it does not say). */
  inputChannels = 3;

  /**
   * A weight whose shape does not fit its layer (a manifest from another model, a hand-edited file)
   * would otherwise load and fail mid-dream, or broadcast silently; NaN in `expected` matches anything.
   */
  expectShape(layer: string, param: string, t: tf.Tensor, expected: readonly number[]): void {
    const ok = t.shape.length === expected.length && expected.every((d, i) => Number.isNaN(d) || t.shape[i] === d);
    if (!ok) {
      const want = expected.map((d) => (Number.isNaN(d) ? '?' : String(d))).join(',');
      throw new ModelLoadError(this.file, `weight "${layer}/${param}" has shape [${t.shape.join(',')}], but layer "${layer}" needs [${want}].`);
    }
  }

  batchNorm(layer: KerasLayer, channels: number): BatchNormParams {
    const cfg = layer.config;
    const param = (name: string) => {
      const t = this.weight(layer.name, name, true) as tf.Tensor1D;
      this.expectShape(layer.name, name, t, [channels]);
      return t;
    };
    return {
      mean: param('moving_mean'),
      variance: param('moving_variance'),
      epsilon: Number(cfg['epsilon'] ?? 1e-3),
      beta: cfg['center'] === false ? null : param('beta'),
      gamma: cfg['scale'] === false ? null : param('gamma'),
    };
  }

  /**
   * Folds a BatchNormalization into the conv before it. A depthwise kernel [kh,kw,C,m] scales its output
   * channel c*m+k, which is its memory order: fold it as [kh,kw,1,C*m]. The unfolded tensors stay in
   * `weights` and are disposed by finish().
   */
  foldInto(node: ConvLike, bn: BatchNormParams, layer: KerasLayer): void {
    const folded =
      node.op === 'conv'
        ? foldBatchNorm(node.kernel, node.bias, bn)
        : tf.tidy(() => {
            const [kh, kw, c, m] = node.kernel.shape;
            const f = foldBatchNorm(tf.reshape(node.kernel, [kh, kw, 1, c * m]), node.bias, bn);
            return { kernel: tf.reshape(f.kernel, [kh, kw, c, m]) as tf.Tensor4D, bias: f.bias };
          });
    if (!this.ownsWeight(node.kernel)) node.kernel.dispose();
    if (node.bias && !this.ownsWeight(node.bias)) node.bias.dispose();
    Object.assign(node, folded);
    node.trainable ||= layer.config['trainable'] !== false;
    this.rename(node, layer.name);
  }

  private ownsWeight(t: tf.Tensor): boolean {
    return Object.values(this.weights).includes(t);
  }

  add(node: GraphNode): void {
    this.nodes.push(node);
    this.byName.set(node.name, node);
  }

  rename(node: GraphNode, newName: string): void {
    this.byName.delete(node.name);
    for (const old of node.layers) this.fusedInto.set(old, newName);
    node.name = newName;
    node.layers.push(newName);
    this.byName.set(newName, node);
    this.fusedInto.delete(newName);
  }

  /** A layer that computes nothing at inference (Dropout, Flatten of a 1x1 map): its name reads `node`. */
  alias(name: string, node: GraphNode): void {
    this.fusedInto.set(name, node.name);
    node.layers.push(name);
  }

  /** After a load error: frees every weight and every tensor made so far (folded kernels among them). */
  abandon(): void {
    const tensors = new Set<tf.Tensor>(Object.values(this.weights));
    for (const n of this.nodes) nodeWeights(n).forEach((t) => tensors.add(t));
    for (const t of tensors) if (!t.isDisposed) t.dispose();
  }

  finish(classifier: Classifier | undefined): Graph {
    if (!this.nodes.some((n) => n.op === 'input')) throw new ModelLoadError(this.file, 'the model has no InputLayer.');
    // Weights of the skipped head (and any unused ones) are not needed.
    const kept = new Set<tf.Tensor>();
    for (const n of this.nodes) nodeWeights(n).forEach((t) => kept.add(t));
    for (const t of Object.values(this.weights)) if (!kept.has(t)) t.dispose();
    return { nodes: this.nodes, byName: this.byName, fusedInto: this.fusedInto, skipped: this.skipped, ...(classifier ? { classifier } : {}) };
  }
}
