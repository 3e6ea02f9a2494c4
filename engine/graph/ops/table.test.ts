// Every row of the op table, on a small graph that ends in that op: the shape rule matches what the
// forward pass returns, and the hand-written backward matches tf.grad of the op's autodiff form. A new
// op without a case here fails the first test.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../backend.ts';
import { seededRandom } from '../../shared/random.ts';
import { relL2 } from '../../../tests/helpers/numeric.ts';
import { autodiffForward } from '../autodiff.ts';
import { GraphExecutor } from '../executor.ts';
import { inferShapes, nodeWeights, type Graph, type GraphNode } from '../graph.ts';
import { OPS } from './index.ts';

type Spec = GraphNode extends infer G ? (G extends GraphNode ? Omit<G, 'layers' | 'trainable'> : never) : never;

function random(shape: number[], seed: number, scale = 0.3): tf.Tensor {
  const rand = seededRandom(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() * 2 - 1) * scale), shape);
}

const inp: Spec = { name: 'in', inputs: [], op: 'input' };
const conv = (name: string, input: string, k: number, cin: number, cout: number, stride: number, padding: 'same' | 'valid', seed: number): Spec =>
  ({ name, inputs: [input], op: 'conv', kernel: random([k, k, cin, cout], seed) as tf.Tensor4D, bias: random([cout], seed + 1, 0.1) as tf.Tensor1D, spec: { strides: [stride, stride], padding }, relu: true });
const gap: Spec = { name: 'g', inputs: ['a'], op: 'globalAvgPool' };

/** One graph per op; the last node is the op under test. */
const CASES: Record<GraphNode['op'], () => Spec[]> = {
  input: () => [inp],
  conv: () => [inp, conv('out', 'in', 3, 3, 4, 2, 'same', 1)],
  depthwise: () => [inp, { name: 'out', inputs: ['in'], op: 'depthwise', kernel: random([3, 3, 3, 2], 3) as tf.Tensor4D, bias: null, spec: { strides: [1, 1], padding: 'same' }, relu: true, clip: 6 }],
  maxpool: () => [inp, { name: 'out', inputs: ['in'], op: 'maxpool', spec: { poolSize: [3, 3], strides: [2, 2], padding: 'valid' } }],
  avgpool: () => [inp, { name: 'out', inputs: ['in'], op: 'avgpool', spec: { poolSize: [3, 3], strides: [1, 1], padding: 'same' } }],
  concat: () => [inp, conv('a', 'in', 1, 3, 2, 1, 'same', 5), conv('b', 'in', 3, 3, 3, 1, 'same', 7), { name: 'out', inputs: ['a', 'b'], op: 'concat' }],
  relu: () => [inp, { name: 'out', inputs: ['in'], op: 'relu', clip: 0.5 }],
  affine: () => [inp, { name: 'out', inputs: ['in'], op: 'affine', scale: random([3], 9, 1) as tf.Tensor1D, shift: random([3], 10) as tf.Tensor1D }],
  add: () => [inp, conv('a', 'in', 1, 3, 3, 1, 'same', 11), { name: 'out', inputs: ['a', 'in'], op: 'add' }],
  pad: () => [inp, { name: 'out', inputs: ['in'], op: 'pad', pads: [[1, 2], [0, 1]] }],
  globalAvgPool: () => [inp, conv('a', 'in', 3, 3, 4, 1, 'same', 13), { ...gap, name: 'out' }],
  dense: () => [inp, conv('a', 'in', 3, 3, 4, 1, 'same', 15), gap, { name: 'out', inputs: ['g'], op: 'dense', kernel: random([4, 5], 17) as tf.Tensor2D, bias: random([5], 18) as tf.Tensor1D, relu: true }],
};

function graphOf(specs: Spec[]): Graph {
  const nodes = specs.map((s) => ({ ...s, layers: [s.name], trainable: false }) as GraphNode);
  return { nodes, byName: new Map(nodes.map((n) => [n.name, n])), fusedInto: new Map(), skipped: [] };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('op table', () => {
  it('has a case here for every op', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(OPS).sort());
  });

  it.each(Object.keys(CASES).filter((op) => op !== 'input') as GraphNode['op'][])('%s: shape rule, and backward against tf.grad of its autodiff form', (op) => {
    const graph = graphOf(CASES[op]());
    const out = graph.nodes.at(-1)!;
    expect(out.op).toBe(op);
    const executor = new GraphExecutor(graph);
    const before = tf.memory().numTensors;
    const x = random([2, 9, 8, 3], 21, 1) as tf.Tensor4D;
    const y = executor.activations(x, ['out'])['out']!;
    const [h, w, c] = inferShapes(graph, 9, 8).get('out')!;
    expect(y.shape).toEqual([2, h, w, c]);
    const weights = random(y.shape, 23, 1);
    y.dispose();
    const objective = (acts: Record<string, tf.Tensor4D>) => tf.sum(tf.mul(acts['out']!, weights)) as tf.Scalar;
    const ours = executor.valueAndGradient(x, ['out'], objective);
    const reference = tf.grad((t: tf.Tensor) => objective({ out: autodiffForward(graph, t as tf.Tensor4D, 'out', 'exact') }))(x);
    expect(relL2(ours.gradient.dataSync(), reference.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, weights, ours.gradient, reference]);
    executor.dispose();
    expect(tf.memory().numTensors).toBe(before);
    graph.nodes.forEach((n) => tf.dispose(nodeWeights(n)));
  });
});
