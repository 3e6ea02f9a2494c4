// TensorFlow-style output sizes and padding for windowed ops (conv, pooling), per spatial axis.
// Keras/TF 'same' puts the smaller half of the padding before and the extra pixel after;
// PyTorch pads symmetrically, so stride-2 layers only match TF when padded this way.

export type Padding = 'same' | 'valid';

/** Output length of a window of size k sliding with the given stride over n pixels. */
export function convOutputSize(n: number, k: number, stride: number, padding: Padding): number {
  if (!(n >= 1 && k >= 1 && stride >= 1)) {
    throw new Error(`convOutputSize: need n, k, stride >= 1 (got n=${n}, k=${k}, stride=${stride})`);
  }
  const out = padding === 'same' ? Math.ceil(n / stride) : Math.floor((n - k) / stride) + 1;
  if (out <= 0) {
    throw new Error(`convOutputSize: window ${k} with stride ${stride} and '${padding}' padding does not fit an input of ${n} pixels`);
  }
  return out;
}

/** Padding before/after the input along one axis, and the output length, the way TF computes them. */
export function padAmounts(
  n: number,
  k: number,
  stride: number,
  padding: Padding,
): { before: number; after: number; out: number } {
  const out = convOutputSize(n, k, stride, padding);
  if (padding === 'valid') return { before: 0, after: 0, out };
  const total = Math.max((out - 1) * stride + k - n, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before, out };
}
