// Viridis (perceptually uniform, colour-blind safe) for drawing activation maps.
import type { RgbImage } from '../shared/image.ts';

/** Viridis at nine evenly spaced stops (matplotlib's values), interpolated linearly between them. */
const VIRIDIS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The viridis colour of t in [0, 1] (clamped). */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** A float plane as a viridis picture, scaled from `lo` (dark) to `hi` (bright). */
export function colourise(plane: Float32Array, width: number, height: number, lo: number, hi: number): RgbImage {
  const rgb = new Float32Array(width * height * 3);
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < width * height; i++) rgb.set(viridis((plane[i]! - lo) / span), i * 3);
  return { width, height, rgb };
}
