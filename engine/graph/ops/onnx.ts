// What an op's ONNX lowering may use: the graph being written (NCHW values named after their nodes)
// and the helpers every window op shares. compile.ts implements it; the ops only describe.
import type { AttrValue } from '../onnxProto.ts';
import { padAmounts, type Padding } from '../../ops/padding.ts';

export type Nchw = [number, number, number, number];

/**
 * How to lower for one execution provider. The CPU provider gets the fastest graph; WebGPU's MaxPool
 * has no Indices output ("not supported yet" in onnxruntime 1.30) and no variadic Sum kernel (each
 * Sum would be copied to the CPU and back), so GPU providers take plain-op forms of both.
 */
export interface Lowering {
  /** Max-pool gradient by ScatterElements over MaxPool's arg-max Indices (else by window comparison). */
  maxPoolIndices: boolean;
  /** Sums of several values as one Sum node (else a chain of Adds). */
  variadicSum: boolean;
}

export const CPU_LOWERING: Lowering = { maxPoolIndices: true, variadicSum: true };

export interface OnnxLowering {
  emit(op: string, inputs: string[], outputs: string[], attrs?: Record<string, AttrValue>): void;
  /** A fresh value name from a hint. */
  fresh(hint: string): string;
  /** A new initializer; returns its name. */
  constant(hint: string, dims: number[], data: Float32Array | BigInt64Array): string;
  ints(hint: string, values: number[]): string;
  /** The float scalar 0, shared. */
  readonly zero: string;
  /** NCHW shape of a node's value at the compiled size (throws where a layer has no pixels). */
  nchw(name: string): Nchw;
  /** Adds one contribution to the gradient of a value (summed over its readers). */
  send(to: string, grad: string): void;
  /** A node's weights in ONNX layouts, converted once per model and shared by every compiled size. */
  weights<T>(node: string, convert: () => T): T;
  /** Initializer names this graph already holds, by key (a strided conv's backward reuses its forward kernel). */
  readonly named: Map<string, string>;
  /** The graph's NHWC image input and gradient output. */
  readonly image: string;
  readonly gradient: string;
  /** The provider's lowering choices. */
  readonly lowering: Lowering;
  /** out = the sum of terms (one Sum node, or Adds where the provider lacks Sum). */
  sum(terms: string[], out: string): void;
}

/** TF-style explicit pads [top, left, bottom, right] and the output size, for a window op reading `x`. */
export function windowPads(ctx: OnnxLowering, x: string, k: [number, number], s: [number, number], padding: Padding) {
  const [, , h, w] = ctx.nchw(x);
  const r = padAmounts(h, k[0], s[0], padding);
  const q = padAmounts(w, k[1], s[1], padding);
  return { pads: [r.before, q.before, r.after, q.after], out: [r.out, q.out] as [number, number], inH: h, inW: w };
}

/** Pads for the stride-1 transposed window (the flipped-kernel conv or sum-pool). */
export const flippedPads = (k: [number, number], p: number[]) => [k[0] - 1 - p[0]!, k[1] - 1 - p[1]!, k[0] - 1 - p[2]!, k[1] - 1 - p[3]!];

/** ConvTranspose's output_padding so that its output is exactly the forward input's size. */
export const outputPadding = (k: [number, number], s: [number, number], p: number[], out: [number, number], inH: number, inW: number) => [
  inH - (s[0] * (out[0] - 1) + k[0] - p[0]! - p[2]!),
  inW - (s[1] * (out[1] - 1) + k[1] - p[1]! - p[3]!),
];

/** ReLU (or a clip at `clip`) from `pre` into `out`. */
export function rectify(ctx: OnnxLowering, pre: string, out: string, clip: number | undefined): void {
  if (clip === undefined) ctx.emit('Relu', [pre], [out]);
  else ctx.emit('Clip', [pre, ctx.zero, ctx.constant('clip', [], Float32Array.of(clip))], [out]);
}

/** g where the rectifier's output y passed its input through (0 < y, and y < clip); 0 elsewhere. */
export function rectifierMask(ctx: OnnxLowering, g: string, y: string, clip: number | undefined): string {
  let m = ctx.fresh(`mask:${y}`);
  ctx.emit('Greater', [y, ctx.zero], [m]);
  if (clip !== undefined) {
    const below = ctx.fresh(`below:${y}`);
    ctx.emit('Less', [y, ctx.constant('clip', [], Float32Array.of(clip))], [below]);
    const both = ctx.fresh(`mask2:${y}`);
    ctx.emit('And', [m, below], [both]);
    m = both;
  }
  // g times the mask as 0/1 floats: exact (g * 1 = g, g * 0 = ±0), and onnxruntime's CPU Where with a
  // broadcast scalar measured ~7x slower than Cast + Mul on the same 3.9M values (ReLU masks were 14% of a step).
  const mf = ctx.fresh(`maskF:${y}`);
  ctx.emit('Cast', [m], [mf], { to: 1 });
  const out = ctx.fresh(`drelu:${y}`);
  ctx.emit('Mul', [g, mf], [out]);
  return out;
}
