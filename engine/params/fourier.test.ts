import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { fourierImage, halfWidth, spectrumScale } from './fourier.ts';

const RANGE = [-1, 1] as const;

/** numpy.fft.irfft2 of a half-plane spectrum, straight from the definition, in float64. */
function referenceIrfft2(re: Float64Array, im: Float64Array, h: number, w: number): Float64Array {
  const fw = halfWidth(w);
  const out = new Float64Array(h * w);
  for (let m = 0; m < h; m++) {
    for (let n = 0; n < w; n++) {
      let s = 0;
      for (let ky = 0; ky < h; ky++) {
        for (let kx = 0; kx < fw; kx++) {
          const weight = kx === 0 || 2 * kx === w ? 1 : 2;
          const a = 2 * Math.PI * ((ky * m) / h + (kx * n) / w);
          s += weight * (re[ky * fw + kx]! * Math.cos(a) - im[ky * fw + kx]! * Math.sin(a));
        }
      }
      out[m * w + n] = s / (h * w);
    }
  }
  return out;
}

function smoothImage(b: number, h: number, w: number): tf.Tensor4D {
  const data = new Float32Array(b * h * w * 3);
  for (let i = 0; i < data.length; i++) data[i] = 0.9 * Math.sin(i * 0.37 + (i % 3)) * Math.cos(i * 0.011);
  return tf.tensor4d(data, [b, h, w, 3]);
}

describe('Fourier parameterisation', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('scales the spectrum by 1/frequency as Lucid does', () => {
    const s = spectrumScale(4, 6);
    const fw = halfWidth(6); // 4
    expect(fw).toBe(4);
    // DC is clamped at frequency 1/max(h, w); (ky=2 → fftfreq -0.5, kx=3 → 0.5) is the highest.
    expect(s[0]).toBeCloseTo(Math.sqrt(24) * 6, 4);
    expect(s[2 * fw + 3]).toBeCloseTo(Math.sqrt(24) / Math.hypot(0.5, 0.5), 4);
    expect(s[1]).toBeCloseTo(Math.sqrt(24) * 6, 4); // kx=1: frequency 1/6, exactly the clamp
  });

  it.each([
    [5, 6],
    [4, 7],
  ])('computes numpy irfft2 of the scaled spectrum (%ix%i)', (h, w) => {
    const param = fourierImage({ height: h, width: w, range: RANGE, decorrelate: false, seeds: [3], sd: 0.05 });
    const fw = halfWidth(w);
    const spec = param.variables[0]!.dataSync();
    const scale = spectrumScale(h, w);
    const got = param.image();
    const pixels = got.dataSync();
    for (let c = 0; c < 3; c++) {
      const re = new Float64Array(h * fw);
      const im = new Float64Array(h * fw);
      for (let ky = 0; ky < h; ky++) {
        for (let kx = 0; kx < fw; kx++) {
          re[ky * fw + kx] = spec[ky * 3 * fw + c * fw + kx]! * scale[ky * fw + kx]!;
          im[ky * fw + kx] = spec[(h + ky) * 3 * fw + c * fw + kx]! * scale[ky * fw + kx]!;
        }
      }
      const ref = referenceIrfft2(re, im, h, w);
      for (let i = 0; i < h * w; i++) {
        const expected = 2 / (1 + Math.exp(-ref[i]! / 4)) - 1;
        expect(pixels[i * 3 + c]).toBeCloseTo(expected, 4);
      }
    }
    got.dispose();
    param.dispose();
  });

  it.each([
    [16, 16, true],
    [15, 21, true],
    [12, 9, false],
  ])('round-trips image → spectrum → image (%ix%i, decorrelated %s)', (h, w, decorrelate) => {
    const before = tf.memory().numTensors;
    const param = fourierImage({ batch: 2, height: h, width: w, range: RANGE, decorrelate });
    const x = smoothImage(2, h, w);
    param.setImage(x);
    const y = param.image();
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]!);
    expect(err).toBeLessThan(2e-3);
    tf.dispose([x, y]);
    param.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('starts from seeded noise: same seed same image, another seed another, independent of batch neighbours', () => {
    const images = (seeds: number[]): Float32Array => {
      const p = fourierImage({ batch: seeds.length, height: 12, width: 12, range: RANGE, seeds });
      const img = p.image();
      const data = Float32Array.from(img.dataSync());
      img.dispose();
      p.dispose();
      return data;
    };
    const a = images([7]);
    expect(images([7])).toEqual(a);
    expect(images([8])).not.toEqual(a);
    const pair = images([9, 7]);
    const second = pair.slice(12 * 12 * 3);
    for (let i = 0; i < a.length; i++) expect(second[i]).toBeCloseTo(a[i]!, 5);
    // Lucid's sd=0.01 start is close to mid-grey.
    expect(Math.max(...a.map(Math.abs))).toBeLessThan(0.2);
  });

  it('is differentiable: the directional derivative matches a finite difference', () => {
    const param = fourierImage({ height: 10, width: 11, range: RANGE, seeds: [1], sd: 0.2 });
    const v = param.variables[0]!;
    const weights = tf.randomUniform([1, 10, 11, 3], -1, 1, 'float32', 5);
    const f = (): tf.Scalar => tf.sum(tf.mul(param.image(), weights));
    const { grads } = tf.variableGrads(f, [v]);
    const direction = tf.randomUniform(v.shape, -1, 1, 'float32', 6);
    const analytic = tf.sum(tf.mul(grads[v.name]!, direction)).dataSync()[0]!;
    const start = v.clone();
    const eps = 1e-3;
    v.assign(tf.add(start, tf.mul(direction, eps)));
    const up = tf.tidy(() => f().dataSync()[0]!);
    v.assign(tf.sub(start, tf.mul(direction, eps)));
    const down = tf.tidy(() => f().dataSync()[0]!);
    expect(Math.abs(analytic)).toBeGreaterThan(1e-3);
    expect((up - down) / (2 * eps)).toBeCloseTo(analytic, 1);
    tf.dispose([weights, direction, start, ...Object.values(grads)]);
    param.dispose();
  });
});
