// Compiles the part of a Graph that reaches the requested layers into one ONNX graph that runs the
// forward pass and our hand-written backward pass together: inputs are the image (NHWC) and d(objective)/d(layer)
// for each requested layer ("seeds"); outputs are the layers' activations and the image gradient.
// Every input gradient is a plain op (Conv with flipped kernels, ConvTranspose, ScatterElements for
// max pooling, a sum-pool for average pooling), so the gradient is the same exact one the tfjs executor computes.
import type { Graph, GraphNode } from '../model/graph.ts';
import { ancestors, inferShapes } from '../model/graph.ts';
import { padAmounts } from '../ops/padding.ts';
import { reciprocalCountData } from '../ops/pool.ts';
import type { AttrValue, OnnxGraph, OnnxNode, OnnxTensor } from './onnxProto.ts';

export class UnsupportedGraphError extends Error {
  override name = 'UnsupportedGraphError';
}

/** A node's weights in ONNX layouts, converted once per model and shared by every compiled size. */
interface ConvWeights {
  /** [cout, cin/group, kh, kw] (depthwise: [C*m, 1, kh, kw]). */
  w: Float32Array;
  /** Stride-1 input-gradient kernel: spatially flipped, in/out swapped ([cin, cout, kh, kw]; depthwise [C, m, kh, kw]). */
  flipped: Float32Array;
  bias: Float32Array | null;
}

export class WeightStore {
  private readonly cache = new Map<string, ConvWeights>();

  of(node: GraphNode & { op: 'conv' | 'depthwise' }): ConvWeights {
    let cw = this.cache.get(node.name);
    if (!cw) {
      cw = convertWeights(node);
      this.cache.set(node.name, cw);
    }
    return cw;
  }
}

function convertWeights(node: GraphNode & { op: 'conv' | 'depthwise' }): ConvWeights {
  const [kh, kw, a, b] = node.kernel.shape;
  const src = node.kernel.dataSync() as Float32Array;
  const w = new Float32Array(src.length);
  const flipped = new Float32Array(src.length);
  const area = kh * kw;
  // tfjs conv kernels are [kh,kw,cin,cout]; depthwise [kh,kw,C,m] with output channel c*m + j.
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const s = i * kw + j;
      const f = (kh - 1 - i) * kw + (kw - 1 - j);
      for (let c = 0; c < a; c++) {
        for (let o = 0; o < b; o++) {
          const v = src[(s * a + c) * b + o]!;
          if (node.op === 'conv') {
            w[(o * a + c) * area + s] = v; // [cout, cin, kh, kw]
            flipped[(c * b + o) * area + f] = v; // [cin, cout, kh, kw]
          } else {
            w[(c * b + o) * area + s] = v; // [C*m, 1, kh, kw]
            flipped[(c * b + o) * area + f] = v; // [C, m, kh, kw]
          }
        }
      }
    }
  }
  return { w, flipped, bias: node.bias ? (node.bias.dataSync() as Float32Array).slice() : null };
}

