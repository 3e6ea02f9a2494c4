// How large a dream's patterns are, in the image's terms. The dream's difference image (grey) is
// box-filtered down to a common short side (so images of different sizes are compared at the same
// relative resolution), windowed, and Fourier transformed; the energy in quarter-octave bands of
// spatial frequency (2 cycles per short side up to the filter's limit) is averaged in log wavelength.
// That centre of the spectrum, as a fraction of the short side, is the pattern size.
import type { RgbImage } from '../../engine/shared/image.ts';

/** In-place radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const a = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const [c, s] = [Math.cos(a * k), Math.sin(a * k)];
        const [ur, ui] = [re[i + k]!, im[i + k]!];
        const vr = re[i + k + len / 2]! * c - im[i + k + len / 2]! * s;
        const vi = re[i + k + len / 2]! * s + im[i + k + len / 2]! * c;
        re[i + k] = ur + vr;
        im[i + k] = ui + vi;
        re[i + k + len / 2] = ur - vr;
        im[i + k + len / 2] = ui - vi;
      }
    }
  }
}

/** Grey difference, box-filtered by an integer factor so the short side is about `side`. */
function smallDifference(dreamed: RgbImage, input: RgbImage, side: number): { d: Float64Array; w: number; h: number } {
  const k = Math.max(1, Math.round(Math.min(input.width, input.height) / side));
  const [w, h] = [Math.floor(input.width / k), Math.floor(input.height / k)];
  const d = new Float64Array(w * h);
  for (let y = 0; y < h * k; y++) {
    for (let x = 0; x < w * k; x++) {
      const i = (y * input.width + x) * 3;
      const g = dreamed.rgb[i]! - input.rgb[i]! + dreamed.rgb[i + 1]! - input.rgb[i + 1]! + dreamed.rgb[i + 2]! - input.rgb[i + 2]!;
      d[Math.floor(y / k) * w + Math.floor(x / k)]! += g;
    }
  }
  return { d, w, h };
}

/** The dominant pattern wavelength of (dreamed - input) as a fraction of the short side. */
export function patternFraction(dreamed: RgbImage, input: RgbImage, side = 160): number {
  const { d, w, h } = smallDifference(dreamed, input, side);
  const n = 2 ** Math.ceil(Math.log2(Math.max(w, h)));
  let mean = 0;
  for (const v of d) mean += v / d.length;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  // A Hann window keeps the image's edges from adding energy at every frequency.
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) re[y * n + x] = (d[y * w + x]! - mean) * Math.sin((Math.PI * (x + 0.5)) / w) ** 2 * Math.sin((Math.PI * (y + 0.5)) / h) ** 2;
  }
  const row = (r: Float64Array, i: Float64Array) => fft(r, i);
  for (let y = 0; y < n; y++) {
    const r = re.subarray(y * n, (y + 1) * n);
    const i = im.subarray(y * n, (y + 1) * n);
    row(r, i);
  }
  const cr = new Float64Array(n);
  const ci = new Float64Array(n);
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) [cr[y], ci[y]] = [re[y * n + x]!, im[y * n + x]!];
    fft(cr, ci);
    for (let y = 0; y < n; y++) [re[y * n + x], im[y * n + x]] = [cr[y]!, ci[y]!];
  }
  // Energy per log-frequency band, in bands of a quarter octave, from 2 cycles per short side up.
  const short = Math.min(w, h);
  const bands = new Float64Array(64);
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      const fy = (v <= n / 2 ? v : v - n) / n;
      const fx = (u <= n / 2 ? u : u - n) / n;
      const cycles = Math.hypot(fx, fy) * short;
      if (cycles < 2 || cycles > short / 2.5) continue;
      bands[Math.floor(4 * Math.log2(cycles))]! += re[v * n + u]! ** 2 + im[v * n + u]! ** 2;
    }
  }
  // The energy-weighted mean of log wavelength: a broad spectrum has no sharp peak, but its centre
  // of mass moves with the pattern size.
  let sum = 0;
  let weighted = 0;
  bands.forEach((e, b) => {
    sum += e;
    weighted += e * -((b + 0.5) / 4);
  });
  return 2 ** (weighted / sum);
}
