// Painted masks as the render loop uses them: one float per pixel, 1 dreams, 0 keeps, between blends.
import type { RgbImage } from '../shared/image.ts';

export interface Mask {
  width: number;
  height: number;
  /** Row-major, 0..1. */
  data: Float32Array;
}

/** Bilinear resize of a one-channel mask with half-pixel centres (as resizeBilinear in pixels.ts). */
export function resizeMask(mask: Mask, height: number, width: number): Float32Array {
  const { data: src, height: h, width: w } = mask;
  if (h === height && w === width) return src.slice();
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * (h / height) - 0.5);
    const y0 = Math.min(h - 1, Math.floor(fy));
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * (w / width) - 0.5);
      const x0 = Math.min(w - 1, Math.floor(fx));
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const top = src[y0 * w + x0]! + (src[y0 * w + x1]! - src[y0 * w + x0]!) * tx;
      const bottom = src[y1 * w + x0]! + (src[y1 * w + x1]! - src[y1 * w + x0]!) * tx;
      out[y * width + x] = top + (bottom - top) * ty;
    }
  }
  return out;
}

/** g (HWC) += m (HW) * part (HWC); m null means 1 everywhere. */
export function addMasked(g: Float32Array, part: Float32Array, m: Float32Array | null): void {
  for (let i = 0; i < g.length; i++) g[i] = g[i]! + part[i]! * (m ? m[(i / 3) | 0]! : 1);
}

/** g (HWC) *= m (HW), in place. */
export function multiplyMask(g: Float32Array, m: Float32Array): void {
  for (let i = 0; i < g.length; i++) g[i] = g[i]! * m[(i / 3) | 0]!;
}

/**
 * The deep dream update for a masked gradient: normalised by the mean |g| over the area that dreams
 * (the mask's mean), so a small painted region moves as far per step as a whole image would.
 */
export function maskedStep(x: Float32Array, g: Float32Array, step: number, [lo, hi]: readonly [number, number], coverage: Float32Array): void {
  let sum = 0;
  for (let i = 0; i < g.length; i++) sum += Math.abs(g[i]!);
  let area = 0;
  for (let i = 0; i < coverage.length; i++) area += coverage[i]!;
  const k = step / (sum / Math.max(1e-6, area * 3) + 1e-8);
  for (let i = 0; i < x.length; i++) x[i] = Math.min(hi, Math.max(lo, x[i]! + g[i]! * k));
}

/**
 * The final blend: input + w * (dream - input), w = coverage * (1 - fade / 100). Where coverage is 0
 * the input comes back exactly; in place on `dreamed`.
 */
export function blendTowardInput(input: RgbImage, dreamed: RgbImage, coverage: Float32Array | null, fade: number): RgbImage {
  const keep = 1 - fade / 100;
  const out = dreamed.rgb;
  for (let i = 0; i < out.length; i++) {
    const w = keep * (coverage ? coverage[(i / 3) | 0]! : 1);
    out[i] = input.rgb[i]! + w * (out[i]! - input.rgb[i]!);
  }
  return dreamed;
}
