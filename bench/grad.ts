// Micro-benchmark: convInputGradient vs tf.grad(tf.conv2d) (Conv2DBackpropInput) on wasm.
// Run: node --import tsx bench/grad.ts
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs'; // registers tfjs's gradients for the tf.grad baseline
import { initBackend } from '../engine/backend.ts';
import { convForward, convInputGradient, disposeConvGradient, flipKernel, prepareConvGradient, type ConvSpec } from '../engine/ops/conv.ts';
import { convOutputSize } from '../engine/ops/padding.ts';
import { avgPoolForward, avgPoolInputGradient, maxPoolForward, type PoolSpec } from '../engine/ops/pool.ts';
import { maxPoolInputGradient } from '../engine/ops/maxPoolPhases.ts';

// Minimum of several runs: the least disturbed by other processes on a shared machine.
function timeMs(run: () => tf.Tensor, reps = 9): number {
  tf.dispose(run()); // warm-up (XNNPACK operator creation, weight packing)
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = run();
    out.dataSync();
    times.push(performance.now() - t0);
    out.dispose();
  }
  return Math.min(...times);
}

await initBackend('wasm');
const cases: { name: string; x: [number, number, number, number]; k: [number, number, number, number]; spec: ConvSpec }[] = [
  { name: '35x35x288 -> 384, 3x3 s2 valid', x: [1, 35, 35, 288], k: [3, 3, 288, 384], spec: { strides: [2, 2], padding: 'valid' } },
  { name: '17x17x768 -> 192, 1x7 s1 same', x: [1, 17, 17, 768], k: [1, 7, 768, 192], spec: { strides: [1, 1], padding: 'same' } },
];
for (const c of cases) {
  const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
  const k = tf.randomNormal(c.k, 0, 0.05, 'float32', 2) as tf.Tensor4D;
  const oh = convOutputSize(c.x[1], c.k[0], c.spec.strides[0], c.spec.padding);
  const ow = convOutputSize(c.x[2], c.k[1], c.spec.strides[1], c.spec.padding);
  const dy = tf.randomNormal([1, oh, ow, c.k[3]], 0, 1, 'float32', 3) as tf.Tensor4D;
  const flipped = flipKernel(k);
  const fwd = timeMs(() => convForward(x, k, null, c.spec, false));
  const prepared = prepareConvGradient(k, c.spec);
  const ours = timeMs(() => convInputGradient(dy, k, c.x, c.spec));
  const oursFlipped = timeMs(() => convInputGradient(dy, k, c.x, c.spec, flipped));
  const oursPrepared = timeMs(() => convInputGradient(dy, k, c.x, c.spec, prepared));
  const grad = tf.grad((t: tf.Tensor) => tf.conv2d(t as tf.Tensor4D, k, c.spec.strides, c.spec.padding));
  const theirs = timeMs(() => grad(x, dy));
  const a = convInputGradient(dy, k, c.x, c.spec, prepared);
  const b = grad(x, dy);
  const err = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number;
  const scale = tf.max(tf.abs(b)).dataSync()[0] as number;
  console.log(
    `${c.name}: forward ${fwd.toFixed(1)} ms | convInputGradient: no cache ${ours.toFixed(1)} ms, ` +
      `flipped ${oursFlipped.toFixed(1)} ms, prepared ${oursPrepared.toFixed(1)} ms | ` +
      `tf.grad(conv2d) ${theirs.toFixed(1)} ms | max |diff| ${err.toExponential(1)} (max |g| ${scale.toFixed(2)})`,
  );
  disposeConvGradient(prepared);
  tf.dispose([x, k, dy, flipped, a, b]);
}

// Pooling gradients at InceptionV3 sizes, against tfjs's (wrong at borders / on wasm) gradients.
const pools: { name: string; x: [number, number, number, number]; spec: PoolSpec; kind: 'max' | 'avg' }[] = [
  { name: 'maxpool 147x147x64 3x3 s2 valid', x: [1, 147, 147, 64], spec: { poolSize: [3, 3], strides: [2, 2], padding: 'valid' }, kind: 'max' },
  { name: 'avgpool 35x35x288 3x3 s1 same', x: [1, 35, 35, 288], spec: { poolSize: [3, 3], strides: [1, 1], padding: 'same' }, kind: 'avg' },
];
for (const p of pools) {
  const x = tf.randomNormal(p.x, 0, 1, 'float32', 4) as tf.Tensor4D;
  const fwd = p.kind === 'max' ? maxPoolForward : avgPoolForward;
  const y = fwd(x, p.spec);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 5) as tf.Tensor4D;
  const ours = timeMs(() => (p.kind === 'max' ? maxPoolInputGradient(dy, x, y, p.spec) : avgPoolInputGradient(dy, x.shape, p.spec)));
  const grad = tf.grad((t: tf.Tensor) => fwd(t as tf.Tensor4D, p.spec));
  const theirs = timeMs(() => grad(x, dy));
  console.log(`${p.name}: forward ${timeMs(() => fwd(x, p.spec)).toFixed(1)} ms | ours ${ours.toFixed(1)} ms | tf.grad ${theirs.toFixed(1)} ms`);
  tf.dispose([x, y, dy]);
}
