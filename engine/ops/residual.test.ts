import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { describeReport, gradCheck, weightedSum } from '../../tests/helpers/gradcheck.ts';
import { addInputGradients, clippedRelu, clippedReluInputGradient, zeroPadForward, zeroPadInputGradient, type ZeroPads } from './residual.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('clippedReluInputGradient (ReLU6)', () => {
  it('matches finite differences away from the kinks, and is 0 at and beyond them', () => {
    // Pre-activations spread over [-4, 10], kept 0.1 away from 0 and 6, with exact 0s and 6s mixed in.
    const raw = tf.randomUniform([1, 9, 11, 4], -4, 10, 'float32', 31).dataSync();
    const zd = Array.from(raw, (v, i) => (i % 7 === 0 ? 0 : i % 7 === 1 ? 6 : Math.abs(v) < 0.1 || Math.abs(v - 6) < 0.1 ? v + 0.25 : v));
    const z = tf.tensor4d(zd, [1, 9, 11, 4]);
    const y = clippedRelu(z, 6);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 32) as tf.Tensor4D;
    const g = clippedReluInputGradient(dy, y, 6);
    const gd = g.dataSync();
    const dyd = dy.dataSync();
    zd.forEach((v, i) => expect(Math.abs(gd[i]!), `at ${v}`).toBe(v > 0 && v < 6 ? Math.abs(dyd[i]!) : 0));
    const kink = (i: number) => zd[i] === 0 || zd[i] === 6;
    const report = gradCheck(weightedSum((t) => clippedRelu(t, 6), dy), z, g, { exclude: kink });
    expect(report.ok, describeReport(report)).toBe(true);
    expect(report.elements.length).toBeGreaterThan(200);
    tf.dispose([z, y, dy, g]);
  });

  it('clips at other maxima too', () => {
    const z = tf.tensor4d([-1, 0.5, 2, 3.5], [1, 1, 1, 4]);
    const y = clippedRelu(z, 3);
    expect(Array.from(y.dataSync())).toEqual([0, 0.5, 2, 3]);
    const g = clippedReluInputGradient(tf.ones([1, 1, 1, 4]) as tf.Tensor4D, y, 3);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 1, 0]);
    tf.dispose([z, y, g]);
  });
});

describe('addInputGradients', () => {
  it('passes dy to each addend (finite differences on a residual sum)', () => {
    const a = tf.randomNormal([1, 5, 6, 3], 0, 1, 'float32', 41) as tf.Tensor4D;
    const b = tf.randomNormal([1, 5, 6, 3], 0, 1, 'float32', 42) as tf.Tensor4D;
    const dy = tf.randomNormal([1, 5, 6, 3], 0, 1, 'float32', 43) as tf.Tensor4D;
    const [ga, gb] = addInputGradients(dy, 2) as [tf.Tensor4D, tf.Tensor4D];
    const ra = gradCheck(weightedSum((t) => tf.add(t, b), dy), a, ga, { eps: 0.05 });
    const rb = gradCheck(weightedSum((t) => tf.add(a, t), dy), b, gb, { eps: 0.05 });
    expect(ra.ok, describeReport(ra)).toBe(true);
    expect(rb.ok, describeReport(rb)).toBe(true);
    // Each is its own tensor: disposing one leaves dy and the other intact.
    ga.dispose();
    expect(gb.dataSync()).toEqual(dy.dataSync());
    tf.dispose([a, b, dy, gb]);
    expect(() => addInputGradients(dy, 0)).toThrow(/at least one/);
  });
});

describe('zeroPadInputGradient', () => {
  it.each([
    [[[0, 1], [0, 1]]],
    [[[1, 1], [2, 0]]],
    [[[3, 0], [0, 0]]],
  ] as [ZeroPads][])('pads %j: matches finite differences', (pads) => {
    const x = tf.randomNormal([1, 6, 7, 2], 0, 1, 'float32', 51) as tf.Tensor4D;
    const y = zeroPadForward(x, pads);
    expect(y.shape).toEqual([1, 6 + pads[0][0] + pads[0][1], 7 + pads[1][0] + pads[1][1], 2]);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 52) as tf.Tensor4D;
    const g = zeroPadInputGradient(dy, pads);
    const report = gradCheck(weightedSum((t) => zeroPadForward(t, pads), dy), x, g, { eps: 0.05 });
    expect(report.ok, describeReport(report)).toBe(true);
    tf.dispose([x, y, dy, g]);
  });

  it('leaks nothing across the three ops', () => {
    const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const pads: ZeroPads = [[0, 1], [0, 1]];
    tf.dispose([clippedRelu(x, 6), clippedRelu(x, 2), clippedReluInputGradient(x, x, 6), ...addInputGradients(x, 3), zeroPadForward(x, pads), zeroPadInputGradient(x, pads)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });
});
