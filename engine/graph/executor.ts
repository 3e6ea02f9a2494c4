// Runs a Graph forward to the requested layers, and backward with the input-gradient ops we own:
// each node's forward and backward come from its op's description (ops/). Only the nodes the targets
// depend on run; the backward pass visits them in reverse.
import * as tf from '@tensorflow/tfjs-core';
import { ancestors, type Graph, type GraphNode } from './graph.ts';
import { opOf } from './ops/index.ts';
import type { PreparedKernels } from './ops/types.ts';
import type { Activations, ObjectiveFn, ValueAndGradient } from './values.ts';

type Values = Map<string, tf.Tensor4D>;

export class GraphExecutor {
  /**
   * What backward passes derive once per node (flipped kernels, stride-phase sub-kernels), made on a
   * node's first backward pass: a host that only lists layers or runs forward never pays their memory.
   */
  private readonly preparedKernels = new Map<string, { value: unknown; dispose: (value: never) => void }>();
  private readonly prepared: PreparedKernels = {
    once: <T>(node: string, make: () => T, dispose: (value: T) => void): T => {
      let entry = this.preparedKernels.get(node);
      if (!entry) {
        entry = { value: make(), dispose: dispose as (value: never) => void };
        this.preparedKernels.set(node, entry);
      }
      return entry.value as T;
    },
  };

  constructor(readonly graph: Graph) {}

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
      values.set(node.name, opOf(node).forward(node, inputs));
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
    const { value: valueTensor, gradient } = this.valueAndGradientTensors(x, layers, objective);
    const value = valueTensor.dataSync()[0]!;
    valueTensor.dispose();
    return { value, gradient };
  }

  /**
   * The same with the value left as a tensor: backends whose synchronous read-back is slow or broken
   * (webgpu) read both with `await data()`. The caller owns both tensors.
   */
  valueAndGradientTensors(x: tf.Tensor4D, layers: readonly string[], objective: ObjectiveFn): { value: tf.Scalar; gradient: tf.Tensor4D } {
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
        const inputs = node.inputs.map((n) => values.get(n)!);
        const inputGrads = opOf(node).backward(node, dy, inputs, values.get(node.name)!, this.prepared);
        node.inputs.forEach((n, k) => accumulate(n, inputGrads[k]!));
        dy.dispose();
      }
      const dx = pending.get(this.inputName) ?? tf.zerosLike(x);
      return [value, dx] as const;
    });
    return { value: valueTensor, gradient };
  }

  dispose(): void {
    for (const { value, dispose } of this.preparedKernels.values()) dispose(value as never);
    this.preparedKernels.clear();
  }
}
