// Window arithmetic for the shape rules: like ops/padding.ts's convOutputSize, but 0 where the input
// is too small, so whole-graph listings never throw.
import type { Padding } from '../../ops/padding.ts';
import type { Shape3 } from './types.ts';

export function outSize(n: number, k: number, stride: number, padding: Padding): number {
  if (n <= 0) return 0;
  return padding === 'same' ? Math.ceil(n / stride) : Math.max(0, Math.floor((n - k) / stride) + 1);
}

/** The output of a sliding window of size k over `input`, with `channels` out. */
export function windowShape(input: Shape3, k: readonly [number, number], strides: readonly [number, number], padding: Padding, channels: number): Shape3 {
  return [outSize(input[0], k[0], strides[0], padding), outSize(input[1], k[1], strides[1], padding), channels];
}
