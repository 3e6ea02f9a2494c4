// One small graph per op of the table, ending in that op, and the check every route runs on it: the
// hand-written backward against tf.grad of the op's autodiff form. engine/graph/ops/table.test.ts runs
// it on wasm; the window's test (tests/e2e/windowGradient.test.ts) runs it in chromium on webgl.
import * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '../../engine/shared/random.ts';
import { autodiffForward } from '../../engine/graph/autodiff.ts';
import { GraphExecutor } from '../../engine/graph/executor.ts';
import { inferShapes, nodeWeights, type Graph, type GraphNode } from '../../engine/graph/graph.ts';
import { relL2 } from './numeric.ts';

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
export const CASES: Record<GraphNode['op'], () => Spec[]> = {
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

export function graphOf(specs: Spec[]): Graph {
  const nodes = specs.map((s) => ({ ...s, layers: [s.name], trainable: false }) as GraphNode);
  return { nodes, byName: new Map(nodes.map((n) => [n.name, n])), fusedInto: new Map(), skipped: [] };
}

export interface OpCheck {
  op: GraphNode['op'];
  /** Output shape from the forward pass, and what the shape rule says. */
  shape: number[];
  expectedShape: number[];
  relL2: number;
  /** Tensors left over after the check (0 when nothing leaked). */
  leaked: number;
}

/** Runs one op's case on the active backend. */
export function checkOp(op: GraphNode['op']): OpCheck {
  const graph = graphOf(CASES[op]());
  const out = graph.nodes.at(-1)!;
  if (out.op !== op) throw new Error(`case for ${op} ends in ${out.op}`);
  const executor = new GraphExecutor(graph);
  const before = tf.memory().numTensors;
  const x = random([2, 9, 8, 3], 21, 1) as tf.Tensor4D;
  const y = executor.activations(x, ['out'])['out']!;
  const [h, w, c] = inferShapes(graph, 9, 8).get('out')!;
  const shape = y.shape.slice();
  const weights = random(y.shape, 23, 1);
  y.dispose();
  const objective = (acts: Record<string, tf.Tensor4D>) => tf.sum(tf.mul(acts['out']!, weights)) as tf.Scalar;
  const ours = executor.valueAndGradient(x, ['out'], objective);
  const reference = tf.grad((t: tf.Tensor) => objective({ out: autodiffForward(graph, t as tf.Tensor4D, 'out', 'exact') }))(x);
  const err = relL2(ours.gradient.dataSync(), reference.dataSync());
  tf.dispose([x, weights, ours.gradient, reference]);
  executor.dispose();
  const leaked = tf.memory().numTensors - before;
  graph.nodes.forEach((n) => tf.dispose(nodeWeights(n)));
  return { op, shape, expectedShape: [2, h, w, c], relL2: err, leaked };
}
