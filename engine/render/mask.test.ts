// Mask arithmetic: resizing, the masked step's normaliser, and the final blend's exactness where 0.
import { describe, expect, it } from 'vitest';
import { blendTowardInput, maskedStep, resizeMask } from './mask.ts';
import { normalisedStep } from './pixels.ts';

describe('masks', () => {
  it('resizes with soft edges and keeps flat areas flat', () => {
    const m = { width: 4, height: 2, data: Float32Array.from([0, 0, 1, 1, 0, 0, 1, 1]) };
    const r = resizeMask(m, 4, 8);
    expect(r[0]).toBe(0);
    expect(r[7]).toBe(1);
    expect(r[3]! > 0 && r[3]! < 1).toBe(true);
  });

  it('a full mask steps exactly as the plain step; a half mask moves the dreaming half as far', () => {
    const g = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
    const a = new Float32Array(12);
    const b = new Float32Array(12);
    normalisedStep(a, g, 0.1, [-1, 1]);
    maskedStep(b, g, 0.1, [-1, 1], new Float32Array(4).fill(1));
    for (let i = 0; i < 12; i++) expect(b[i]).toBeCloseTo(a[i]!, 6);
    const half = Float32Array.from(g, (v, i) => (i < 6 ? v : 0));
    const c = new Float32Array(12);
    maskedStep(c, half, 0.1, [-1, 1], Float32Array.from([1, 1, 0, 0]));
    const meanAbs = (x: Float32Array, n: number) => x.slice(0, n).reduce((s, v) => s + Math.abs(v), 0) / n;
    expect(meanAbs(c, 6)).toBeCloseTo(0.1, 6);
  });

  it('blends toward the input: exact where the mask is 0, fade 100 gives the input back', () => {
    const input = { width: 2, height: 1, rgb: Float32Array.from([10, 20, 30, 40, 50, 60]) };
    const dreamed = () => ({ width: 2, height: 1, rgb: Float32Array.from([110, 120, 130, 140, 150, 160]) });
    expect([...blendTowardInput(input, dreamed(), Float32Array.from([0, 1]), 0).rgb]).toEqual([10, 20, 30, 140, 150, 160]);
    expect([...blendTowardInput(input, dreamed(), null, 100).rgb]).toEqual([...input.rgb]);
    expect([...blendTowardInput(input, dreamed(), Float32Array.from([0.5, 1]), 50).rgb]).toEqual([35, 45, 55, 90, 100, 110]);
  });
});
