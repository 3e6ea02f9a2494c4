// Frame-to-frame stability for long zooms: blend each dreamed frame with the zoomed previous one, and
// anchor colours by matching each channel's mean and spread to the first frame's, so runs of hundreds
// of frames neither drift in hue nor darken nor saturate. Plain loops: no tensors, nothing to leak.
import type { ColorStats, RgbImage } from '../shared/image.ts';

export function colorStats(img: RgbImage): ColorStats {
  const n = img.width * img.height;
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  const { rgb } = img;
  for (let i = 0; i < rgb.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const v = rgb[i + c]!;
      sum[c]! += v;
      sq[c]! += v * v;
    }
  }
  const mean = sum.map((s) => s / n) as ColorStats['mean'];
  const std = sq.map((s, c) => Math.sqrt(Math.max(0, s / n - mean[c]! ** 2))) as ColorStats['std'];
  return { mean, std };
}

/** (1 - amount) * a + amount * b; amount 0 keeps a. */
export function blendImages(a: RgbImage, b: RgbImage, amount: number): RgbImage {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError(`Cannot blend ${a.width}x${a.height} with ${b.width}x${b.height}.`);
  if (amount === 0) return { ...a, rgb: Float32Array.from(a.rgb) };
  const rgb = new Float32Array(a.rgb.length);
  for (let i = 0; i < rgb.length; i++) rgb[i] = a.rgb[i]! + (b.rgb[i]! - a.rgb[i]!) * amount;
  return { width: a.width, height: a.height, rgb };
}

/**
 * Moves each channel's mean and std toward `target`'s by `strength` (0 = unchanged, 1 = matched):
 * v' = mean' + (v - mean) * std'/std with mean' and std' interpolated between the frame and the target.
 */
export function anchorColors(img: RgbImage, target: ColorStats, strength: number): RgbImage {
  if (strength === 0) return { ...img, rgb: Float32Array.from(img.rgb) };
  const own = colorStats(img);
  const gain: number[] = [];
  const offset: number[] = [];
  for (let c = 0; c < 3; c++) {
    const mean = own.mean[c]! + (target.mean[c]! - own.mean[c]!) * strength;
    const std = own.std[c]! + (target.std[c]! - own.std[c]!) * strength;
    // A flat channel has no spread to rescale: only its mean moves.
    const g = own.std[c]! > 1e-6 ? std / own.std[c]! : 1;
    gain.push(g);
    offset.push(mean - own.mean[c]! * g);
  }
  const rgb = new Float32Array(img.rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    for (let c = 0; c < 3; c++) rgb[i + c] = Math.min(255, Math.max(0, img.rgb[i + c]! * gain[c]! + offset[c]!));
  }
  return { width: img.width, height: img.height, rgb };
}

/** How far a sequence of frames' statistics wandered from the first frame's (for the bench). */
export interface Drift {
  maxAbsMean: [number, number, number];
  maxAbsStd: [number, number, number];
  finalMean: [number, number, number];
  finalStd: [number, number, number];
}

export function colorDrift(stats: readonly ColorStats[]): Drift {
  const first = stats[0];
  if (!first) throw new RangeError('colorDrift needs at least one frame.');
  const last = stats.at(-1)!;
  const pick = (f: (s: ColorStats, c: number) => number): [number, number, number] => [0, 1, 2].map((c) => round(f(last, c))) as [number, number, number];
  const max = (key: 'mean' | 'std'): [number, number, number] =>
    [0, 1, 2].map((c) => round(Math.max(...stats.map((s) => Math.abs(s[key][c]! - first[key][c]!))))) as [number, number, number];
  return {
    maxAbsMean: max('mean'),
    maxAbsStd: max('std'),
    finalMean: pick((s, c) => s.mean[c]! - first.mean[c]!),
    finalStd: pick((s, c) => s.std[c]! - first.std[c]!),
  };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
