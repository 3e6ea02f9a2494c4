#!/usr/bin/python3
"""Writes a deterministic test image x.npy: float32 NHWC [1,H,W,3] in [-1,1].

Not pure noise: smooth colour gradients, a few soft blobs, stripes and a hard
edged disc (so the network sees edges and textures), plus a little seeded
Gaussian noise. Deterministic for a given --size/--seed (numpy PCG64).

  make_input.py --out x.npy [--size 299] [--width W] [--seed 0] [--noise 0.08]
"""

from __future__ import annotations

import argparse

import numpy as np


def make_input(height: int = 299, width: int | None = None, seed: int = 0, noise: float = 0.08) -> np.ndarray:
    width = width or height
    rng = np.random.default_rng(seed)
    yy, xx = np.meshgrid(np.linspace(0.0, 1.0, height), np.linspace(0.0, 1.0, width), indexing="ij")
    img = np.empty((height, width, 3), dtype=np.float64)
    # smooth colour field
    img[..., 0] = 0.6 * np.sin(2.0 * np.pi * (0.7 * xx + 0.2 * yy)) + 0.2 * (xx - 0.5)
    img[..., 1] = 0.5 * np.cos(2.0 * np.pi * (0.3 * xx - 0.9 * yy)) - 0.1
    img[..., 2] = 0.7 * (yy - 0.5) + 0.3 * np.sin(6.0 * np.pi * xx * yy)
    # soft blobs with seeded positions and colours
    for _ in range(6):
        cy, cx = rng.uniform(0.1, 0.9, size=2)
        r = rng.uniform(0.05, 0.2)
        colour = rng.uniform(-0.8, 0.8, size=3)
        g = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2.0 * r * r))
        img += g[..., None] * colour
    # stripes in one quadrant (texture) and a hard-edged disc (edges)
    stripes = 0.35 * np.sign(np.sin(2.0 * np.pi * 18.0 * (xx + 0.5 * yy)))
    mask = (xx > 0.55) & (yy > 0.55)
    img[mask] += stripes[mask][:, None]
    disc = ((yy - 0.3) ** 2 + (xx - 0.7) ** 2) < 0.12 ** 2
    img[disc] = np.array([0.9, -0.6, 0.2])
    img += noise * rng.standard_normal(img.shape)
    img = np.clip(img, -1.0, 1.0)
    return img.astype(np.float32)[None]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=299, help="height (and width unless --width)")
    ap.add_argument("--width", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--noise", type=float, default=0.08)
    args = ap.parse_args(argv)
    x = make_input(args.size, args.width, args.seed, args.noise)
    np.save(args.out, x)
    print(f'{{"out": "{args.out}", "shape": {list(x.shape)}, "min": {float(x.min()):.4f}, '
          f'"max": {float(x.max()):.4f}, "mean": {float(x.mean()):.4f}}}')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
