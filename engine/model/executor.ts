// Runs a Graph forward to the requested layers, and backward with the input-gradient ops we own.
// Only the nodes the targets depend on run; the backward pass visits them in reverse.
import * as tf from '@tensorflow/tfjs-core';
import { ancestors, type Graph, type GraphNode } from './graph.ts';
import { convInputGradient, disposeConvGradient, prepareConvGradient, type ConvGradKernels } from '../ops/conv.ts';
import { depthwiseInputGradient, flipDepthwiseKernel } from '../ops/depthwise.ts';
import { avgPoolInputGradient } from '../ops/pool.ts';
import { maxPoolInputGradientLoop } from '../ops/maxPoolJs.ts';
import { reluInputGradient } from '../ops/relu.ts';
import { concatInputGradients } from '../ops/concat.ts';
import { addInputGradients, clippedReluInputGradient, zeroPadInputGradient } from '../ops/residual.ts';
import { denseInputGradient, globalAvgPoolInputGradient } from '../ops/head.ts';
import { runNode } from './nodeForward.ts';
import type { Activations, ObjectiveFn, ValueAndGradient } from './types.ts';

/** dy through a (clipped) ReLU, from its output y; dy itself where there is none. */
function rectifierGradient(dy: tf.Tensor4D, y: tf.Tensor4D, node: { relu: boolean; clip?: number }): tf.Tensor4D {
  if (!node.relu) return dy;
  return node.clip === undefined ? reluInputGradient(dy, y) : clippedReluInputGradient(dy, y, node.clip);
}

type Values = Map<string, tf.Tensor4D>;

export class GraphExecutor {
  /**
   * Flipped kernels (and stride-phase sub-kernels) for the input-gradient convolutions, prepared on a
   * conv's first backward pass: a host that only lists layers or runs forward never pays their memory.
   */
  private readonly gradKernels = new Map<string, ConvGradKernels>();
  private readonly depthwiseKernels = new Map<string, tf.Tensor4D>();

  constructor(readonly graph: Graph) {}

  private gradKernelsOf(node: GraphNode & { op: 'conv' }): ConvGradKernels {
    let k = this.gradKernels.get(node.name);
    if (!k) {
      k = prepareConvGradient(node.kernel, node.spec);
      // Created inside valueAndGradient's tidy: keep them past it.
      tf.keep(k.flipped);
      k.phases?.flat().forEach((t) => t && tf.keep(t));
      this.gradKernels.set(node.name, k);
    }
    return k;
  }

  private flippedDepthwiseOf(node: GraphNode & { op: 'depthwise' }): tf.Tensor4D {
    let k = this.depthwiseKernels.get(node.name);
    if (!k) {
      k = tf.keep(flipDepthwiseKernel(node.kernel));
      this.depthwiseKernels.set(node.name, k);
    }
    return k;
  }

  private get inputName(): string {
    return this.graph.nodes.find((n) => n.op === 'input')!.name;
  }

  /** Forward pass over `plan`; with keepAll false, values are freed after their last reader. */
  private forward(x: tf.Tensor4D, plan: GraphNode[], keep: (name: string) => boolean): Values {
    const values: Values = new Map([[this.inputName, x]]);
    const lastUse = new Map<string, number>();
    plan.forEach((node, i) => node.inputs.forEach((n) => lastUse.set(n, i)));
    plan.forEach((node, i) => {
      if (node.op === 'input') return;
      const inputs = node.inputs.map((n) => values.get(n)!);
      values.set(node.name, runNode(node, inputs));
      for (const n of node.inputs) {
        if (lastUse.get(n) === i && !keep(n) && n !== this.inputName) {
          values.get(n)!.dispose();
          values.delete(n);
        }
      }
    });
    return values;
  }

  /** Activations of the named layers; the caller owns them. */
  activations(x: tf.Tensor4D, layers: readonly string[]): Activations {
    const wanted = new Set(layers);
    const values = this.forward(x, ancestors(this.graph, layers), (n) => wanted.has(n));
    const out: Activations = {};
    for (const [name, t] of values) {
      if (wanted.has(name)) out[name] = t;
      else if (t !== x) t.dispose();
    }
    return out;
  }

  valueAndGradient(x: tf.Tensor4D, layers: readonly string[], objective: ObjectiveFn): ValueAndGradient {
    const plan = ancestors(this.graph, layers);
    const [valueTensor, gradient] = tf.tidy(() => {
      // Backward needs each node's inputs (pools) or outputs (ReLU masks): keep everything in the plan.
      const values = this.forward(x, plan, () => true);
      const acts = layers.map((l) => values.get(l)!);
      const { value, grads } = tf.valueAndGrads((...a: tf.Tensor[]) => objective(Object.fromEntries(layers.map((l, i) => [l, a[i] as tf.Tensor4D]))))(acts);
      const pending = new Map<string, tf.Tensor4D>();
      const accumulate = (name: string, g: tf.Tensor4D): void => {
        const prev = pending.get(name);
        pending.set(name, prev ? tf.add(prev, g) : g);
        if (prev) {
          prev.dispose();
          g.dispose();
        }
      };
      layers.forEach((l, i) => accumulate(l, grads[i] as tf.Tensor4D));
      for (let i = plan.length - 1; i >= 0; i--) {
        const node = plan[i]!;
        const dy = pending.get(node.name);
        if (!dy || node.op === 'input') continue;
        pending.delete(node.name);
        const inputGrads = this.backNode(node, dy, node.inputs.map((n) => values.get(n)!), values.get(node.name)!);
        node.inputs.forEach((n, k) => accumulate(n, inputGrads[k]!));
        dy.dispose();
      }
      const dx = pending.get(this.inputName) ?? tf.zerosLike(x);
      return [value, dx] as const;
    });
    const value = valueTensor.dataSync()[0]!;
    valueTensor.dispose();
    return { value, gradient };
  }

  private backNode(node: GraphNode, dy: tf.Tensor4D, inputs: tf.Tensor4D[], y: tf.Tensor4D): tf.Tensor4D[] {
    const x = inputs[0]!;
    switch (node.op) {
      case 'input':
        return [];
      case 'conv':
      case 'depthwise': {
        const dPre = rectifierGradient(dy, y, node);
        const dx =
          node.op === 'conv'
            ? convInputGradient(dPre, node.kernel, x.shape, node.spec, this.gradKernelsOf(node))
            : depthwiseInputGradient(dPre, node.kernel, x.shape, node.spec, this.flippedDepthwiseOf(node));
        if (dPre !== dy) dPre.dispose();
        return [dx];
      }
      case 'maxpool':
        return [maxPoolInputGradientLoop(dy, x, node.spec)];
      case 'avgpool':
        return [avgPoolInputGradient(dy, x.shape, node.spec)];
      case 'concat':
        return concatInputGradients(dy, inputs.map((t) => t.shape[3]));
      case 'relu':
        return [rectifierGradient(dy, y, { relu: true, ...(node.clip === undefined ? {} : { clip: node.clip }) })];
      case 'affine':
        return [tf.mul(dy, node.scale)];
      case 'add':
        return addInputGradients(dy, inputs.length);
      case 'pad':
        return [zeroPadInputGradient(dy, node.pads)];
      case 'gap':
        return [globalAvgPoolInputGradient(dy, x.shape)];
      case 'dense':
        return [denseInputGradient(dy, node.kernel, y, node.relu)];
    }
  }

  dispose(): void {
    for (const k of this.gradKernels.values()) disposeConvGradient(k);
    this.gradKernels.clear();
    tf.dispose([...this.depthwiseKernels.values()]);
    this.depthwiseKernels.clear();
  }
}
