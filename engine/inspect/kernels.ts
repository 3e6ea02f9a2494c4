// The first convolution's filters as colour patches: what the network looks for at the pixel level.
import type { Graph, GraphNode } from '../graph/graph.ts';
import type { DreamModel } from '../shared/model.ts';
import type { RgbImage } from '../shared/image.ts';
import { ReverieError } from '../shared/errors.ts';

export class NoKernelsError extends ReverieError {
  override name = 'NoKernelsError';
}

export interface ConvKernels {
  /** The node's name (e.g. "activation_1": conv2d_1 with its batch norm folded in). */
  name: string;
  /** The Keras layers fused into it, e.g. conv2d_1, batch_normalization_1, activation_1. */
  layers: string[];
  /** [kh, kw, cin, cout], batch norm folded in. */
  shape: [number, number, number, number];
  data: Float32Array;
}

/** The first convolution in the graph's order (the one that reads the image). */
export function firstConvolution(model: DreamModel): ConvKernels {
  const graph = (model as { graph?: Graph }).graph;
  const conv = graph?.nodes?.find((n): n is GraphNode & { op: 'conv' } => n.op === 'conv');
  if (!conv) throw new NoKernelsError(`${model.id}: this model does not expose its convolution kernels (only Keras layers models loaded by Reverie do).`);
  const shape = conv.kernel.shape as [number, number, number, number];
  return { name: conv.name, layers: [...conv.layers], shape, data: Float32Array.from(conv.kernel.dataSync()) };
}

/**
 * One RGB patch per output filter (kh x kw pixels), zero weight at mid-grey. 'each' stretches every
 * filter to full contrast; 'all' shares one scale, so weak filters look weak.
 */
export function kernelPatches(k: ConvKernels, normalise: 'each' | 'all' = 'each'): RgbImage[] {
  const [kh, kw, cin, cout] = k.shape;
  if (cin !== 3) throw new NoKernelsError(`${k.name} reads ${cin} channels, not RGB; only colour filters can be drawn as patches.`);
  const at = (y: number, x: number, c: number, o: number): number => k.data[((y * kw + x) * cin + c) * cout + o]!;
  let globalMax = 0;
  for (const v of k.data) globalMax = Math.max(globalMax, Math.abs(v));
  return Array.from({ length: cout }, (_, o) => {
    let max = globalMax;
    if (normalise === 'each') {
      max = 0;
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(at(y, x, c, o)));
    }
    const rgb = new Float32Array(kh * kw * 3);
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < 3; c++) rgb[(y * kw + x) * 3 + c] = 127.5 + (127.5 * at(y, x, c, o)) / (max || 1);
    return { width: kw, height: kh, rgb };
  });
}
