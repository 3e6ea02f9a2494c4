// Zoom geometry on its own: the centre stays put, other points move away from it by the zoom factor,
// rotation turns by the stated angle, and the tfjs warp moves real pixels where the maths says.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend.ts';
import { applyToPoint, centerPixel, compose, frameTransform, IDENTITY, invert, warpImage, type Affine } from './zoomPath.ts';
import type { RgbImage } from '../shared/image.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const W = 81;
const H = 61;
const off = { zoom: 1.3, rotate: 0, centerX: 0.25, centerY: 0.75 };

function expectAffine(a: Affine, b: Affine): void {
  for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) expect(a[k]).toBeCloseTo(b[k], 9);
}

describe('frameTransform', () => {
  it('keeps the off-centre zoom point fixed', () => {
    const c = centerPixel(off, W, H);
    expect(c).toEqual({ x: 20, y: 45 });
    const p = applyToPoint(frameTransform(off, W, H), c.x, c.y);
    expect(p.x).toBeCloseTo(20, 9);
    expect(p.y).toBeCloseTo(45, 9);
  });

  it('moves every other point straight away from the centre by the zoom factor', () => {
    const m = frameTransform(off, W, H);
    for (const [x, y] of [
      [0, 0],
      [60, 10],
      [20, 60],
      [33, 45],
    ] as const) {
      const p = applyToPoint(m, x, y);
      expect(p.x - 20).toBeCloseTo(1.3 * (x - 20), 9);
      expect(p.y - 45).toBeCloseTo(1.3 * (y - 45), 9);
    }
  });

  it('rotates clockwise on screen by the stated degrees about the centre, zooming as well', () => {
    const m = frameTransform({ ...off, zoom: 1.1, rotate: 30 }, W, H);
    const p = applyToPoint(m, 20 + 10, 45); // 10 px right of the centre
    const angle = (Math.atan2(p.y - 45, p.x - 20) * 180) / Math.PI; // y down: positive is clockwise
    expect(angle).toBeCloseTo(30, 9);
    expect(Math.hypot(p.x - 20, p.y - 45)).toBeCloseTo(11, 9);
  });

  it('composes frames (zooms multiply, angles add) and inverts', () => {
    const one = frameTransform({ ...off, rotate: 10 }, W, H);
    expectAffine(compose(one, one), frameTransform({ ...off, zoom: 1.3 ** 2, rotate: 20 }, W, H));
    expectAffine(compose(one, invert(one)), IDENTITY);
    expect(() => invert({ ...IDENTITY, a: 0, e: 0 })).toThrow(/cannot be inverted/);
  });
});

/** An image with soft bright blobs at the given points, on black. */
function blobs(points: ReadonlyArray<readonly [number, number]>): RgbImage {
  const rgb = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let v = 0;
      for (const [px, py] of points) v += 255 * Math.exp(-((x - px) ** 2 + (y - py) ** 2) / 2);
      rgb.fill(Math.min(255, v), (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  }
  return { width: W, height: H, rgb };
}

/** Brightness-weighted centre of the pixels within `r` of (x, y). */
function centroid(img: RgbImage, x: number, y: number, r: number): { x: number; y: number } {
  let sx = 0;
  let sy = 0;
  let s = 0;
  for (let j = Math.max(0, Math.round(y - r)); j <= Math.min(H - 1, Math.round(y + r)); j++) {
    for (let i = Math.max(0, Math.round(x - r)); i <= Math.min(W - 1, Math.round(x + r)); i++) {
      const v = img.rgb[(j * W + i) * 3]!;
      sx += v * i;
      sy += v * j;
      s += v;
    }
  }
  return { x: sx / s, y: sy / s };
}

describe('warpImage', () => {
  it('moves real pixels as the transform says: the centre blob stays, the others move away', () => {
    const img = blobs([
      [20, 45],
      [30, 45],
      [20, 35],
    ]);
    const out = warpImage(img, frameTransform({ ...off, zoom: 1.5 }, W, H));
    const c = centroid(out, 20, 45, 3);
    expect(c.x).toBeCloseTo(20, 1);
    expect(c.y).toBeCloseTo(45, 1);
    const right = centroid(out, 35, 45, 4);
    expect(right.x).toBeCloseTo(35, 0);
    expect(right.y).toBeCloseTo(45, 1);
    const up = centroid(out, 20, 30, 4);
    expect(up.x).toBeCloseTo(20, 1);
    expect(up.y).toBeCloseTo(30, 0);
  });

  it('rotates real pixels clockwise: a blob right of the centre ends up below it', () => {
    const out = warpImage(blobs([[28, 45]]), frameTransform({ ...off, zoom: 1, rotate: 90 }, W, H));
    const p = centroid(out, 20, 53, 4);
    expect(p.x).toBeCloseTo(20, 1);
    expect(p.y).toBeCloseTo(53, 1);
  });

  it('mirrors the border instead of filling black when zooming out, and leaks no tensors', () => {
    const flat: RgbImage = { width: W, height: H, rgb: new Float32Array(W * H * 3).fill(200) };
    const before = tf.memory().numTensors;
    const out = warpImage(flat, frameTransform({ ...off, zoom: 0.5 }, W, H));
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.min(...out.rgb)).toBeCloseTo(200, 3);
  });
});
