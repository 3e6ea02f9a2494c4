// Finite-difference checks of analytic input gradients, for tests (ops here, whole networks elsewhere).
// Central differences in float32 are noisy, so: f is evaluated in float64 on the JS side where possible
// (outputs the perturbation does not reach are bitwise identical and cancel exactly), the divisor is
// the perturbation float32 really applied, and tolerances scale with the gradient's magnitude.
import * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '../../engine/shared/random.ts';

export type ScalarFn = (x: tf.Tensor4D) => number;

/** Seeded PRNG for sampled coordinates and directions: the engine's mulberry32. */
export const mulberry32 = seededRandom;

/** f(x) = sum(w * op(x)), summed in float64; its input gradient is op's with dy = w. */
export function weightedSum(op: (x: tf.Tensor4D) => tf.Tensor, w: tf.Tensor): ScalarFn {
  const wd = w.dataSync();
  return (x) => {
    const y = tf.tidy(() => op(x));
    if (y.size !== wd.length) throw new Error(`weightedSum: op output has ${y.size} elements, w has ${wd.length}`);
    const yd = y.dataSync();
    y.dispose();
    let s = 0;
    for (let i = 0; i < yd.length; i++) s += (wd[i] as number) * (yd[i] as number);
    return s;
  };
}

/** Adapts a tensor-valued scalar objective (e.g. a whole-network loss) to a ScalarFn. */
export function scalarOf(f: (x: tf.Tensor4D) => tf.Tensor): ScalarFn {
  return (x) => {
    const s = tf.tidy(() => f(x));
    const v = s.dataSync()[0] as number;
    s.dispose();
    return v;
  };
}

export interface GradCheckOptions {
  /** Perturbation size (default 1e-2; piecewise-linear ops need it below their kink spacing). */
  eps?: number;
  /** Relative tolerance (default 1e-2). */
  rtol?: number;
  /** Absolute tolerance per element (default 1e-3 * max |numeric gradient| over checked elements). */
  atol?: number;
  /** Check every element when x has at most this many (default 1024); else borders + samples. */
  maxElements?: number;
  /** Random coordinates checked in addition to corners and edge midpoints (default 48). */
  samples?: number;
  /** Random directions for <g,v> vs the directional difference (default 3). */
  directions?: number;
  seed?: number;
  /** Elements to leave out (e.g. kinks where f is not differentiable); flat NHWC index. */
  exclude?: (flatIndex: number) => boolean;
}

export interface ElementCheck {
  index: [number, number, number, number];
  analytic: number;
  numeric: number;
  ok: boolean;
}

export interface GradCheckReport {
  ok: boolean;
  elements: ElementCheck[];
  failures: ElementCheck[];
  maxAbsError: number;
  directional: { analytic: number; numeric: number; ok: boolean }[];
}

/** Coordinates to check: all elements if few, else the four spatial corners and edge midpoints
 * (first and last channel, every batch item) plus seeded random samples. */
function pickCoords(shape: readonly number[], opts: GradCheckOptions, rand: () => number): number[] {
  const [n, h, w, c] = shape as [number, number, number, number];
  const size = n * h * w * c;
  if (size <= (opts.maxElements ?? 1024)) return Array.from({ length: size }, (_, i) => i);
  const picked = new Set<number>();
  const at = (b: number, i: number, j: number, k: number) => ((b * h + i) * w + j) * c + k;
  const rows = [0, Math.floor(h / 2), h - 1];
  const cols = [0, Math.floor(w / 2), w - 1];
  for (let b = 0; b < n; b++) for (const i of rows) for (const j of cols) for (const k of [0, c - 1]) picked.add(at(b, i, j, k));
  for (let s = 0; s < (opts.samples ?? 48); s++) picked.add(Math.floor(rand() * size));
  return [...picked].sort((a, b) => a - b);
}

function unflatten(idx: number, shape: readonly number[]): [number, number, number, number] {
  const [, h, w, c] = shape as [number, number, number, number];
  return [Math.floor(idx / (h * w * c)), Math.floor(idx / (w * c)) % h, Math.floor(idx / c) % w, idx % c];
}

