#!/usr/bin/python3
"""compare.py a.npy b.npy [--max-rel R]

Prints one JSON line {relL2: ||a-b||/||b||, maxAbs, cosine, normA, normB, shape}
(all in float64; b is the reference). Exits 1 if --max-rel is given and relL2
exceeds it, 2 on a shape mismatch.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np


def compare(a: np.ndarray, b: np.ndarray) -> dict:
    a64 = np.asarray(a, dtype=np.float64).ravel()
    b64 = np.asarray(b, dtype=np.float64).ravel()
    na = float(np.linalg.norm(a64))
    nb = float(np.linalg.norm(b64))
    d = float(np.linalg.norm(a64 - b64))
    return {
        "relL2": d / nb if nb > 0 else (0.0 if d == 0 else math.inf),
        "maxAbs": float(np.max(np.abs(a64 - b64))) if a64.size else 0.0,
        "cosine": float(np.dot(a64, b64) / (na * nb)) if na > 0 and nb > 0 else float("nan"),
        "normA": na,
        "normB": nb,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", help="candidate .npy")
    ap.add_argument("b", help="reference .npy (denominator of relL2)")
    ap.add_argument("--max-rel", type=float, default=None, help="exit 1 if relL2 > this")
    args = ap.parse_args(argv)
    a = np.load(args.a)
    b = np.load(args.b)
    if a.shape != b.shape:
        print(json.dumps({"error": "shape mismatch", "shapeA": list(a.shape), "shapeB": list(b.shape)}))
        return 2
    res = compare(a, b)
    res["shape"] = list(a.shape)
    finite = bool(np.isfinite(a).all() and np.isfinite(b).all())
    res["finite"] = finite
    ok = finite and (args.max_rel is None or res["relL2"] <= args.max_rel)
    if args.max_rel is not None:
        res["maxRel"] = args.max_rel
    res["ok"] = ok
    print(json.dumps(res))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
