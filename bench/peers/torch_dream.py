#!/usr/bin/python3
"""PyTorch peer for `npm run bench`: one Deep Dream gradient step, or a whole dream, on this CPU.

The figures a user would get from the usual Python route: torchvision's InceptionV3 in eager
PyTorch on all cores, the image untiled. Weights are random (time does not depend on their values).
Objective: mean activation of the Keras blocks asked for (mixed3 + mixed5 are torchvision's Mixed_6a
and Mixed_6c), gradient with respect to the input image only.

A whole dream (--image) follows the deepdream notebook, as Reverie's default recipe does: octaves
smallest first at --octave-scale, --steps steps each of x += step * g / mean|g| (step in 0..255 units,
clipped to [-1, 1]) with a random roll of up to --jitter pixels, and the detail each octave added
carried, upscaled, into the next. It reads a PNG and writes the dreamed PNG, so it times what a
user's script would: model build, decode, the dream, encode.

Needs Debian's python3-torch and python3-torchvision (run this file directly: its shebang names
Debian's python3, where those packages live).
Usage: torch_dream.py [--size 299] [--layers mixed3,mixed5] [--repeats 7]       (one step)
       torch_dream.py --image IN.png --out OUT.png [--steps 10] [--octaves 4] ...  (a whole dream)
Prints one JSON line.
"""
import argparse, json, os, resource, time
import torch, torchvision
import torch.nn.functional as F

KERAS_TO_TORCHVISION = {  # Keras mixedN block -> torchvision module
    'mixed0': 'Mixed_5b', 'mixed1': 'Mixed_5c', 'mixed2': 'Mixed_5d', 'mixed3': 'Mixed_6a',
    'mixed4': 'Mixed_6b', 'mixed5': 'Mixed_6c', 'mixed6': 'Mixed_6d', 'mixed7': 'Mixed_6e',
    'mixed8': 'Mixed_7a', 'mixed9': 'Mixed_7b', 'mixed10': 'Mixed_7c'}


def build(layers):
    """The trunk up to the deepest requested block, and a function from an image to the objective."""
    torch.manual_seed(0)
    net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    acts = {}
    for name in layers:
        getattr(net, KERAS_TO_TORCHVISION[name]).register_forward_hook(
            lambda m, i, o, name=name: acts.__setitem__(name, o))
    order = list(KERAS_TO_TORCHVISION)
    last = KERAS_TO_TORCHVISION[max(layers, key=order.index)]
    modules = []
    for n, m in net.named_children():
        if n in ('avgpool', 'dropout', 'fc', 'AuxLogits'):
            continue
        modules.append(m)
        if n == last:
            break
    trunk = torch.nn.Sequential(*modules)

    def gradient(x):
        x = x.detach().requires_grad_(True)
        acts.clear()
        trunk(x)
        loss = sum(v.mean() for v in acts.values())
        g, = torch.autograd.grad(loss, x)
        return g
    return gradient


def step_timing(a, gradient):
    x = torch.rand(1, 3, a.size, a.size) * 2 - 1
    times = []
    for _ in range(a.repeats + 1):
        t = time.perf_counter()
        gradient(x)
        times.append((time.perf_counter() - t) * 1000)
    times = sorted(times[1:])  # the first run warms up
    return {'size': a.size, 'step_ms_median': round(times[len(times) // 2], 1), 'step_ms_min': round(times[0], 1)}


def whole_dream(a, gradient):
    started = time.perf_counter()
    img = torchvision.io.read_image(a.image, torchvision.io.ImageReadMode.RGB).float()[None] / 127.5 - 1
    h, w = img.shape[2:]
    sizes = [(round(h * a.octave_scale ** -i), round(w * a.octave_scale ** -i)) for i in range(a.octaves - 1, -1, -1)]
    step = a.step_size * 2 / 255
    gen = torch.Generator().manual_seed(a.seed)
    detail = None
    dream_started = time.perf_counter()
    with torch.no_grad():
        for size in sizes:
            base = F.interpolate(img, size=size, mode='bilinear', align_corners=False)
            x = base + (F.interpolate(detail, size=size, mode='bilinear', align_corners=False) if detail is not None else 0)
            for _ in range(a.steps):
                dy, dx = (int(v) for v in torch.randint(-a.jitter, a.jitter + 1, (2,), generator=gen))
                with torch.enable_grad():
                    g = gradient(torch.roll(x, (dy, dx), (2, 3)))
                g = torch.roll(g, (-dy, -dx), (2, 3))
                x = (x + step * g / (g.abs().mean() + 1e-8)).clamp_(-1, 1)
            detail = x - base
    dream_s = time.perf_counter() - dream_started
    out = ((x[0] + 1) * 127.5).clamp(0, 255).round().to(torch.uint8)
    torchvision.io.write_png(out, a.out)
    return {'width': w, 'height': h, 'octaves': len(sizes), 'steps': a.steps, 'dream_s': round(dream_s, 2),
            'seconds': round(time.perf_counter() - started, 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=299)
    ap.add_argument('--layers', default='mixed3,mixed5')
    ap.add_argument('--repeats', type=int, default=7)
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--image')
    ap.add_argument('--out')
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--octaves', type=int, default=4)
    ap.add_argument('--octave-scale', type=float, default=1.4)
    ap.add_argument('--step-size', type=float, default=1.5)
    ap.add_argument('--jitter', type=int, default=64)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    started = time.perf_counter()
    gradient = build(a.layers.split(','))
    build_s = time.perf_counter() - started
    result = whole_dream(a, gradient) if a.image else step_timing(a, gradient)
    result['seconds'] = round(result.get('seconds', 0) + build_s, 2) if a.image else None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # CPU seconds let runs on a loaded machine be compared too (OpenMP's spin-waits count in them).
    print(json.dumps({'peer': 'pytorch', 'torch': torch.__version__, 'threads': a.threads, 'layers': a.layers,
                      'model_build_s': round(build_s, 2), 'max_rss_mb': round(usage.ru_maxrss / 1024),
                      'cpu_s': round(usage.ru_utime + usage.ru_stime, 2), **result}))


if __name__ == '__main__':
    main()
