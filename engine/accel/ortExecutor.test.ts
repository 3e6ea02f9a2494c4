// The onnxruntime route against the tfjs executor (whose ops have finite-difference tests) and against
// central differences of its own forward pass, op by op on small hand-built graphs and on both embedded models.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend.ts';
import type { Graph, GraphNode } from '../graph/graph.ts';
import { GraphExecutor } from '../graph/executor.ts';
import { loadDreamModel } from '../model/load.ts';
import type { LayersDreamModel } from '../model/layersModel.ts';
import type { ObjectiveFn } from '../shared/model.ts';
import { seededRandom } from '../shared/random.ts';
import { relL2 } from '../../tests/helpers/numeric.ts';
import { OrtExecutor } from './ortExecutor.ts';
import { ortRuntime } from './ort.ts';
import { GPU_LOWERING, providerSpec } from './providers.ts';

/** A graph node without the Keras bookkeeping (distributed over the union, so `op` still narrows). */
type NodeSpec = GraphNode extends infer G ? (G extends GraphNode ? Omit<G, 'layers' | 'trainable'> : never) : never;

function graphOf(specs: NodeSpec[]): Graph {
  const nodes = specs.map((s) => ({ ...s, layers: [s.name], trainable: false }) as GraphNode);
  return { nodes, byName: new Map(nodes.map((n) => [n.name, n])), fusedInto: new Map(), skipped: [] };
}

function randomTensor(shape: number[], seed: number, scale = 0.3): tf.Tensor {
  const rand = seededRandom(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => (rand() * 2 - 1) * scale), shape);
}

const conv = (name: string, input: string, k: [number, number], cin: number, cout: number, strides: [number, number], padding: 'same' | 'valid', seed: number, clip?: number): NodeSpec =>
  ({ name, inputs: [input], op: 'conv', kernel: randomTensor([k[0], k[1], cin, cout], seed) as tf.Tensor4D, bias: randomTensor([cout], seed + 1, 0.1) as tf.Tensor1D, spec: { strides, padding }, relu: true, ...(clip === undefined ? {} : { clip }) }) as NodeSpec;

/** Weighted sum of one layer: linear, so its seed is the same every step. */
function weighted(layer: string, shape: number[], seed: number): { fn: ObjectiveFn; weights: tf.Tensor } {
  const weights = randomTensor(shape, seed, 1);
  return { fn: (acts) => tf.sum(tf.mul(acts[layer]!, weights)), weights };
}

let ready = false;
beforeAll(async () => {
  await initBackend('wasm');
  ready = ortRuntime() !== null;
});