/** Compares `analytic` (dF/dx at x) with central differences of f, per element and along directions. */
export function gradCheck(f: ScalarFn, x: tf.Tensor4D, analytic: tf.Tensor4D, opts: GradCheckOptions = {}): GradCheckReport {
  if (x.shape.some((d, i) => d !== analytic.shape[i])) {
    throw new Error(`gradCheck: gradient shape [${analytic.shape.join(',')}] differs from x [${x.shape.join(',')}]`);
  }
  const eps = opts.eps ?? 1e-2;
  const rtol = opts.rtol ?? 1e-2;
  const rand = mulberry32(opts.seed ?? 1234);
  const base = x.dataSync().slice() as Float32Array;
  const g = analytic.dataSync();
  const evalAt = (data: Float32Array) => {
    const t = tf.tensor4d(data, x.shape);
    const v = f(t);
    t.dispose();
    return v;
  };
  const coords = pickCoords(x.shape, opts, rand).filter((i) => !opts.exclude?.(i));
  const raw = coords.map((i) => {
    const x0 = base[i] as number;
    const hi = Math.fround(x0 + eps);
    const lo = Math.fround(x0 - eps);
    base[i] = hi;
    const fh = evalAt(base);
    base[i] = lo;
    const fl = evalAt(base);
    base[i] = x0;
    return { index: unflatten(i, x.shape), analytic: g[i] as number, numeric: (fh - fl) / (hi - lo) };
  });
  const scale = raw.reduce((m, e) => Math.max(m, Math.abs(e.numeric), Math.abs(e.analytic)), 0);
  const atol = opts.atol ?? 1e-3 * scale;
  const elements = raw.map((e) => ({ ...e, ok: Math.abs(e.analytic - e.numeric) <= atol + rtol * Math.abs(e.numeric) }));
  const maxAbsError = elements.reduce((m, e) => Math.max(m, Math.abs(e.analytic - e.numeric)), 0);

  // Directional: <g, x+ - x-> vs f(x+) - f(x-), with v ~ N(0,1) (Box-Muller), excluded elements held fixed.
  let gNorm2 = 0;
  for (let i = 0; i < g.length; i++) if (!opts.exclude?.(i)) gNorm2 += (g[i] as number) ** 2;
  const directional = Array.from({ length: opts.directions ?? 3 }, () => {
    const plus = base.slice();
    const minus = base.slice();
    let dot = 0;
    for (let i = 0; i < base.length; i++) {
      if (opts.exclude?.(i)) continue;
      const v = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      plus[i] = Math.fround((base[i] as number) + eps * v);
      minus[i] = Math.fround((base[i] as number) - eps * v);
      dot += (g[i] as number) * ((plus[i] as number) - (minus[i] as number));
    }
    const num = (evalAt(plus) - evalAt(minus)) / (2 * eps);
    const ana = dot / (2 * eps);
    // <g,v> for v ~ N(0,I) has spread ||g||: tolerate rtol * (|numeric| + ||g|| / 10).
    return { analytic: ana, numeric: num, ok: Math.abs(ana - num) <= rtol * (Math.abs(num) + 0.1 * Math.sqrt(gNorm2)) };
  });
  const failures = elements.filter((e) => !e.ok);
  return { ok: failures.length === 0 && directional.every((d) => d.ok), elements, failures, maxAbsError, directional };
}

/** One-line summary for assertion messages. */
export function describeReport(r: GradCheckReport): string {
  const worst = r.failures.slice(0, 5).map((e) => `[${e.index.join(',')}] analytic ${e.analytic.toPrecision(5)} numeric ${e.numeric.toPrecision(5)}`);
  const dirs = r.directional.map((d) => `${d.analytic.toPrecision(6)}/${d.numeric.toPrecision(6)}${d.ok ? '' : '!'}`);
  return `${r.elements.length} elements, ${r.failures.length} failed, max abs err ${r.maxAbsError.toExponential(2)}; directional ${dirs.join(' ')}; ${worst.join('; ')}`;
}