/** Which graph nodes the ONNX route can run; anything else (heads, affine BN) stays on tfjs. */
export function supportsPlan(plan: readonly GraphNode[]): boolean {
  return plan.every((n) => ['input', 'conv', 'depthwise', 'maxpool', 'avgpool', 'concat', 'relu', 'add', 'pad'].includes(n.op));
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

/**
 * How to lower for one execution provider. The CPU provider gets the fastest graph; WebGPU's MaxPool
 * has no Indices output ("not supported yet" in 1.30) and no variadic Sum kernel (each Sum would be
 * copied to the CPU and back), so those take plain-op forms there.
 */
export interface Lowering {
  /** Max-pool gradient by ScatterElements over MaxPool's arg-max Indices (else by window comparison). */
  maxPoolIndices: boolean;
  /** Sums of several values as one Sum node (else a chain of Adds). */
  variadicSum: boolean;
}

export const CPU_LOWERING: Lowering = { maxPoolIndices: true, variadicSum: true };

export function compileDreamGraph(
  graph: Graph,
  layers: readonly string[],
  input: [number, number, number, number],
  weights: WeightStore,
  lowering: Lowering = CPU_LOWERING,
): { onnx: OnnxGraph; shape: CompiledShape } {
  const plan = ancestors(graph, layers);
  if (!supportsPlan(plan)) {
    const bad = plan.find((n) => !supportsPlan([n]))!;
    throw new UnsupportedGraphError(`node "${bad.name}" (${bad.op}) has no ONNX lowering`);
  }
  const [n, height, width, channels] = input;
  const shapes = inferShapes(graph, height, width, channels);
  const nchw = (name: string): [number, number, number, number] => {
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
  const emit = (op: string, inputs: string[], outputs: string[], attrs?: Record<string, AttrValue>) => nodes.push({ op, inputs, outputs, ...(attrs ? { attrs } : {}) });
  const constant = (hint: string, dims: number[], data: Float32Array | BigInt64Array): string => {
    const name = fresh(`const:${hint}`);
    initializers.push({ name, dims, data });
    return name;
  };
  const ints = (hint: string, values: number[]) => constant(hint, [values.length], BigInt64Array.from(values.map(BigInt)));
  const sum = (terms: string[], out: string) => {
    if (lowering.variadicSum) {
      emit('Sum', terms, [out]);
      return;
    }
    let acc = terms[0]!;
    terms.slice(1).forEach((t, i) => {
      const next = i === terms.length - 2 ? out : fresh('partialSum');
      emit('Add', [acc, t], [next]);
      acc = next;
    });
  };
  const zero = constant('zero', [], Float32Array.of(0));
  /** Each conv's forward kernel initializer, by node. */
  const forwardWeights = new Map<string, string>();

  const inputNode = plan.find((p) => p.op === 'input')!;
  emit('Transpose', [IMAGE], [inputNode.name], { perm: [0, 3, 1, 2] });

  /** TF-style explicit pads [top, left, bottom, right] and the output size, for a window op. */
  const windowPads = (x: string, k: [number, number], s: [number, number], padding: 'same' | 'valid') => {
    const [, , h, w] = nchw(x);
    const r = padAmounts(h, k[0], s[0], padding);
    const q = padAmounts(w, k[1], s[1], padding);
    return { pads: [r.before, q.before, r.after, q.after], out: [r.out, q.out] as [number, number], inH: h, inW: w };
  };
  /** Pads for the stride-1 transposed window (the flipped-kernel conv or sum-pool). */
  const flippedPads = (k: [number, number], p: number[]) => [k[0] - 1 - p[0]!, k[1] - 1 - p[1]!, k[0] - 1 - p[2]!, k[1] - 1 - p[3]!];
  /** ConvTranspose's output_padding so that its output is exactly the forward input's size. */
  const outputPadding = (k: [number, number], s: [number, number], p: number[], out: [number, number], inH: number, inW: number) => [
    inH - (s[0] * (out[0] - 1) + k[0] - p[0]! - p[2]!),
    inW - (s[1] * (out[1] - 1) + k[1] - p[1]! - p[3]!),
  ];

  const rectify = (pre: string, out: string, clip: number | undefined) => {
    if (clip === undefined) emit('Relu', [pre], [out]);
    else emit('Clip', [pre, zero, constant('clip', [], Float32Array.of(clip))], [out]);
  };

  /**
   * Max-pool gradient without arg-max indices: for each window offset (row-major, so the first
   * maximum wins ties, as the tfjs executor and ScatterElements do) take what is left of dy where the
   * input there equals the window's max; then one ConvTranspose with a one-hot kernel per offset puts
   * every offset's share back at its input pixel, in a [N*C, k*k, OH, OW] layout with no groups.
   */
  const maxPoolGradientByWindows = (node: GraphNode & { op: 'maxpool' }, x: string, g: string): string => {
    const k = node.spec.poolSize;
    const s = node.spec.strides;
    const { pads, out, inH, inW } = windowPads(x, k, s, node.spec.padding);
    const [nn, c] = nchw(x);
    // -Infinity padding never equals a window's max, so padding never takes a share.
    let source = x;
    if (pads.some((p) => p > 0)) {
      source = fresh('maxPadded');
      emit('Pad', [x, ints('pads', [0, 0, pads[0]!, pads[1]!, 0, 0, pads[2]!, pads[3]!]), constant('minusInf', [], Float32Array.of(-Infinity))], [source]);
    }
    const rows = nn * c;
    const flat = ints('planes', [rows, 1, out[0], out[1]]);
    let left = g;
    const shares: string[] = [];
    for (let i = 0; i < k[0]; i++) {
      for (let j = 0; j < k[1]; j++) {
        const window = fresh('window');
        emit('Slice', [source, ints('starts', [i, j]), ints('ends', [i + s[0] * (out[0] - 1) + 1, j + s[1] * (out[1] - 1) + 1]), ints('axes', [2, 3]), ints('steps', [...s])], [window]);
        const hit = fresh('isMax');
        emit('Equal', [window, node.name], [hit]);
        const share = fresh('share');
        emit('Where', [hit, left, zero], [share]);
        if (i !== k[0] - 1 || j !== k[1] - 1) {
          const rest = fresh('left');
          emit('Where', [hit, zero, left], [rest]);
          left = rest;
        }
        const planes = fresh('sharePlanes');
        emit('Reshape', [share, flat], [planes]);
        shares.push(planes);
      }
    }
    const stacked = fresh('shares');
    emit('Concat', shares, [stacked], { axis: 1 });
    const area = k[0] * k[1];
    const oneHot = new Float32Array(area * area);
    for (let o = 0; o < area; o++) oneHot[o * area + o] = 1;
    const placed = fresh('placed');
    emit('ConvTranspose', [stacked, constant('oneHot', [area, 1, k[0], k[1]], oneHot)], [placed], { kernel_shape: [...k], strides: [...s], pads, output_padding: outputPadding(k, s, pads, out, inH, inW) });
    const dx = fresh(`dx:${x}`);
    emit('Reshape', [placed, ints('shape', [nn, c, inH, inW])], [dx]);
    return dx;
  };

  // Forward.
  for (const node of plan) {
    const x = node.inputs[0]!;
    switch (node.op) {
      case 'input':
        break;
      case 'conv':
      case 'depthwise': {
        const [kh, kw, a, b] = node.kernel.shape;
        const cw = weights.of(node);
        const { pads } = windowPads(x, [kh, kw], node.spec.strides, node.spec.padding);
        const wName = constant(`${node.name}:w`, node.op === 'conv' ? [b, a, kh, kw] : [a * b, 1, kh, kw], cw.w);
        forwardWeights.set(node.name, wName);
        const ins = [x, wName];
        if (cw.bias) ins.push(constant(`${node.name}:b`, [cw.bias.length], cw.bias));
        const attrs: Record<string, AttrValue> = { kernel_shape: [kh, kw], strides: [...node.spec.strides], pads };
        if (node.op === 'depthwise') attrs['group'] = a;
        const pre = node.relu ? `${node.name}:pre` : node.name;
        emit('Conv', ins, [pre], attrs);
        if (node.relu) rectify(pre, node.name, node.clip);
        break;
      }
      case 'maxpool': {
        const { pads } = windowPads(x, node.spec.poolSize, node.spec.strides, node.spec.padding);
        const outputs = lowering.maxPoolIndices ? [node.name, `${node.name}:argmax`] : [node.name];
        emit('MaxPool', [x], outputs, { kernel_shape: [...node.spec.poolSize], strides: [...node.spec.strides], pads });
        break;
      }
      case 'avgpool': {
        const { pads } = windowPads(x, node.spec.poolSize, node.spec.strides, node.spec.padding);
        emit('AveragePool', [x], [node.name], { kernel_shape: [...node.spec.poolSize], strides: [...node.spec.strides], pads, count_include_pad: 0 });
        break;
      }
      case 'concat':
        emit('Concat', node.inputs, [node.name], { axis: 1 });
        break;
      case 'relu':
        rectify(x, node.name, node.clip);
        break;
      case 'add':
        sum([...node.inputs], node.name);
        break;
      case 'pad': {
        const [[t, bt], [l, r]] = node.pads;
        emit('Pad', [x, ints('pads', [0, 0, t, l, 0, 0, bt, r])], [node.name]);
        break;
      }
      default:
        throw new UnsupportedGraphError(`node "${node.name}" (${node.op}) has no ONNX lowering`);
    }
  }

  // Backward: each value's gradient is the sum of what its readers (and its seed) send it.
  const contributions = new Map<string, string[]>();
  const send = (to: string, grad: string) => {
    const list = contributions.get(to) ?? [];
    list.push(grad);
    contributions.set(to, list);
  };
  const gradientOf = (name: string): string | null => {
    const list = contributions.get(name);
    if (!list?.length) return null;
    if (list.length === 1) return list[0]!;
    const out = fresh(`grad:${name}`);
    sum(list, out);
    return out;
  };
  const mask = (g: string, y: string, clip: number | undefined): string => {
    let m = fresh(`mask:${y}`);
    emit('Greater', [y, zero], [m]);
    if (clip !== undefined) {
      const below = fresh(`below:${y}`);
      emit('Less', [y, constant('clip', [], Float32Array.of(clip))], [below]);
      const both = fresh(`mask2:${y}`);
      emit('And', [m, below], [both]);
      m = both;
    }
    const out = fresh(`drelu:${y}`);
    emit('Where', [m, g, zero], [out]);
    return out;
  };

  layers.forEach((layer) => {
    const seed = fresh(`seedT:${layer}`);
    emit('Transpose', [seedName(layer)], [seed], { perm: [0, 3, 1, 2] });
    send(layer, seed);
  });

  for (let i = plan.length - 1; i >= 0; i--) {
    const node = plan[i]!;
    const g = gradientOf(node.name);
    if (!g) continue;
    const x = node.inputs[0]!;
    switch (node.op) {
      case 'input': {
        emit('Transpose', [g], [GRADIENT], { perm: [0, 2, 3, 1] });
        break;
      }
      case 'conv':
      case 'depthwise': {
        const [kh, kw, a, b] = node.kernel.shape;
        const k: [number, number] = [kh, kw];
        const s = node.spec.strides;
        const cw = weights.of(node);
        const dPre = node.relu ? mask(g, node.name, node.clip) : g;
        const { pads, out, inH, inW } = windowPads(x, k, s, node.spec.padding);
        const dx = fresh(`dx:${x}`);
        const group: Record<string, AttrValue> = node.op === 'depthwise' ? { group: a } : {};
        if (s[0] === 1 && s[1] === 1) {
          // Conv: [cin, cout, kh, kw]; depthwise: [C, m, kh, kw] in C groups. Both are [a, b, kh, kw].
          const fName = constant(`${node.name}:flip`, [a, b, kh, kw], cw.flipped);
          emit('Conv', [dPre, fName], [dx], { kernel_shape: k, strides: [1, 1], pads: flippedPads(k, pads), ...group });
        } else {
          // ConvTranspose takes the forward kernel as it is: share its initializer.
          emit('ConvTranspose', [dPre, forwardWeights.get(node.name)!], [dx], { kernel_shape: k, strides: [...s], pads, output_padding: outputPadding(k, s, pads, out, inH, inW), ...group });
        }
        send(x, dx);
        break;
      }
      case 'maxpool': {
        if (!lowering.maxPoolIndices) {
          send(x, maxPoolGradientByWindows(node, x, g));
          break;
        }
        const [nn, c, h, w] = nchw(x);
        const flatIdx = fresh('argmaxFlat');
        const flatG = fresh('gFlat');
        const minus1 = ints('flat', [-1]);
        emit('Reshape', [`${node.name}:argmax`, minus1], [flatIdx]);
        emit('Reshape', [g, minus1], [flatG]);
        const zeros = fresh('zeros');
        emit('ConstantOfShape', [ints('size', [nn * c * h * w])], [zeros]);
        const scattered = fresh('scatter');
        emit('ScatterElements', [zeros, flatIdx, flatG], [scattered], { axis: 0, reduction: 'add' });
        const dx = fresh(`dx:${x}`);
        emit('Reshape', [scattered, ints('shape', [nn, c, h, w])], [dx]);
        send(x, dx);
        break;
      }
      case 'avgpool': {
        const k = node.spec.poolSize;
        const s = node.spec.strides;
        const { pads, out, inH, inW } = windowPads(x, k, s, node.spec.padding);
        const recip = constant(`${node.name}:recip`, [1, 1, out[0], out[1]], reciprocalCountData(inH, inW, node.spec).data);
        const scaled = fresh('avgScaled');
        emit('Mul', [g, recip], [scaled]);
        const dx = fresh(`dx:${x}`);
        if (s[0] === 1 && s[1] === 1) {
          // The transpose of a stride-1 sum-pool is a sum-pool with the mirrored padding.
          const pooled = fresh('sumPool');
          emit('AveragePool', [scaled], [pooled], { kernel_shape: [...k], strides: [1, 1], pads: flippedPads(k, pads), count_include_pad: 1 });
          emit('Mul', [pooled, constant('area', [], Float32Array.of(k[0] * k[1]))], [dx]);
        } else {
          const c = nchw(x)[1];
          const ones = constant('ones', [c, 1, k[0], k[1]], new Float32Array(c * k[0] * k[1]).fill(1));
          emit('ConvTranspose', [scaled, ones], [dx], { kernel_shape: [...k], strides: [...s], pads, output_padding: outputPadding(k, s, pads, out, inH, inW), group: c });
        }
        send(x, dx);
        break;
      }
      case 'concat': {
        const sizes = node.inputs.map((name) => nchw(name)[1]);
        const parts = node.inputs.map((name) => fresh(`dx:${name}`));
        emit('Split', [g, ints('split', sizes)], parts, { axis: 1 });
        node.inputs.forEach((name, k) => send(name, parts[k]!));
        break;
      }
      case 'relu':
        send(x, mask(g, node.name, node.clip));
        break;
      case 'add':
        node.inputs.forEach((name) => send(name, g));
        break;
      case 'pad': {
        const [[t], [l]] = node.pads;
        const [, , h, w] = nchw(x);
        const dx = fresh(`dx:${x}`);
        emit('Slice', [g, ints('starts', [t, l]), ints('ends', [t + h, l + w]), ints('axes', [2, 3])], [dx]);
        send(x, dx);
        break;
      }
      default:
        throw new UnsupportedGraphError(`node "${node.name}" (${node.op}) has no ONNX lowering`);
    }
  }
  if (!contributions.has(inputNode.name)) {
    // No path from the layers back to the image (cannot happen for a connected plan); keep the output defined.
    emit('ConstantOfShape', [ints('imageShape', [...input])], [GRADIENT]);
  }

  const layerShapes = layers.map((layer) => {
    const [nn, c, h, w] = nchw(layer);
    return [nn, h, w, c] as [number, number, number, number];
  });
  layers.forEach((layer) => emit('Transpose', [layer], [actName(layer)], { perm: [0, 2, 3, 1] }));

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
