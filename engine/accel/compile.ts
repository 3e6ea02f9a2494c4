// Compiles the part of a Graph that reaches the requested layers into one ONNX graph that runs the
// forward pass and our hand-written backward pass together: inputs are the image (NHWC) and d(objective)/d(layer)
// for each requested layer ("seeds"); outputs are the layers' activations and the image gradient.
// Each op's lowering lives with its description (graph/ops/): every input gradient is a plain op (Conv
// with flipped kernels, ConvTranspose, ScatterElements for max pooling, a sum-pool for average pooling),
// so the gradient is the same exact one the tfjs executor computes. This file only walks the plan.
import { type Graph, type GraphNode, ancestors, inferShapes } from '../graph/graph.ts';
import { opOf } from '../graph/ops/index.ts';
import { CPU_LOWERING, type Lowering, type Nchw, type OnnxLowering } from '../graph/ops/onnx.ts';

export { CPU_LOWERING, type Lowering };
import type { AttrValue, OnnxGraph, OnnxNode, OnnxTensor } from '../graph/onnxProto.ts';

export class UnsupportedGraphError extends Error {
  override name = 'UnsupportedGraphError';
}

/** Nodes' weights in ONNX layouts, converted once per model and shared by every compiled size. */
export class WeightStore {
  private readonly cache = new Map<string, unknown>();

  of<T>(node: string, convert: () => T): T {
    if (!this.cache.has(node)) this.cache.set(node, convert());
    return this.cache.get(node) as T;
  }
}

/** Which graph nodes the ONNX route can run: those whose op has a lowering; anything else (heads, affine BN) stays on tfjs. */
export function supportsPlan(plan: readonly GraphNode[]): boolean {
  return plan.every((n) => opOf(n).onnx !== undefined);
}

export interface CompiledShape {
  /** NHWC input shape the graph was compiled for. */
  input: [number, number, number, number];
  layers: readonly string[];
  /** NHWC shapes of the requested layers, in `layers` order. */
  layerShapes: [number, number, number, number][];
}

export const IMAGE = 'image';
export const GRADIENT = 'gradient';
export const seedName = (layer: string) => `seed:${layer}`;
export const actName = (layer: string) => `act:${layer}`;

export function compileDreamGraph(
  graph: Graph,
  layers: readonly string[],
  input: [number, number, number, number],
  weights: WeightStore,
  lowering: Lowering = CPU_LOWERING,
): { onnx: OnnxGraph; shape: CompiledShape } {
  const plan = ancestors(graph, layers);
  const lowerings = plan.map((node) => {
    const onnx = opOf(node).onnx;
    if (!onnx) throw new UnsupportedGraphError(`node "${node.name}" (${node.op}) has no ONNX lowering`);
    return onnx;
  });
  const [n, height, width, channels] = input;
  const shapes = inferShapes(graph, height, width, channels);
  const nchw = (name: string): Nchw => {
    const [h, w, c] = shapes.get(name)!;
    if (h <= 0 || w <= 0) throw new UnsupportedGraphError(`layer "${name}" has no pixels at ${height}x${width}`);
    return [n, c, h, w];
  };
  // An input too small for some window: the tfjs executor reports it the usual way.
  plan.forEach((p) => nchw(p.name));

  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  let counter = 0;
  const fresh = (hint: string) => `${hint}#${counter++}`;
  const constant = (hint: string, dims: number[], data: Float32Array | BigInt64Array): string => {
    const name = fresh(`const:${hint}`);
    initializers.push({ name, dims, data });
    return name;
  };
  // Backward: each value's gradient is the sum of what its readers (and its seed) send it.
  const contributions = new Map<string, string[]>();
  const ctx: OnnxLowering = {
    emit: (op: string, inputs: string[], outputs: string[], attrs?: Record<string, AttrValue>) => void nodes.push({ op, inputs, outputs, ...(attrs ? { attrs } : {}) }),
    fresh,
    constant,
    ints: (hint, values) => constant(hint, [values.length], BigInt64Array.from(values.map(BigInt))),
    zero: constant('zero', [], Float32Array.of(0)),
    nchw,
    send: (to, grad) => contributions.set(to, [...(contributions.get(to) ?? []), grad]),
    weights: (node, convert) => weights.of(node, convert),
    named: new Map(),
    image: IMAGE,
    gradient: GRADIENT,
    lowering,
    sum(terms, out) {
      if (lowering.variadicSum) return ctx.emit('Sum', terms, [out]);
      let acc = terms[0]!;
      terms.slice(1).forEach((t, i) => {
        const next = i === terms.length - 2 ? out : fresh('partialSum');
        ctx.emit('Add', [acc, t], [next]);
        acc = next;
      });
    },
  };
  const gradientOf = (name: string): string | null => {
    const list = contributions.get(name);
    if (!list?.length) return null;
    if (list.length === 1) return list[0]!;
    const out = fresh(`grad:${name}`);
    ctx.sum(list, out);
    return out;
  };

  plan.forEach((node, i) => lowerings[i]!.forward(node, ctx));
  layers.forEach((layer) => {
    const seed = fresh(`seedT:${layer}`);
    ctx.emit('Transpose', [seedName(layer)], [seed], { perm: [0, 3, 1, 2] });
    ctx.send(layer, seed);
  });
  for (let i = plan.length - 1; i >= 0; i--) {
    const g = gradientOf(plan[i]!.name);
    if (g) lowerings[i]!.backward(plan[i]!, g, ctx);
  }
  const inputNode = plan.find((p) => p.op === 'input')!;
  if (!contributions.has(inputNode.name)) {
    // No path from the layers back to the image (cannot happen for a connected plan); keep the output defined.
    ctx.emit('ConstantOfShape', [ctx.ints('imageShape', [...input])], [GRADIENT]);
  }

  const layerShapes = layers.map((layer) => {
    const [nn, c, h, w] = nchw(layer);
    return [nn, h, w, c] as [number, number, number, number];
  });
  layers.forEach((layer) => ctx.emit('Transpose', [layer], [actName(layer)], { perm: [0, 2, 3, 1] }));

  return {
    onnx: {
      nodes,
      initializers,
      inputs: [{ name: IMAGE, dims: [...input] }, ...layers.map((l, i) => ({ name: seedName(l), dims: layerShapes[i]! }))],
      outputs: [{ name: GRADIENT, dims: [...input] }, ...layers.map((l, i) => ({ name: actName(l), dims: layerShapes[i]! }))],
    },
    shape: { input, layers, layerShapes },
  };
}
