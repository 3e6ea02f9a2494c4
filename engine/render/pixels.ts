// Whole-image arithmetic on plain Float32Arrays (HWC, 3 channels): big images stay out of the
// backend's memory, which only ever holds one tile. A wasm heap grows to its peak and never shrinks.

/** Bilinear resize with half-pixel centres (as tf.image.resizeBilinear with halfPixelCenters). */
export function resizeBilinear(src: Float32Array, h: number, w: number, nh: number, nw: number): Float32Array {
  if (h === nh && w === nw) return src.slice();
  const out = new Float32Array(nh * nw * 3);
  const sy = h / nh;
  const sx = w / nw;
  const x0s = new Int32Array(nw);
  const x1s = new Int32Array(nw);
  const fxs = new Float32Array(nw);
  for (let x = 0; x < nw; x++) {
    const fx = Math.max(0, (x + 0.5) * sx - 0.5);
    x0s[x] = Math.min(w - 1, Math.floor(fx));
    x1s[x] = Math.min(w - 1, x0s[x]! + 1);
    fxs[x] = fx - x0s[x]!;
  }
  for (let y = 0; y < nh; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(h - 1, Math.floor(fy));
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < nw; x++) {
      const tx = fxs[x]!;
      const a = (y0 * w + x0s[x]!) * 3;
      const b = (y0 * w + x1s[x]!) * 3;
      const c = (y1 * w + x0s[x]!) * 3;
      const d = (y1 * w + x1s[x]!) * 3;
      const o = (y * nw + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = src[a + k]! + (src[b + k]! - src[a + k]!) * tx;
        const bottom = src[c + k]! + (src[d + k]! - src[c + k]!) * tx;
        out[o + k] = top + (bottom - top) * ty;
      }
    }
  }
  return out;
}

/** Pixels 0..255 → the model's input range (into `out`, which may be `rgb` itself). */
export function toRange(rgb: Float32Array, [lo, hi]: readonly [number, number], out: Float32Array = new Float32Array(rgb.length)): Float32Array {
  const k = (hi - lo) / 255;
  for (let i = 0; i < rgb.length; i++) out[i] = rgb[i]! * k + lo;
  return out;
}

/** The model's input range → pixels 0..255, clamped (into `out`, which may be `x` itself). */
export function fromRange(x: Float32Array, [lo, hi]: readonly [number, number], out: Float32Array = new Float32Array(x.length)): Float32Array {
  const k = 255 / (hi - lo);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(255, Math.max(0, (x[i]! - lo) * k));
  return out;
}

export interface Rect {
  y: number;
  x: number;
  height: number;
  width: number;
}

/** A tile that writes back only its first ownHeight x ownWidth pixels. */
export interface OwnedRect extends Rect {
  ownHeight: number;
  ownWidth: number;
}

/** Copies a tile of the image rolled by (dy, dx) (numpy.roll semantics) without building the rolled image. */
export function readRolledTile(img: Float32Array, h: number, w: number, dy: number, dx: number, t: Rect): Float32Array {
  const out = new Float32Array(t.height * t.width * 3);
  for (let r = 0; r < t.height; r++) {
    const sy = (((t.y + r - dy) % h) + h) % h;
    // A row of the rolled image is at most a few contiguous runs of the source row (where it wraps).
    for (let c = 0; c < t.width; ) {
      const sx = (((t.x + c - dx) % w) + w) % w;
      const run = Math.min(t.width - c, w - sx);
      out.set(img.subarray((sy * w + sx) * 3, (sy * w + sx + run) * 3), (r * t.width + c) * 3);
      c += run;
    }
  }
  return out;
}

/** Writes k * (the tile's owned part) back where readRolledTile took it from: each pixel once per grid. */
export function writeRolledTile(img: Float32Array, h: number, w: number, dy: number, dx: number, t: OwnedRect, tile: Float32Array, k: number): void {
  for (let r = 0; r < t.ownHeight; r++) {
    const sy = (((t.y + r - dy) % h) + h) % h;
    for (let c = 0; c < t.ownWidth; c++) {
      const sx = (((t.x + c - dx) % w) + w) % w;
      const to = (sy * w + sx) * 3;
      const from = (r * t.width + c) * 3;
      img[to] = tile[from]! * k;
      img[to + 1] = tile[from + 1]! * k;
      img[to + 2] = tile[from + 2]! * k;
    }
  }
}

/** x += step * g / (mean|g| + 1e-8), clipped to [lo, hi], in place: the deep dream update. */
export function normalisedStep(x: Float32Array, g: Float32Array, step: number, [lo, hi]: readonly [number, number]): void {
  let sum = 0;
  for (let i = 0; i < g.length; i++) sum += Math.abs(g[i]!);
  const k = step / (sum / g.length + 1e-8);
  for (let i = 0; i < x.length; i++) x[i] = Math.min(hi, Math.max(lo, x[i]! + g[i]! * k));
}
