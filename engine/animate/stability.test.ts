// Blending and colour anchoring on their own: exact statistics on small synthetic frames.
import { describe, expect, it } from 'vitest';
import { anchorColors, blendImages, colorDrift, colorStats } from './stability.ts';
import type { RgbImage } from '../shared/image.ts';

/** 2x2 image from four RGB pixels. */
function img(...pixels: Array<[number, number, number]>): RgbImage {
  return { width: 2, height: 2, rgb: Float32Array.from(pixels.flat()) };
}

const frame = img([10, 100, 200], [30, 100, 220], [50, 120, 180], [70, 80, 200]);

describe('colorStats', () => {
  it('gives each channel its mean and population standard deviation', () => {
    const s = colorStats(frame);
    expect(s.mean).toEqual([40, 100, 200]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(500), 9);
    expect(s.std[1]).toBeCloseTo(Math.sqrt(200), 9);
    expect(s.std[2]).toBeCloseTo(Math.sqrt(200), 9);
  });
});

describe('anchorColors', () => {
  const target = { mean: [60, 110, 190] as [number, number, number], std: [10, 5, 20] as [number, number, number] };

  it('at strength 1 gives the target mean and std exactly (when nothing clips)', () => {
    const s = colorStats(anchorColors(frame, target, 1));
    for (let c = 0; c < 3; c++) {
      expect(s.mean[c]).toBeCloseTo(target.mean[c]!, 4);
      expect(s.std[c]).toBeCloseTo(target.std[c]!, 4);
    }
  });

  it('at strength 0.5 goes halfway, and at 0 changes nothing', () => {
    const s = colorStats(anchorColors(frame, target, 0.5));
    expect(s.mean[0]).toBeCloseTo(50, 4);
    expect(s.std[0]).toBeCloseTo((Math.sqrt(500) + 10) / 2, 4);
    expect(anchorColors(frame, target, 0).rgb).toEqual(frame.rgb);
  });

  it('keeps pixels in 0..255 and leaves a flat channel flat', () => {
    const flat = img([0, 5, 250], [0, 5, 250], [255, 5, 250], [255, 5, 250]);
    const out = anchorColors(flat, { mean: [250, 128, 128], std: [100, 40, 40] }, 1);
    expect(Math.min(...out.rgb)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...out.rgb)).toBeLessThanOrEqual(255);
    expect(colorStats(out).std[1]).toBeCloseTo(0, 6);
    expect(colorStats(out).mean[1]).toBeCloseTo(128, 4);
  });
});

describe('blendImages and colorDrift', () => {
  it('mixes two frames by the amount given', () => {
    const other = img([110, 0, 0], [130, 0, 0], [150, 0, 0], [170, 0, 0]);
    expect(Array.from(blendImages(frame, other, 0.25).rgb.slice(0, 3))).toEqual([35, 75, 150]);
    expect(blendImages(frame, other, 0).rgb).toEqual(frame.rgb);
    expect(() => blendImages(frame, { width: 1, height: 4, rgb: frame.rgb }, 0.5)).toThrow(/Cannot blend/);
  });

  it('reports the largest and the final wander of each channel from frame 0', () => {
    const d = colorDrift([
      { mean: [100, 100, 100], std: [50, 50, 50] },
      { mean: [90, 104, 100], std: [60, 50, 45] },
      { mean: [95, 101, 103], std: [55, 50, 50] },
    ]);
    expect(d).toEqual({ maxAbsMean: [10, 4, 3], maxAbsStd: [10, 0, 5], finalMean: [-5, 1, 3], finalStd: [5, 0, 0] });
  });
});
