#!/usr/bin/python3
"""Independent PyTorch rebuild of the Keras InceptionV3 shipped by nsfwjs.

Reference for Reverie's input gradients. It deliberately shares nothing with
the TypeScript engine:

* the graph is built by walking the Keras topology (model.min.js), layer by
  layer, and only the ancestors of the requested layers are evaluated;
* BatchNormalization is applied with its own formula
  (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta
  (gamma = 1 when scale=false); nothing is folded into the convolutions;
* TensorFlow 'same' padding is done explicitly (F.pad with the smaller half on
  top/left, then an unpadded op);
* AveragePooling2D 'same' divides each window by its number of valid
  (unpadded) pixels, as Keras/TensorFlow do;
* gradients come from torch.autograd, by default in float64.

Weights: the six base64 shards are decoded here (regex, no JS evaluation) and
dequantized in numpy as min + scale * q, rounded to float32 exactly as tfjs
does (tfjs stores the dequantized weights in a Float32Array), then promoted to
the compute dtype. node is used only to read the topology object out of the
UMD module model.min.js.

CLI (see --help):
  keras_inception_torch.py --input x.npy --layers mixed3,mixed5 --out g.npy
      [--dtype float64|float32] [--activations-out acts.npz] [--threads N]
  keras_inception_torch.py --input x.npy --layers mixed3,mixed5 --check-forward
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = REPO_ROOT / "node_modules" / "nsfwjs" / "dist" / "models" / "inception_v3"

SUPPORTED = (
    "InputLayer",
    "Conv2D",
    "BatchNormalization",
    "Activation",
    "MaxPooling2D",
    "AveragePooling2D",
    "Concatenate",
)


# --------------------------------------------------------------------------
# Loading topology and weights
# --------------------------------------------------------------------------

def node_binary() -> str:
    return os.environ.get("REVERIE_NODE") or os.environ.get("NODE") or "node"


def load_topology_and_manifest(model_dir: Path) -> tuple[dict, list]:
    """Reads {modelTopology, weightsManifest} from the UMD module via node (file reader only)."""
    path = str((model_dir / "model.min.js").resolve())
    script = "process.stdout.write(JSON.stringify(require(process.argv[1])))"
    out = subprocess.run(
        [node_binary(), "-e", script, path], check=True, capture_output=True
    ).stdout
    obj = json.loads(out)
    return obj["modelTopology"], obj["weightsManifest"]


_B64_RE = re.compile(rb'"([A-Za-z0-9+/]{64,}={0,2})"')


def read_shard_bytes(shard_js: Path) -> bytes:
    """Extracts the single base64 string a shard module exports and decodes it."""
    text = shard_js.read_bytes()
    matches = _B64_RE.findall(text)
    if not matches:
        raise RuntimeError(f"no base64 payload found in {shard_js}")
    payload = max(matches, key=len)
    return base64.b64decode(payload, validate=True)


def load_weights(model_dir: Path, manifest: list) -> dict[str, np.ndarray]:
    """Returns name -> float32 ndarray, dequantized like tfjs (Float32Array of q*scale+min)."""
    weights: dict[str, np.ndarray] = {}
    for group in manifest:
        buf = b"".join(read_shard_bytes(model_dir / f"{p}.min.js") for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            shape = [int(s) for s in spec["shape"]]
            n = int(np.prod(shape)) if shape else 1
            q = spec.get("quantization")
            if spec["dtype"] != "float32":
                raise RuntimeError(f"unsupported weight dtype {spec['dtype']} for {spec['name']}")
            if q is None:
                arr = np.frombuffer(buf, dtype="<f4", count=n, offset=offset).astype(np.float32)
                offset += 4 * n
            elif q["dtype"] in ("uint8", "uint16"):
                qdt = np.uint8 if q["dtype"] == "uint8" else np.dtype("<u2")
                size = 1 if q["dtype"] == "uint8" else 2
                raw = np.frombuffer(buf, dtype=qdt, count=n, offset=offset)
                offset += size * n
                # float64 arithmetic, then one rounding to float32: what tfjs does.
                arr = (raw.astype(np.float64) * float(q["scale"]) + float(q["min"])).astype(np.float32)
            else:
                raise RuntimeError(f"unsupported quantization {q['dtype']} for {spec['name']}")
            weights[spec["name"]] = arr.reshape(shape)
        if offset != len(buf):
            raise RuntimeError(f"weight buffer size mismatch: used {offset} of {len(buf)} bytes")
    return weights


# --------------------------------------------------------------------------
# The graph
# --------------------------------------------------------------------------

def tf_same_pads(n: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TensorFlow 'same': out = ceil(n/s); smaller half of the padding before, extra after."""
    out = -(-n // s)
    eff_k = (k - 1) * d + 1
    total = max((out - 1) * s + eff_k - n, 0)
    return total // 2, total - total // 2


def _pair(v) -> tuple[int, int]:
    if isinstance(v, (list, tuple)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


class KerasGraph:
    """Evaluates a Keras functional topology (channels_last config) on NCHW torch tensors."""

    def __init__(self, topology: dict, weights: dict[str, np.ndarray], dtype):
        import torch

        self.torch = torch
        self.dtype = dtype
        cfg = topology["model_config"]["config"]
        self.layers = {l["name"]: l for l in cfg["layers"]}
        self.order = [l["name"] for l in cfg["layers"]]
        self.input_names = [i[0] for i in cfg["input_layers"]]
        self.weights = weights
        self._params: dict[str, dict] = {}

    # -- helpers ------------------------------------------------------------
    def _w(self, name: str):
        return self.torch.from_numpy(np.ascontiguousarray(self.weights[name])).to(self.dtype)

    def inbound(self, name: str) -> list[str]:
        nodes = self.layers[name].get("inbound_nodes") or []
        if not nodes:
            return []
        if len(nodes) != 1:
            raise RuntimeError(f"layer {name} is shared ({len(nodes)} inbound nodes): not supported")
        return [entry[0] for entry in nodes[0]]

    def ancestors_in_order(self, targets: list[str]) -> list[str]:
        """Topological order (post-order DFS) of every layer the targets depend on."""
        for t in targets:
            if t not in self.layers:
                raise KeyError(f"unknown layer {t!r}")
        seen: set[str] = set()
        order: list[str] = []
        for t in targets:
            stack: list[tuple[str, bool]] = [(t, False)]
            while stack:
                name, expanded = stack.pop()
                if expanded:
                    if name not in seen:
                        seen.add(name)
                        order.append(name)
                    continue
                if name in seen:
                    continue
                stack.append((name, True))
                for parent in reversed(self.inbound(name)):
                    if parent not in seen:
                        stack.append((parent, False))
        return order

    def params(self, name: str) -> dict:
        if name in self._params:
            return self._params[name]
        layer = self.layers[name]
        c = layer["config"]
        p: dict = {}
        if layer["class_name"] == "Conv2D":
            # Keras kernel [kh, kw, cin, cout] -> torch [cout, cin, kh, kw]
            p["kernel"] = self._w(f"{name}/kernel").permute(3, 2, 0, 1).contiguous()
            if c.get("use_bias"):
                p["bias"] = self._w(f"{name}/bias")
        elif layer["class_name"] == "BatchNormalization":
            p["mean"] = self._w(f"{name}/moving_mean")
            p["var"] = self._w(f"{name}/moving_variance")
            p["beta"] = self._w(f"{name}/beta") if c.get("center", True) else None
            p["gamma"] = self._w(f"{name}/gamma") if c.get("scale", True) else None
        self._params[name] = p
        return p

    # -- layer implementations ---------------------------------------------
    def _activation(self, x, kind: str):
        F = self.torch.nn.functional
        if kind == "relu":
            return F.relu(x)
        if kind == "linear":
            return x
        raise RuntimeError(f"unsupported activation {kind!r}")

    def _conv2d(self, name: str, x):
        F = self.torch.nn.functional
        c = self.layers[name]["config"]
        if c.get("data_format", "channels_last") != "channels_last":
            raise RuntimeError(f"{name}: only channels_last configs are supported")
        kh, kw = _pair(c["kernel_size"])
        sh, sw = _pair(c["strides"])
        dh, dw = _pair(c.get("dilation_rate", 1))
        p = self.params(name)
        if c["padding"] == "same":
            top, bottom = tf_same_pads(x.shape[2], kh, sh, dh)
            left, right = tf_same_pads(x.shape[3], kw, sw, dw)
            x = F.pad(x, (left, right, top, bottom))
        elif c["padding"] != "valid":
            raise RuntimeError(f"{name}: unsupported padding {c['padding']}")
        y = F.conv2d(x, p["kernel"], p.get("bias"), stride=(sh, sw), padding=0, dilation=(dh, dw))
        return self._activation(y, c.get("activation", "linear"))

    def _batchnorm(self, name: str, x):
        c = self.layers[name]["config"]
        axis = c.get("axis", -1)
        if isinstance(axis, list):
            axis = axis[0]
        if axis not in (3, -1):
            raise RuntimeError(f"{name}: BatchNormalization axis {axis} not supported")
        p = self.params(name)
        eps = float(c["epsilon"])
        shape = (1, -1, 1, 1)
        y = (x - p["mean"].view(shape)) / self.torch.sqrt(p["var"].view(shape) + eps)
        if p["gamma"] is not None:
            y = y * p["gamma"].view(shape)
        if p["beta"] is not None:
            y = y + p["beta"].view(shape)
        return y

    def _pool(self, name: str, x, kind: str):
        torch = self.torch
        F = torch.nn.functional
        c = self.layers[name]["config"]
        kh, kw = _pair(c["pool_size"])
        sh, sw = _pair(c["strides"] if c.get("strides") is not None else c["pool_size"])
        padding = c["padding"]
        if padding == "valid":
            if kind == "max":
                return F.max_pool2d(x, (kh, kw), (sh, sw))
            return F.avg_pool2d(x, (kh, kw), (sh, sw))
        if padding != "same":
            raise RuntimeError(f"{name}: unsupported padding {padding}")
        top, bottom = tf_same_pads(x.shape[2], kh, sh)
        left, right = tf_same_pads(x.shape[3], kw, sw)
        pads = (left, right, top, bottom)
        if kind == "max":
            return F.max_pool2d(F.pad(x, pads, value=-math.inf), (kh, kw), (sh, sw))
        # Average over valid pixels only: window sum / window count of unpadded pixels.
        sums = F.avg_pool2d(F.pad(x, pads), (kh, kw), (sh, sw), divisor_override=1)
        ones = torch.ones((1, 1, x.shape[2], x.shape[3]), dtype=x.dtype)
        counts = F.avg_pool2d(F.pad(ones, pads), (kh, kw), (sh, sw), divisor_override=1)
        return sums / counts

    def _apply(self, name: str, inputs: list):
        cls = self.layers[name]["class_name"]
        c = self.layers[name]["config"]
        if cls == "Conv2D":
            return self._conv2d(name, inputs[0])
        if cls == "BatchNormalization":
            return self._batchnorm(name, inputs[0])
        if cls == "Activation":
            return self._activation(inputs[0], c["activation"])
        if cls == "MaxPooling2D":
            return self._pool(name, inputs[0], "max")
        if cls == "AveragePooling2D":
            return self._pool(name, inputs[0], "avg")
        if cls == "Concatenate":
            axis = c.get("axis", -1)
            if axis not in (3, -1):
                raise RuntimeError(f"{name}: Concatenate axis {axis} not supported")
            return self.torch.cat(inputs, dim=1)
        raise RuntimeError(f"layer {name}: class {cls} not supported (supported: {', '.join(SUPPORTED)})")

    def forward(self, x_nchw, targets: list[str]) -> dict:
        """Returns {layer name: NCHW tensor} for every target; evaluates only their ancestors."""
        values: dict = {}
        order = self.ancestors_in_order(targets)
        # Free intermediate tensors once their last consumer ran (autograd keeps what it needs).
        last_use: dict[str, int] = {}
        for i, name in enumerate(order):
            for parent in self.inbound(name):
                last_use[parent] = i
        keep = set(targets)
        for i, name in enumerate(order):
            layer = self.layers[name]
            if layer["class_name"] == "InputLayer":
                values[name] = x_nchw
            else:
                values[name] = self._apply(name, [values[p] for p in self.inbound(name)])
            for parent in self.inbound(name):
                if last_use.get(parent) == i and parent not in keep:
                    del values[parent]
        return {t: values[t] for t in targets}


def build(model_dir: Path = DEFAULT_MODEL_DIR, dtype_name: str = "float64") -> KerasGraph:
    import torch

    topology, manifest = load_topology_and_manifest(model_dir)
    weights = load_weights(model_dir, manifest)
    dtype = {"float64": torch.float64, "float32": torch.float32}[dtype_name]
    return KerasGraph(topology, weights, dtype)


def objective_and_gradient(graph: KerasGraph, x_nhwc: np.ndarray, layers: list[str], want_acts=False):
    """objective = sum over layers of mean(activation); returns (value, grad NHWC float64 ndarray, acts)."""
    torch = graph.torch
    x = torch.from_numpy(np.ascontiguousarray(x_nhwc)).to(graph.dtype).permute(0, 3, 1, 2).contiguous()
    x.requires_grad_(True)
    outs = graph.forward(x, layers)
    obj = sum(outs[name].mean() for name in layers)
    (grad,) = torch.autograd.grad(obj, x)
    acts = None
    if want_acts:
        acts = {k: v.detach().permute(0, 2, 3, 1).numpy() for k, v in outs.items()}
    return float(obj.detach()), grad.permute(0, 2, 3, 1).numpy(), acts


def forward_acts(graph: KerasGraph, x_nhwc: np.ndarray, layers: list[str]) -> dict[str, np.ndarray]:
    torch = graph.torch
    with torch.no_grad():
        x = torch.from_numpy(np.ascontiguousarray(x_nhwc)).to(graph.dtype).permute(0, 3, 1, 2).contiguous()
        outs = graph.forward(x, layers)
    return {k: v.permute(0, 2, 3, 1).numpy() for k, v in outs.items()}


def compare_arrays(a: np.ndarray, b: np.ndarray) -> dict:
    """relL2 = ||a-b|| / ||b||, maxAbs, cosine; computed in float64."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch: {a.shape} vs {b.shape}")
    nb = float(np.linalg.norm(b))
    na = float(np.linalg.norm(a))
    diff = float(np.linalg.norm(a - b))
    return {
        "relL2": diff / nb if nb > 0 else (0.0 if diff == 0 else math.inf),
        "maxAbs": float(np.max(np.abs(a - b))) if a.size else 0.0,
        "cosine": float(np.dot(a, b) / (na * nb)) if na > 0 and nb > 0 else float("nan"),
        "normA": na,
        "normB": nb,
    }


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

def _load_input(path: str) -> np.ndarray:
    x = np.load(path)
    if x.ndim != 4 or x.shape[0] != 1 or x.shape[3] != 3:
        raise SystemExit(f"--input must be NHWC [1,H,W,3], got {list(x.shape)}")
    if x.dtype != np.float32:
        raise SystemExit(f"--input must be float32, got {x.dtype}")
    return x


def _check_forward(args, graph: KerasGraph, x: np.ndarray, layers: list[str]) -> dict:
    script = Path(__file__).resolve().parent / "tfjs_forward.mjs"
    with tempfile.TemporaryDirectory(prefix="reverie-ref-fwd-") as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [node_binary(), str(script), "--input", args.input, "--layers", ",".join(layers),
             "--out-dir", tmp, "--backend", args.tfjs_backend],
            capture_output=True, text=True, cwd=str(REPO_ROOT),
        )
        t_tfjs = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"tfjs_forward.mjs failed ({proc.returncode}):\n{proc.stderr}{proc.stdout}")
        theirs = {name: np.load(os.path.join(tmp, f"{name}.npy")) for name in layers}
    t0 = time.perf_counter()
    ours = forward_acts(graph, x, layers)
    t_ours = time.perf_counter() - t0
    result = {"mode": "check-forward", "dtype": args.dtype, "tfjsBackend": args.tfjs_backend,
              "tfjsSeconds": round(t_tfjs, 3), "torchForwardSeconds": round(t_ours, 3), "layers": {}}
    ok = True
    for name in layers:
        if ours[name].shape != theirs[name].shape:
            raise SystemExit(f"{name}: shape {ours[name].shape} (torch) vs {theirs[name].shape} (tfjs)")
        cmp = compare_arrays(ours[name], theirs[name])
        cmp["shape"] = list(ours[name].shape)
        result["layers"][name] = cmp
        ok = ok and cmp["relL2"] <= args.max_rel
    result["maxRel"] = args.max_rel
    result["ok"] = ok
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", required=True, help="float32 .npy NHWC [1,H,W,3] in [-1,1]")
    ap.add_argument("--layers", default="mixed3,mixed5", help="comma-separated Keras layer names")
    ap.add_argument("--out", help="write d(objective)/d(input) here (float32 .npy, NHWC)")
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--activations-out", help="optional .npz of the named layers' activations (NHWC float32)")
    ap.add_argument("--model-dir", default=str(DEFAULT_MODEL_DIR))
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: all available cores)")
    ap.add_argument("--check-forward", action="store_true",
                    help="compare forward activations of --layers against tfjs (tools/reference/tfjs_forward.mjs)")
    ap.add_argument("--tfjs-backend", choices=["cpu", "wasm"], default="cpu")
    ap.add_argument("--max-rel", type=float, default=1e-4, help="--check-forward fails above this relative L2")
    args = ap.parse_args(argv)

    import torch

    threads = args.threads or len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    layers = [s.strip() for s in args.layers.split(",") if s.strip()]
    if not layers:
        raise SystemExit("--layers is empty")
    if not args.out and not args.check_forward and not args.activations_out:
        raise SystemExit("nothing to do: give --out, --activations-out and/or --check-forward")

    x = _load_input(args.input)
    t0 = time.perf_counter()
    graph = build(Path(args.model_dir), args.dtype)
    t_load = time.perf_counter() - t0

    status = 0
    if args.check_forward:
        res = _check_forward(args, graph, x, layers)
        res["threads"] = threads
        print(json.dumps(res))
        status = 0 if res["ok"] else 1

    if args.out or args.activations_out:
        t0 = time.perf_counter()
        value, grad, acts = objective_and_gradient(graph, x, layers, want_acts=bool(args.activations_out))
        t_grad = time.perf_counter() - t0
        if args.out:
            np.save(args.out, grad.astype(np.float32))
        if args.activations_out:
            np.savez(args.activations_out, **{k: v.astype(np.float32) for k, v in acts.items()})
        print(json.dumps({
            "mode": "gradient", "objective": value, "layers": layers, "dtype": args.dtype,
            "shape": list(x.shape), "threads": threads, "torch": torch.__version__,
            "loadSeconds": round(t_load, 3), "gradientSeconds": round(t_grad, 3),
            "gradL2": float(np.linalg.norm(grad)), "gradMeanAbs": float(np.mean(np.abs(grad))),
        }))
    return status


if __name__ == "__main__":
    sys.exit(main())