describe('onnxruntime dream route', () => {
  it('loads onnxruntime-node here (an optional dependency whose CPU binaries ship in the npm package)', () => {
    expect(ready).toBe(true);
  });

  // One small graph per lowering: strided and 'same'-padded convs (ConvTranspose with TF's extra pixel
  // after), depthwise, both poolings including the strided average pool, concat, ReLU6, Add and Pad.
  const cases: Array<[string, () => { specs: NodeSpec[]; out: string | string[]; size: [number, number] }]> = [
    ['conv 3x3 s1 same + 1x7 + 7x1', () => ({ size: [13, 11], out: 'c', specs: [{ name: 'in', inputs: [], op: 'input' } as NodeSpec, conv('a', 'in', [3, 3], 3, 5, [1, 1], 'same', 1), conv('b', 'a', [1, 7], 5, 4, [1, 1], 'same', 3), conv('c', 'b', [7, 1], 4, 6, [1, 1], 'same', 5)] })],
    ['conv 3x3 s2 valid and s2 same (odd and even sizes)', () => ({ size: [14, 13], out: 'b', specs: [{ name: 'in', inputs: [], op: 'input' } as NodeSpec, conv('a', 'in', [3, 3], 3, 4, [2, 2], 'valid', 7), conv('b', 'a', [3, 3], 4, 5, [2, 2], 'same', 9)] })],
    ['depthwise s1 same and s2 valid, ReLU6, zero padding', () => ({
      size: [12, 12], out: 'd2', specs: [
        { name: 'in', inputs: [], op: 'input' } as NodeSpec,
        conv('a', 'in', [1, 1], 3, 4, [1, 1], 'same', 11, 6),
        { name: 'd1', inputs: ['a'], op: 'depthwise', kernel: randomTensor([3, 3, 4, 1], 13) as tf.Tensor4D, bias: null, spec: { strides: [1, 1], padding: 'same' }, relu: true, clip: 6 } as NodeSpec,
        { name: 'p', inputs: ['d1'], op: 'pad', pads: [[0, 1], [0, 1]] } as NodeSpec,
        { name: 'd2', inputs: ['p'], op: 'depthwise', kernel: randomTensor([3, 3, 4, 2], 15) as tf.Tensor4D, bias: randomTensor([8], 16, 0.1) as tf.Tensor1D, spec: { strides: [2, 2], padding: 'valid' }, relu: false } as NodeSpec,
      ] })],
    ['max pools s2 valid and same, average pools s1 same and s2 valid, concat, add; two layers', () => ({
      size: [16, 16], out: ['sum', 'mv'], specs: [
        { name: 'in', inputs: [], op: 'input' } as NodeSpec,
        conv('a', 'in', [3, 3], 3, 4, [1, 1], 'same', 17),
        { name: 'mv', inputs: ['a'], op: 'maxpool', spec: { poolSize: [3, 3], strides: [2, 2], padding: 'valid' } } as NodeSpec,
        { name: 'ms', inputs: ['a'], op: 'maxpool', spec: { poolSize: [3, 3], strides: [2, 2], padding: 'same' } } as NodeSpec,
        { name: 'as', inputs: ['a'], op: 'avgpool', spec: { poolSize: [3, 3], strides: [1, 1], padding: 'same' } } as NodeSpec,
        { name: 'av', inputs: ['as'], op: 'avgpool', spec: { poolSize: [2, 2], strides: [2, 2], padding: 'valid' } } as NodeSpec,
        { name: 'cat', inputs: ['ms', 'av'], op: 'concat' } as NodeSpec,
        conv('c', 'cat', [1, 1], 8, 4, [1, 1], 'same', 19),
        conv('d', 'ms', [1, 1], 4, 4, [1, 1], 'same', 21),
        { name: 'sum', inputs: ['c', 'd'], op: 'add' } as NodeSpec,
      ] })],
  ];

  it.each(cases)('%s: matches the tfjs executor and central differences', (_, build) => {
    const built = build();
    const { specs, size } = built;
    const outs = typeof built.out === 'string' ? [built.out] : built.out;
    const graph = graphOf(specs);
    const ort = new OrtExecutor(graph);
    const ref = new GraphExecutor(graph);
    const before = tf.memory().numTensors;
    // A batch of two: max-pool argmax indices and every reshape must keep images apart.
    const x = randomTensor([2, size[0], size[1], 3], 23, 1) as tf.Tensor4D;
    const outShapes = ref.activations(x, outs);
    const terms = outs.map((o, i) => weighted(o, outShapes[o]!.shape, 29 + i));
    tf.dispose(Object.values(outShapes));
    const fn: ObjectiveFn = (acts) => tf.addN(terms.map((t) => t.fn(acts)));
    const weights = terms.map((t) => t.weights);

    const ours = ort.valueAndGradient(x, outs, fn);
    const theirs = ref.valueAndGradient(x, outs, fn);
    expect(ours.value).toBeCloseTo(theirs.value, 4);
    const g = ours.gradient.dataSync() as Float32Array;
    expect(relL2(g, theirs.gradient.dataSync())).toBeLessThan(1e-5);
    // The GPU providers' lowering (max-pool gradient by window comparison, Sums as Adds), run on the CPU provider.
    const gpuForm = new OrtExecutor(graph, { provider: { ...providerSpec('cpu'), lowering: GPU_LOWERING } });
    const plain = gpuForm.valueAndGradient(x, outs, fn);
    expect(relL2(plain.gradient.dataSync(), theirs.gradient.dataSync())).toBeLessThan(1e-5);
    tf.dispose(plain.gradient);
    gpuForm.dispose();

    // Directional derivative along a random direction, from the route's own forward values: an
    // independent check that does not trust the tfjs executor.
    const v = randomTensor(x.shape, 31, 1) as tf.Tensor4D;
    const eps = 1e-3;
    const at = (sign: number) => {
      const xs = tf.tidy(() => tf.add(x, tf.mul(v, sign * eps))) as tf.Tensor4D;
      const r = ort.valueAndGradient(xs, outs, fn);
      tf.dispose([xs, r.gradient]);
      return r.value;
    };
    const numeric = (at(1) - at(-1)) / (2 * eps);
    const analytic = tf.tidy(() => tf.sum(tf.mul(ours.gradient, v)).dataSync()[0]!);
    // Loose: ReLU kinks inside ±eps and float32 sums blur it; a wrong flip or transpose is off by far more.
    expect(Math.abs(numeric - analytic)).toBeLessThan(5e-2 * Math.max(1, Math.abs(analytic)));

    tf.dispose([x, v, ...weights, ours.gradient, theirs.gradient]);
    ort.dispose();
    ref.dispose();
    // Graph weights are the test's; everything the routes made is gone.
    expect(tf.memory().numTensors).toBe(before);
    specs.forEach((s) => {
      if (s.op === 'conv' || s.op === 'depthwise') tf.dispose([s.kernel, ...(s.bias ? [s.bias] : [])]);
    });
  });

  it('max-pool ties go to the first maximum in row-major order in both lowerings, as in the tfjs executor', () => {
    const graph = graphOf([
      { name: 'in', inputs: [], op: 'input' } as NodeSpec,
      { name: 'ms', inputs: ['in'], op: 'maxpool', spec: { poolSize: [3, 3], strides: [2, 2], padding: 'same' } } as NodeSpec,
      { name: 'm1', inputs: ['in'], op: 'maxpool', spec: { poolSize: [3, 3], strides: [1, 1], padding: 'same' } } as NodeSpec,
    ]);
    // Three levels only: most windows hold several equal maxima.
    const x = tf.tidy(() => tf.div(tf.round(tf.mul(randomTensor([2, 9, 10, 3], 47, 1), 1.4)), 2)) as tf.Tensor4D;
    const terms = [weighted('ms', [2, 5, 5, 3], 53), weighted('m1', [2, 9, 10, 3], 59)];
    const fn: ObjectiveFn = (acts) => tf.addN(terms.map((t) => t.fn(acts)));
    const ref = new GraphExecutor(graph);
    const theirs = ref.valueAndGradient(x, ['ms', 'm1'], fn);
    for (const lowering of [undefined, GPU_LOWERING]) {
      const ort = new OrtExecutor(graph, lowering ? { provider: { ...providerSpec('cpu'), lowering } } : {});
      const ours = ort.valueAndGradient(x, ['ms', 'm1'], fn);
      // Exact: each dy pixel goes to one input pixel, so a tie sent elsewhere would differ by whole values.
      expect(relL2(ours.gradient.dataSync(), theirs.gradient.dataSync())).toBeLessThan(1e-6);
      tf.dispose(ours.gradient);
      ort.dispose();
    }
    tf.dispose([x, theirs.gradient, ...terms.map((t) => t.weights)]);
    ref.dispose();
  });

  it('keeps a graph with ops it cannot lower (a head) on the tfjs executor', () => {
    const graph = graphOf([
      { name: 'in', inputs: [], op: 'input' } as NodeSpec,
      { name: 'gap', inputs: ['in'], op: 'globalAvgPool' } as NodeSpec,
    ]);
    expect(new OrtExecutor(graph).supports(['gap'])).toBe(false);
  });

  describe('embedded models', () => {
    let inception: LayersDreamModel;
    let mobile: LayersDreamModel;
    beforeAll(async () => {
      inception = (await loadDreamModel('inception_v3')) as LayersDreamModel;
      mobile = (await loadDreamModel('mobilenet_v2')) as LayersDreamModel;
    });
    afterAll(() => {
      inception?.dispose();
      mobile?.dispose();
    });

    /** The gradient with the native route on and off; the tfjs executor is the reference. */
    function bothRoutes(model: LayersDreamModel, layers: string[], size: number, objective: ObjectiveFn) {
      const x = randomTensor([1, size, size, 3], 37, 1) as tf.Tensor4D;
      model.setAccelerated(true);
      const ours = model.valueAndGradient(x, layers, objective);
      // Each side must have run where it claims: a silent fallback would compare tfjs with itself.
      expect(model.lastRoute).toBe('onnxruntime');
      expect(model.device.device).toBe('cpu');
      model.setAccelerated(false);
      const theirs = model.valueAndGradient(x, layers, objective);
      expect(model.lastRoute).toBe('tfjs');
      expect(model.device.device).toBe('tfjs');
      model.setAccelerated(true);
      const err = relL2(ours.gradient.dataSync(), theirs.gradient.dataSync());
      tf.dispose([x, ours.gradient, theirs.gradient]);
      return { err, value: ours.value, reference: theirs.value };
    }

    it('InceptionV3 mixed3+mixed5: same value and gradient as the tfjs executor, no tensors left', () => {
      expect(inception.accelerator).toMatch(/^onnxruntime-node \d+\.\d+\.\d+, \d+ threads?$/);
      const objective: ObjectiveFn = (a) => tf.add(tf.mean(a['mixed3']!), tf.mean(a['mixed5']!));
      bothRoutes(inception, ['mixed3', 'mixed5'], 107, objective); // compile once before counting
      const before = tf.memory().numTensors;
      const { err, value, reference } = bothRoutes(inception, ['mixed3', 'mixed5'], 107, objective);
      expect(tf.memory().numTensors).toBe(before);
      expect(value).toBeCloseTo(reference, 4);
      expect(err).toBeLessThan(1e-4);
    });

    it('MobileNetV2 (depthwise, ReLU6, residual adds, padding): same gradient as the tfjs executor', () => {
      const { err } = bothRoutes(mobile, ['block_6_expand_relu'], 96, (a) => tf.mean(a['block_6_expand_relu']!));
      expect(err).toBeLessThan(1e-4);
    });

    it('a non-linear objective still gets its exact gradient (the session reruns with the true seeds)', () => {
      const squares: ObjectiveFn = (a) => tf.mean(tf.square(a['mixed2']!));
      const ort = new OrtExecutor(inception.graph);
      const x = randomTensor([1, 83, 83, 3], 41, 1) as tf.Tensor4D;
      const first = ort.valueAndGradient(x, ['mixed2'], squares);
      const x2 = tf.tidy(() => tf.mul(x, 0.5)) as tf.Tensor4D;
      const second = ort.valueAndGradient(x2, ['mixed2'], squares);
      // The first step's guess (seeds at zero activations) and the second's (the first step's seeds) are
      // both wrong for a non-linear objective.
      expect(ort.reruns).toBe(2);
      inception.setAccelerated(false);
      const reference = inception.valueAndGradient(x2, ['mixed2'], squares);
      inception.setAccelerated(true);
      expect(relL2(second.gradient.dataSync(), reference.gradient.dataSync())).toBeLessThan(1e-4);
      // Another objective on the same session starts from its own guess (exact for a linear one): one run
      // per step; and objectives taking turns keep their own seeds, so turns cost no reruns.
      const linear: ObjectiveFn = (a) => tf.mean(a['mixed2']!);
      const runs = ort.runs;
      tf.dispose([ort.valueAndGradient(x, ['mixed2'], linear).gradient, ort.valueAndGradient(x2, ['mixed2'], linear).gradient]);
      expect(ort.runs - runs).toBe(2);
      const other: ObjectiveFn = (a) => tf.mul(tf.mean(a['mixed2']!), -2);
      const reruns = ort.reruns;
      for (const fn of [other, linear, other, linear]) tf.dispose(ort.valueAndGradient(x2, ['mixed2'], fn).gradient);
      expect(ort.reruns).toBe(reruns);
      // On a fresh session a linear objective's seeds are right from the first step.
      const fresh = new OrtExecutor(inception.graph);
      tf.dispose([fresh.valueAndGradient(x, ['mixed2'], linear).gradient]);
      expect([fresh.runs, fresh.reruns]).toEqual([1, 0]);
      fresh.dispose();
      tf.dispose([x, x2, first.gradient, second.gradient, reference.gradient]);
      ort.dispose();
    });

    it('refuses an input too small for the layers with one clear error, before either route runs', () => {
      const x = randomTensor([1, 20, 20, 3], 43, 1) as tf.Tensor4D;
      const objective: ObjectiveFn = (a) => tf.mean(a['mixed5']!);
      // The size check precedes the choice of route (a zero-pixel layer would abort the wasm module), so
      // one check covers both; what is tested is that it refuses and that no route started.
      const ort = new OrtExecutor(inception.graph);
      expect(() => inception.valueAndGradient(x, ['mixed5'], objective)).toThrow(/^An input of 20x20 pixels is too small for mixed5: layer "\w+" would have no pixels\.$/);
      expect(() => inception.valueAndGradient(x, ['mixed5'], objective)).toThrow(expect.objectContaining({ name: 'ImageTooSmallError' }));
      // The native executor on its own refuses the size too, rather than running a graph with an empty layer.
      expect(() => ort.valueAndGradient(x, ['mixed5'], objective)).toThrow();
      expect(ort.runs).toBe(0);
      ort.dispose();
      x.dispose();
      // Nothing was poisoned: a fitting input still steps on both routes, alike.
      expect(bothRoutes(inception, ['mixed5'], 75, objective).err).toBeLessThan(1e-4);
    });

    it('compiles one session per input shape and evicts the oldest beyond two, staying exact', () => {
      const ort = new OrtExecutor(inception.graph);
      const objective: ObjectiveFn = (a) => tf.mean(a['mixed0']!);
      const sizes = [75, 76, 77, 78, 79, 75];
      const errs = sizes.map((s) => {
        const x = randomTensor([1, s, s, 3], s, 1) as tf.Tensor4D;
        const a = ort.valueAndGradient(x, ['mixed0'], objective);
        inception.setAccelerated(false);
        const b = inception.valueAndGradient(x, ['mixed0'], objective);
        inception.setAccelerated(true);
        const err = relL2(a.gradient.dataSync(), b.gradient.dataSync());
        tf.dispose([x, a.gradient, b.gradient]);
        return err;
      });
      expect(Math.max(...errs)).toBeLessThan(1e-4);
      expect(ort.sessionCount).toBe(2);
      expect(ort.compiles).toBe(6);
      ort.dispose();
      expect(ort.sessionCount).toBe(0);
    });
  });
});
