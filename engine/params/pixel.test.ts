import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { COLOR_CORRELATION_SVD_SQRT, decorrelationMatrix, toValidImage } from './color.ts';
import { pixelImage } from './pixel.ts';

describe('pixel parameterisation and colour space', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it("uses Lucid's colour matrix, normalised so its largest column has unit length", () => {
    const m = decorrelationMatrix();
    expect(m[0]![1]).toBeCloseTo(COLOR_CORRELATION_SVD_SQRT[1]![0] / Math.hypot(0.26, 0.27, 0.27), 6);
    const rowNorms = m.map((r) => Math.hypot(...r));
    expect(Math.max(...rowNorms)).toBeCloseTo(1, 6);
  });

  it('maps any values into the model range', () => {
    const t = tf.tensor4d([-50, 0, 50, 3, -3, 0.5], [1, 1, 2, 3]);
    const x = toValidImage(t, [0, 255], true);
    const v = x.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(255);
    tf.dispose([t, x]);
  });

  it('round-trips an image and starts from seeded noise', () => {
    const before = tf.memory().numTensors;
    const p = pixelImage({ batch: 1, height: 6, width: 5, range: [-1, 1], seeds: [4] });
    const q = pixelImage({ batch: 1, height: 6, width: 5, range: [-1, 1], seeds: [4] });
    const r = pixelImage({ batch: 1, height: 6, width: 5, range: [-1, 1], seeds: [5] });
    const [a, b, c] = [p.image(), q.image(), r.image()];
    expect(a.dataSync()).toEqual(b.dataSync());
    expect(a.dataSync()).not.toEqual(c.dataSync());
    const target = tf.randomUniform([1, 6, 5, 3], -0.95, 0.95, 'float32', 2) as tf.Tensor4D;
    p.setImage(target);
    const back = p.image();
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(back, target))).dataSync()[0]!)).toBeLessThan(1e-4);
    tf.dispose([a, b, c, target, back]);
    [p, q, r].forEach((x) => x.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});
