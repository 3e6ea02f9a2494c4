#!/usr/bin/python3
"""Finite-difference self-check of the reference's own input gradient (float64).

For objective f(x) = sum over layers of mean(activation) on a small input,
compares the autograd directional derivative <g, v> with the central
difference (f(x + h v) - f(x - h v)) / (2 h) for:
  * a few random dense directions v (Gaussian, unit L2 norm), and
  * single-coordinate directions at border/corner and interior pixels
    (where TF 'same' padding and the valid-count average pooling matter).
Prints one JSON line; exits 1 if any relative error exceeds --tol.

  selfcheck.py [--size 75] [--layers mixed0] [--h 1e-4] [--tol 1e-6] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.dont_write_bytecode = True  # keep tools/reference free of __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras_inception_torch as ref  # noqa: E402
from make_input import make_input  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=75)
    ap.add_argument("--layers", default="mixed0")
    ap.add_argument("--h", type=float, default=1e-5, help="finite-difference step along a unit direction")
    ap.add_argument("--tol", type=float, default=1e-6, help="max allowed relative error per direction")
    ap.add_argument("--random-dirs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model-dir", default=str(ref.DEFAULT_MODEL_DIR))
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(len(os.sched_getaffinity(0)))
    layers = [s.strip() for s in args.layers.split(",") if s.strip()]
    graph = ref.build(Path(args.model_dir), "float64")
    x = make_input(args.size, seed=args.seed).astype(np.float64)
    x = np.clip(x, -0.98, 0.98)  # stay inside [-1,1] after +-h steps

    def f(xx: np.ndarray) -> float:
        t = torch.from_numpy(np.ascontiguousarray(xx)).permute(0, 3, 1, 2).contiguous()
        with torch.no_grad():
            outs = graph.forward(t, layers)
            return float(sum(outs[n].mean() for n in layers))

    t0 = time.perf_counter()
    value, grad, _ = ref.objective_and_gradient(graph, x, layers)
    t_grad = time.perf_counter() - t0
    grad = grad.astype(np.float64)

    rng = np.random.default_rng(args.seed + 1)
    dirs: list[tuple[str, np.ndarray]] = []
    for i in range(args.random_dirs):
        v = rng.standard_normal(x.shape)
        dirs.append((f"random{i}", v / np.linalg.norm(v)))
    H, W = args.size, args.size
    for (r, c, ch) in [(0, 0, 0), (0, W - 1, 1), (H - 1, 0, 2), (H - 1, W - 1, 0), (0, W // 2, 1),
                       (H // 2, 0, 2), (H // 2, W // 2, 0), (H // 3, 2 * W // 3, 1)]:
        v = np.zeros(x.shape)
        v[0, r, c, ch] = 1.0
        dirs.append((f"pixel[{r},{c},{ch}]", v))
    # the gradient direction itself: the largest directional derivative
    dirs.append(("gradient", grad / np.linalg.norm(grad)))

    f0 = f(x)
    rows = []
    worst = 0.0
    for name, v in dirs:
        analytic = float(np.sum(grad * v))
        fp, fm = f(x + args.h * v), f(x - args.h * v)
        fd = (fp - fm) / (2.0 * args.h)
        # relative to the directional derivative, floored at 1e-3 of |g| (single pixels can be ~0)
        denom = max(abs(fd), abs(analytic), 1e-3 * float(np.linalg.norm(grad)))
        rel = abs(analytic - fd) / denom
        # The network is piecewise linear (ReLU, max pool): a central difference is exact up to
        # round-off unless a kink lies within +-h. A large gap between the one-sided differences
        # flags such a crossing (then a smaller --h is the cure, not a gradient bug).
        kink_gap = abs((fp - f0) - (f0 - fm)) / args.h / denom
        worst = max(worst, rel)
        rows.append({"dir": name, "analytic": analytic, "fd": fd, "relErr": rel, "oneSidedGap": kink_gap})

    ok = worst <= args.tol
    print(json.dumps({
        "mode": "selfcheck", "size": args.size, "layers": layers, "dtype": "float64", "h": args.h,
        "objective": value, "gradL2": float(np.linalg.norm(grad)), "gradientSeconds": round(t_grad, 3),
        "maxRelErr": worst, "tol": args.tol, "ok": ok, "checks": rows,
    }))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
