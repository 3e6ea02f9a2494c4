// Per-frame zoom geometry: zoom, rotation and centre as one affine map, and the warp that applies it.
// Coordinates are pixel indices (x right, y down); the map sends a point of the previous frame to
// where it appears in the next frame, so composition reads in the order frames are made.
import * as tf from '@tensorflow/tfjs-core';
import type { RgbImage } from '../shared/image.ts';

export interface ZoomGeometry {
  /** Scale per frame: 1.05 magnifies by 5 %; below 1 zooms out. */
  zoom: number;
  /** Degrees per frame, clockwise on screen. */
  rotate: number;
  /** The fixed point of the zoom, as fractions of the image (0,0 top-left, 1,1 bottom-right). */
  centerX: number;
  centerY: number;
}

/** x' = a*x + b*y + c ; y' = d*x + e*y + f */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export const IDENTITY: Affine = { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 };

/** The zoom centre in pixel indices: 0.5 is the exact middle, 0 and 1 the outermost pixel centres. */
export function centerPixel(g: ZoomGeometry, width: number, height: number): { x: number; y: number } {
  return { x: g.centerX * (width - 1), y: g.centerY * (height - 1) };
}

/** One frame's map: scale by `zoom` and rotate by `rotate` degrees about the centre. */
export function frameTransform(g: ZoomGeometry, width: number, height: number): Affine {
  const { x: cx, y: cy } = centerPixel(g, width, height);
  const t = (g.rotate * Math.PI) / 180;
  // With y pointing down, this rotation matrix turns clockwise on screen.
  const a = g.zoom * Math.cos(t);
  const b = -g.zoom * Math.sin(t);
  const d = g.zoom * Math.sin(t);
  const e = g.zoom * Math.cos(t);
  return { a, b, c: cx - a * cx - b * cy, d, e, f: cy - d * cx - e * cy };
}

/** `then` after `first`: the map of two consecutive frames. */
export function compose(first: Affine, then: Affine): Affine {
  return {
    a: then.a * first.a + then.b * first.d,
    b: then.a * first.b + then.b * first.e,
    c: then.a * first.c + then.b * first.f + then.c,
    d: then.d * first.a + then.e * first.d,
    e: then.d * first.b + then.e * first.e,
    f: then.d * first.c + then.e * first.f + then.f,
  };
}

export function invert(m: Affine): Affine {
  const det = m.a * m.e - m.b * m.d;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('The zoom transform cannot be inverted (zoom must be above 0).');
  const a = m.e / det;
  const b = -m.b / det;
  const d = -m.d / det;
  const e = m.a / det;
  return { a, b, c: -(a * m.c + b * m.f), d, e, f: -(d * m.c + e * m.f) };
}

export function applyToPoint(m: Affine, x: number, y: number): { x: number; y: number } {
  return { x: m.a * x + m.b * y + m.c, y: m.d * x + m.e * y + m.f };
}

/**
 * Resamples `img` so each point moves where `forward` sends it (bilinear). Pixels that come from
 * outside the old frame (zooming out, rotating corners in) mirror the border instead of going black.
 */
export function warpImage(img: RgbImage, forward: Affine): RgbImage {
  const { width, height } = img;
  // tf.image.transform maps each OUTPUT pixel to the input pixel it samples: the inverse map.
  const m = invert(forward);
  const rgb = tf.tidy(() => {
    const x = tf.tensor4d(img.rgb, [1, height, width, 3]);
    const out = tf.image.transform(x, tf.tensor2d([[m.a, m.b, m.c, m.d, m.e, m.f, 0, 0]]), 'bilinear', 'reflect');
    return tf.clipByValue(out, 0, 255);
  });
  const data = Float32Array.from(rgb.dataSync() as Float32Array);
  rgb.dispose();
  return { width, height, rgb: data };
}
