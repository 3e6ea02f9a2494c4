// Strided-conv input gradient by phase decomposition: input pixel i (shifted by the TF 'before'
// padding, j = i + before) only receives kernel taps t with t ≡ j (mod stride). So for each of the
// stride² phases, a small stride-1 conv of dy with that phase's taps gives every s-th input pixel,
// and interleaving the phases gives dx: zero insertion's result with ~stride² fewer MACs.
// The phase sub-kernels are built once per layer (gathering taps is slow on wasm: ~as slow as the conv).
import * as tf from '@tensorflow/tfjs-core';
import { padAmounts, type Padding } from './padding.ts';
import { cropThenPad, interleavePhases } from './layout.ts';

interface AxisPhase {
  /** First tap of this phase in the flipped kernel, and how many taps it has (0: none). */
  start: number;
  taps: number;
  /** Range of q (j = q*stride + r) whose input pixel lies inside [0, n). */
  qMin: number;
  qMax: number;
}

function axisPhases(n: number, k: number, s: number, padding: Padding): { phases: AxisPhase[]; before: number; out: number } {
  const { before, out } = padAmounts(n, k, s, padding);
  const phases = Array.from({ length: s }, (_, r) => {
    const taps = Math.max(0, Math.ceil((k - r) / s));
    return { start: k - 1 - r - s * (taps - 1), taps, qMin: Math.ceil((before - r) / s), qMax: Math.floor((n - 1 + before - r) / s) };
  });
  return { phases, before, out };
}

/** Sub-kernels [rowPhase][colPhase] of a flipped kernel [kh,kw,cout,cin]; null where a phase has no taps. */
export function phaseKernels(flipped: tf.Tensor4D, strides: readonly [number, number]): (tf.Tensor4D | null)[][] {
  const [kh, kw, cout, cin] = flipped.shape;
  const taps = (k: number, s: number) => Array.from({ length: s }, (_, r) => {
    const m = Math.max(0, Math.ceil((k - r) / s));
    return Array.from({ length: m }, (_, i) => k - 1 - r - s * (m - 1) + s * i);
  });
  const rows = taps(kh, strides[0]);
  const cols = taps(kw, strides[1]);
  const data = flipped.dataSync() as Float32Array;
  const block = cout * cin;
  return rows.map((ri) =>
    cols.map((ci) => {
      if (ri.length === 0 || ci.length === 0) return null;
      // Each tap is a contiguous [cout,cin] block: copy the phase's taps out on the JS side (gathers on
      // wasm are as slow as the conv itself).
      const sub = new Float32Array(ri.length * ci.length * block);
      ri.forEach((a, i) => ci.forEach((b, j) => sub.set(data.subarray((a * kw + b) * block, (a * kw + b + 1) * block), (i * ci.length + j) * block)));
      return tf.tensor4d(sub, [ri.length, ci.length, cout, cin]);
    }),
  );
}

/**
 * d(sum(dy * conv(x)))/dx for a conv with kernel size [kh,kw] and the given strides, from the phase
 * sub-kernels (phaseKernels). Callers normally go through convInputGradient.
 */
export function convInputGradientPhased(
  dy: tf.Tensor4D,
  phases: readonly (readonly (tf.Tensor4D | null)[])[],
  kernelSize: readonly [number, number],
  inputShape: readonly [number, number, number, number],
  strides: readonly [number, number],
  padding: Padding,
): tf.Tensor4D {
  const [n, h, w, cin] = inputShape;
  const [sh, sw] = strides;
  const rows = axisPhases(h, kernelSize[0], sh, padding);
  const cols = axisPhases(w, kernelSize[1], sw, padding);
  // Common q range over the phases, so their outputs stack into one grid.
  const span = (p: AxisPhase[]) => [Math.min(...p.map((a) => a.qMin)), Math.max(...p.map((a) => a.qMax))] as const;
  const [q0h, q1h] = span(rows.phases);
  const [q0w, q1w] = span(cols.phases);
  return tf.tidy(() => {
    const grid = rows.phases.map((pr, i) =>
      cols.phases.map((pc, j) => {
        const lenH = Math.max(0, pr.qMax - pr.qMin + 1);
        const lenW = Math.max(0, pc.qMax - pc.qMin + 1);
        const sub = phases[i]?.[j] ?? null;
        let part: tf.Tensor4D;
        if (!sub || lenH === 0 || lenW === 0) {
          part = tf.zeros([n, lenH, lenW, cin]);
        } else {
          // Output q reads dy[q - taps + 1 .. q]: pad (or crop) dy to cover q in [qMin, qMax].
          const { x, pad } = cropThenPad(
            dy,
            [pr.taps - 1 - pr.qMin, pr.qMax - (rows.out - 1)],
            [pc.taps - 1 - pc.qMin, pc.qMax - (cols.out - 1)],
          );
          part = tf.conv2d(x, sub, 1, pad);
        }
        // Align every phase on the common q grid (zeros where a phase has no pixel).
        const top = pr.qMin - q0h;
        const left = pc.qMin - q0w;
        return tf.pad(part, [[0, 0], [top, q1h - q0h + 1 - top - lenH], [left, q1w - q0w + 1 - left - lenW], [0, 0]]);
      }),
    );
    // Interleave: j = q*s + r along each axis, then crop j to [before, before + n).
    const full = interleavePhases(grid);
    return tf.slice(full, [0, rows.before - q0h * sh, cols.before - q0w * sw, 0], [n, h, w, cin]);
  });
}
