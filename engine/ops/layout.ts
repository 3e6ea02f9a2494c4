// Tensor layout helpers shared by the input-gradient ops: zero insertion (the transpose of a
// strided window), stride-phase split/interleave, pad-or-crop and TF-aligned transposed padding,
// all with plain reshape/pad/slice/concat so every backend runs them fast.
import * as tf from '@tensorflow/tfjs-core';
import { convOutputSize, padAmounts, type Padding } from './padding.ts';

export type Pad4D = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Spreads pixels `sh` rows and `sw` columns apart: [N,H,W,C] -> [N,H*sh,W*sw,C], each pixel
 * followed by zeros (including after the last one; callers crop that tail when it is not wanted).
 */
export function interleaveZeros(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    let y: tf.Tensor4D = x;
    if (sw > 1) {
      // Each pixel becomes a row of sw slots along a new axis; only slot 0 is non-zero.
      const cols = tf.pad(tf.reshape(y, [n * h * w, 1, c]), [[0, 0], [0, sw - 1], [0, 0]]);
      y = tf.reshape(cols, [n, h, w * sw, c]);
    }
    if (sh > 1) {
      const wc = y.shape[2] * c;
      const rows = tf.pad(tf.reshape(y, [n * h, 1, wc]), [[0, 0], [0, sh - 1], [0, 0]]);
      y = tf.reshape(rows, [n, h * sh, y.shape[2], c]);
    }
    return y === x ? tf.clone(x) : y;
  });
}

// Phase helpers keep each copied run contiguous in the LAST axis: wasm's Slice/Concat copy the
// innermost axis as a block, so [rows, 1, W*C] is fast while [rows, W, 1, C]-style or
// tf.stridedSlice layouts fall back to per-element copies (measured 10-100x slower).

/**
 * Inverse of splitPhases: grid[rh][rw] (each [N,G,G',C], same shape) -> [N,G*sh,G'*sw,C] with
 * out[q*sh + rh, p*sw + rw] = grid[rh][rw][q, p]. Call inside tf.tidy.
 */
export function interleavePhases(grid: readonly (readonly tf.Tensor4D[])[]): tf.Tensor4D {
  const first = grid[0]?.[0];
  if (!first) throw new Error('interleavePhases: empty grid');
  const [n, gh, gw, c] = first.shape;
  const sh = grid.length;
  const sw = grid[0]?.length ?? 1;
  if (sh === 1 && sw === 1) return first;
  const bands = grid.map((row) =>
    tf.reshape(sw === 1 ? (row[0] as tf.Tensor4D) : tf.concat(row.map((t) => tf.reshape(t, [n * gh * gw, 1, c])), 1), [n * gh, 1, gw * sw * c]),
  );
  return tf.reshape(sh === 1 ? (bands[0] as tf.Tensor) : tf.concat(bands, 1), [n, gh * sh, gw * sw, c]);
}

/**
 * Phase views of x [N, G*sh, G'*sw, C]: out[rh][rw][q, p] = x[q*sh + rh, p*sw + rw]
 * (tf.stridedSlice computes the same, ~100x slower on wasm). Call inside tf.tidy.
 */
export function splitPhases(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D[][] {
  const [n, hh, ww, c] = x.shape;
  if (hh % sh !== 0 || ww % sw !== 0) throw new Error(`splitPhases: [${hh},${ww}] is not a multiple of the strides`);
  const gh = hh / sh;
  const gw = ww / sw;
  if (sh === 1 && sw === 1) return [[x]];
  const rows = tf.reshape(x, [n * gh, sh, ww * c]);
  return Array.from({ length: sh }, (_, rh) => {
    const band = sh === 1 ? rows : tf.slice(rows, [0, rh, 0], [n * gh, 1, ww * c]);
    const cols = tf.reshape(band, [n * gh * gw, sw, c]);
    return Array.from({ length: sw }, (_, rw) =>
      tf.reshape(sw === 1 ? cols : tf.slice(cols, [0, rw, 0], [n * gh * gw, 1, c]), [n, gh, gw, c]),
    );
  });
}

/**
 * Splits signed per-side amounts into a crop (the negative parts, applied now with a slice) and a
 * non-negative explicit padding for tf.conv2d / tf.depthwiseConv2d / tf.pad. Call inside tf.tidy.
 */
export function cropThenPad(
  x: tf.Tensor4D,
  rows: [number, number],
  cols: [number, number],
): { x: tf.Tensor4D; pad: Pad4D } {
  const [top, bottom] = rows;
  const [left, right] = cols;
  const ct = Math.max(0, -top);
  const cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left);
  const cr = Math.max(0, -right);
  const [n, h, w, c] = x.shape;
  const cropped =
    ct + cb + cl + cr > 0 ? tf.slice(x, [0, ct, cl, 0], [n, h - ct - cb, w - cl - cr, c]) : x;
  const pad: Pad4D = [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]];
  return { x: cropped, pad };
}

/** Same as cropThenPad but materialises the padding (for ops that take no explicit padding). */
export function padOrCrop(x: tf.Tensor4D, rows: [number, number], cols: [number, number], value = 0): tf.Tensor4D {
  return tf.tidy(() => {
    const r = cropThenPad(x, rows, cols);
    const padded = r.pad[1][0] + r.pad[1][1] + r.pad[2][0] + r.pad[2][1] > 0;
    if (padded) return tf.pad(r.x, r.pad, value);
    return r.x === x ? tf.clone(x) : r.x;
  });
}

/**
 * Signed padding [before, after] around a zero-interleaved gradient (length out*stride, as
 * interleaveZeros makes it) so that a stride-1 'valid' pass of the flipped k-window yields exactly
 * the n input pixels: before = k-1-padBefore, after = n-1+padBefore-(out-1)*stride minus the
 * stride-1 trailing zeros. Always >= 0 before; after may be negative (crop) when stride > 1.
 */
export function transposedPad(n: number, k: number, stride: number, padding: Padding): [number, number] {
  const { before, out } = padAmounts(n, k, stride, padding);
  return [k - 1 - before, n - 1 + before - (out - 1) * stride - (stride - 1)];
}

/**
 * The input of a transposed (input-gradient) window op: dy spread stride apart, then cropped and
 * explicitly padded so a stride-1 'valid'-style op with the flipped window lands on the input grid.
 * Shared by conv, depthwise conv and average-pool gradients. Call inside tf.tidy.
 */
export function transposedInput(
  dy: tf.Tensor4D,
  inputShape: readonly [number, number, number, number],
  window: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding,
): { x: tf.Tensor4D; pad: Pad4D } {
  const [sh, sw] = strides;
  const spread = sh > 1 || sw > 1 ? interleaveZeros(dy, sh, sw) : dy;
  return cropThenPad(spread, transposedPad(inputShape[1], window[0], sh, padding), transposedPad(inputShape[2], window[1], sw, padding));
}

/** Checks that dy has the output shape the op produces from inputShape; clear errors beat NaNs. */
export function expectOutShape(
  op: string,
  dy: tf.Tensor4D,
  inputShape: readonly [number, number, number, number],
  window: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding,
  channels: number,
): void {
  const oh = convOutputSize(inputShape[1], window[0], strides[0], padding);
  const ow = convOutputSize(inputShape[2], window[1], strides[1], padding);
  const want = [inputShape[0], oh, ow, channels];
  if (dy.shape.some((d, i) => d !== want[i])) {
    throw new Error(`${op}: dy shape [${dy.shape.join(',')}] does not match the forward output [${want.join(',')}]`);
  }
}
