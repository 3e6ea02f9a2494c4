// Max-pool input gradient as one plain loop over the data: route each dy to the first maximum of its
// window (row-major, padding never wins). On wasm the op-by-op version costs ~50 ms per InceptionV3
// pool; this loop reads x and dy once and takes a few ms. On a GPU backend (webgl, webgpu) reading
// them out stalls the pipeline and copies every pool's input back, so there the tensor-op form runs.
import * as tf from '@tensorflow/tfjs-core';
import { padAmounts } from './padding.ts';
import type { PoolSpec } from './pool.ts';
import { maxPoolInputGradient } from './maxPoolPhases.ts';

/** Backends whose tensors live in CPU memory: the loop reads them for free. */
const CPU_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/** The max-pool input gradient in the form that is fastest on the active backend; y = maxPoolForward(x). */
export function maxPoolBackward(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, spec: PoolSpec): tf.Tensor4D {
  return CPU_BACKENDS.has(tf.getBackend()) ? maxPoolInputGradientLoop(dy, x, spec) : maxPoolInputGradient(dy, x, y, spec);
}

export function maxPoolInputGradientLoop(dy: tf.Tensor4D, x: tf.Tensor4D, spec: PoolSpec): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [kh, kw] = spec.poolSize;
  const [sh, sw] = spec.strides;
  const rows = padAmounts(h, kh, sh, spec.padding);
  const cols = padAmounts(w, kw, sw, spec.padding);
  if (dy.shape[1] !== rows.out || dy.shape[2] !== cols.out || dy.shape[3] !== c || dy.shape[0] !== n) {
    throw new Error(`maxPoolInputGradientLoop: dy shape [${dy.shape.join(',')}] does not match pooling [${x.shape.join(',')}]`);
  }
  const xd = x.dataSync() as Float32Array;
  const gd = dy.dataSync() as Float32Array;
  const dx = new Float32Array(xd.length);
  const best = new Float32Array(c);
  const arg = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < rows.out; oy++) {
      const y0 = oy * sh - rows.before;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(h, y0 + kh);
      for (let ox = 0; ox < cols.out; ox++) {
        const x0 = ox * sw - cols.before;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(w, x0 + kw);
        best.fill(-Infinity);
        arg.fill(-1);
        for (let iy = yStart; iy < yEnd; iy++) {
          for (let ix = xStart; ix < xEnd; ix++) {
            const base = ((b * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = xd[base + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                arg[ch] = base + ch;
              }
            }
          }
        }
        const out = ((b * rows.out + oy) * cols.out + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          const at = arg[ch]!;
          // A window of NaNs has no arg-max; it passes no gradient rather than a wrong one.
          if (at >= 0) dx[at] = dx[at]! + gd[out + ch]!;
        }
      }
    }
  }
  return tf.tensor4d(dx, x.shape);
}
