// Lucid's decorrelated Fourier parameterisation: each image is a half-plane spectrum (rfft2d layout)
// scaled by 1/frequency, so Adam's steps start on smooth, natural-looking structure; the inverse
// real FFT is written as two DFT matmuls (tfjs-wasm has no FFT kernels, and matmuls differentiate).
import * as tf from '@tensorflow/tfjs-core';
import { fromValidImage, toValidImage } from './color.ts';
import { gaussianNoise } from './noise.ts';
import type { ImageParam, ParamOptions } from './types.ts';

/** numpy.fft.fftfreq(n)[k] */
function fftfreq(k: number, n: number): number {
  return (k < Math.ceil(n / 2) ? k : k - n) / n;
}

/** Number of stored x-frequencies for a real signal of width w (rfft length). */
export function halfWidth(w: number): number {
  return Math.floor(w / 2) + 1;
}

/** Lucid's spectrum scale: 1/max(freq, 1/max(h,w))^decay, times sqrt(h*w) for a unitary transform. */
export function spectrumScale(h: number, w: number, decayPower = 1): Float32Array {
  const fw = halfWidth(w);
  const out = new Float32Array(h * fw);
  for (let ky = 0; ky < h; ky++) {
    for (let kx = 0; kx < fw; kx++) {
      const f = Math.hypot(fftfreq(ky, h), kx / w);
      out[ky * fw + kx] = Math.sqrt(w * h) / Math.max(f, 1 / Math.max(h, w)) ** decayPower;
    }
  }
  return out;
}

/** Row-block matrices [[c, -s], [s, c]] (inverse) or [[c, s], [-s, c]] (forward) of the DFT along y. */
function yBasis(h: number, inverse: boolean): tf.Tensor2D {
  const m = new Float32Array(4 * h * h);
  const sign = inverse ? 1 : -1;
  for (let i = 0; i < h; i++) {
    for (let k = 0; k < h; k++) {
      const a = (2 * Math.PI * ((i * k) % h)) / h;
      const c = Math.cos(a);
      const s = Math.sin(a);
      m[i * 2 * h + k] = c;
      m[i * 2 * h + h + k] = -sign * s;
      m[(h + i) * 2 * h + k] = sign * s;
      m[(h + i) * 2 * h + h + k] = c;
    }
  }
  return tf.tensor2d(m, [2 * h, 2 * h]);
}

/** [2fw, w]: real-part rows then imaginary-part rows of the inverse real DFT along x, normalised by 1/(h*w). */
function inverseXBasis(h: number, w: number): tf.Tensor2D {
  const fw = halfWidth(w);
  const m = new Float32Array(2 * fw * w);
  for (let k = 0; k < fw; k++) {
    const weight = (k === 0 || 2 * k === w ? 1 : 2) / (h * w); // bins with no mirror image count once
    for (let n = 0; n < w; n++) {
      const a = (2 * Math.PI * ((k * n) % w)) / w;
      m[k * w + n] = weight * Math.cos(a);
      m[(fw + k) * w + n] = -weight * Math.sin(a);
    }
  }
  return tf.tensor2d(m, [2 * fw, w]);
}

/** [w, 2fw]: the forward real DFT along x (real columns, then imaginary columns). */
function forwardXBasis(w: number): tf.Tensor2D {
  const fw = halfWidth(w);
  const m = new Float32Array(w * 2 * fw);
  for (let n = 0; n < w; n++) {
    for (let k = 0; k < fw; k++) {
      const a = (2 * Math.PI * ((k * n) % w)) / w;
      m[n * 2 * fw + k] = Math.cos(a);
      m[n * 2 * fw + fw + k] = -Math.sin(a);
    }
  }
  return tf.tensor2d(m, [w, 2 * fw]);
}

export interface FourierParam extends ImageParam {
  /** Sets the spectrum so that image() returns `x` (pixels at the range's ends come back just inside it). */
  setImage(x: tf.Tensor4D): void;
}

export interface FourierOptions extends ParamOptions {
  /** Exponent of the 1/frequency scaling (Lucid: 1). */
  decayPower?: number;
}

/**
 * Spectrum variable layout: [2h, batch*3*fw], real rows then imaginary rows, column (element*3 + colour)*fw + kx.
 * That is the layout the y-direction matmul wants, so image() needs one transpose between the two matmuls.
 */
export function fourierImage(options: FourierOptions): FourierParam {
  const { height: h, width: w, range } = options;
  const batch = options.batch ?? 1;
  const decorrelate = options.decorrelate ?? true;
  const fw = halfWidth(w);
  const cols = batch * 3 * fw;
  const scale1 = spectrumScale(h, w, options.decayPower ?? 1);
  const tiled = new Float32Array(2 * h * cols);
  const init = new Float32Array(2 * h * cols);
  for (let e = 0; e < batch; e++) {
    const noise = gaussianNoise(options.seeds?.[e] ?? e, 2 * h * 3 * fw, options.sd ?? 0.01);
    for (let p = 0; p < 2; p++) {
      for (let ky = 0; ky < h; ky++) {
        for (let c = 0; c < 3; c++) {
          for (let kx = 0; kx < fw; kx++) {
            const at = (p * h + ky) * cols + (e * 3 + c) * fw + kx;
            tiled[at] = scale1[ky * fw + kx]!;
            init[at] = noise[((p * h + ky) * 3 + c) * fw + kx]!;
          }
        }
      }
    }
  }
  const scale = tf.tensor2d(tiled, [2 * h, cols]);
  const yInverse = yBasis(h, true);
  const xInverse = inverseXBasis(h, w);
  const initial = tf.tensor2d(init, [2 * h, cols]);
  const spectrum = tf.variable(initial, true);
  initial.dispose();

  const image = (): tf.Tensor4D =>
    tf.tidy(() => {
      const z = tf.matMul(yInverse, tf.mul(spectrum, scale)); // inverse DFT along y, complex
      const rows = tf.reshape(tf.transpose(tf.reshape(z, [2, h, batch * 3, fw]), [2, 1, 0, 3]), [batch * 3 * h, 2 * fw]);
      const planes = tf.matMul(rows, xInverse); // inverse real DFT along x: [batch*3*h, w]
      const t = tf.div(tf.transpose(tf.reshape(planes, [batch, 3, h, w]), [0, 2, 3, 1]), 4) as tf.Tensor4D;
      return toValidImage(t, range, decorrelate);
    });

  const setImage = (x: tf.Tensor4D): void => {
    if (x.shape[0] !== batch || x.shape[1] !== h || x.shape[2] !== w) throw new RangeError(`setImage expects [${batch}, ${h}, ${w}, 3], got [${x.shape.join(', ')}].`);
    const next = tf.tidy(() => {
      const t = tf.mul(fromValidImage(x, range, decorrelate), 4);
      const rows = tf.reshape(tf.transpose(t, [0, 3, 1, 2]), [batch * 3 * h, w]);
      const y = tf.matMul(rows, forwardXBasis(w)); // [batch*3*h, 2fw]
      const stacked = tf.reshape(tf.transpose(tf.reshape(y, [batch * 3, h, 2, fw]), [2, 1, 0, 3]), [2 * h, cols]);
      return tf.div(tf.matMul(yBasis(h, false), stacked), scale) as tf.Tensor2D;
    });
    spectrum.assign(next);
    next.dispose();
  };

  return {
    variables: [spectrum],
    batch,
    height: h,
    width: w,
    image,
    setImage,
    dispose: () => tf.dispose([spectrum, scale, yInverse, xInverse]),
  };
}
