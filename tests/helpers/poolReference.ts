// Plain-loop pooling with Keras/TF semantics, the oracle for pool tests: max takes the first
// maximum in row-major window order; avg divides by the window's valid (unpadded) pixels.
import { padAmounts } from '../../engine/ops/padding.ts';
import type { PoolSpec } from '../../engine/ops/pool.ts';

export interface RefPool {
  y: Float32Array;
  yShape: [number, number, number, number];
  grad(dy: ArrayLike<number>): Float32Array;
}

export function refPool(x: ArrayLike<number>, shape: readonly number[], spec: PoolSpec, kind: 'max' | 'avg'): RefPool {
  const [n, h, w, c] = shape as [number, number, number, number];
  const [kh, kw] = spec.poolSize;
  const r = padAmounts(h, kh, spec.strides[0], spec.padding);
  const q = padAmounts(w, kw, spec.strides[1], spec.padding);
  const yShape: [number, number, number, number] = [n, r.out, q.out, c];
  const y = new Float32Array(n * r.out * q.out * c);
  const windows: number[][] = []; // input indices each output reads (max: just the arg-max)
  const at = (b: number, i: number, j: number, k: number) => ((b * h + i) * w + j) * c + k;
  for (let b = 0; b < n; b++)
    for (let oi = 0; oi < r.out; oi++)
      for (let oj = 0; oj < q.out; oj++)
        for (let k = 0; k < c; k++) {
          const cells: number[] = [];
          for (let di = 0; di < kh; di++)
            for (let dj = 0; dj < kw; dj++) {
              const i = oi * spec.strides[0] - r.before + di;
              const j = oj * spec.strides[1] - q.before + dj;
              if (i >= 0 && i < h && j >= 0 && j < w) cells.push(at(b, i, j, k));
            }
          const o = ((b * r.out + oi) * q.out + oj) * c + k;
          if (kind === 'max') {
            let best = cells[0] as number;
            for (const idx of cells) if ((x[idx] as number) > (x[best] as number)) best = idx;
            y[o] = x[best] as number;
            windows[o] = [best];
          } else {
            y[o] = cells.reduce((s, idx) => s + (x[idx] as number), 0) / cells.length;
            windows[o] = cells;
          }
        }
  const grad = (dy: ArrayLike<number>) => {
    const dx = new Float32Array(n * h * w * c);
    windows.forEach((cells, o) => {
      for (const idx of cells) dx[idx] = (dx[idx] as number) + (dy[o] as number) / cells.length;
    });
    return dx;
  };
  return { y, yShape, grad };
}
