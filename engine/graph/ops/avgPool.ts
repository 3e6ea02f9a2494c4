// Average pooling as Keras does it: 'same' border windows divide by their count of real pixels, and
// so does the gradient (tfjs's own AvgPool gradient divides by the full window: wrong at borders).
import * as tf from '@tensorflow/tfjs-core';
import { avgPoolForward, avgPoolInputGradient, reciprocalCountData, type PoolSpec } from '../../ops/pool.ts';
import { flippedPads, outputPadding, windowPads } from './onnx.ts';
import { windowShape } from './shapes.ts';
import type { NodeBase, OpDef } from './types.ts';

export interface AvgPoolNode extends NodeBase {
  op: 'avgpool';
  spec: PoolSpec;
}

/** Stride-1 'same' window sums as shifted slices of the zero-padded input (all wasm-differentiable). */
function exactAvgPool(node: AvgPoolNode, a: tf.Tensor4D): tf.Tensor4D {
  const [ph, pw] = node.spec.poolSize;
  if (node.spec.padding !== 'same' || node.spec.strides[0] !== 1 || node.spec.strides[1] !== 1) throw new Error('autodiffForward: exact average pooling is written for stride-1 "same" only');
  const pads: Array<[number, number]> = [[0, 0], [Math.floor((ph - 1) / 2), ph - 1 - Math.floor((ph - 1) / 2)], [Math.floor((pw - 1) / 2), pw - 1 - Math.floor((pw - 1) / 2)], [0, 0]];
  const windowSum = (t: tf.Tensor4D): tf.Tensor4D => {
    const p = tf.pad(t, pads);
    const parts: tf.Tensor4D[] = [];
    for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) parts.push(tf.slice(p, [0, i, j, 0], t.shape));
    return tf.addN(parts);
  };
  return tf.div(windowSum(a), windowSum(tf.onesLike(a)));
}

export const avgPool: OpDef<AvgPoolNode> = {
  kind: 'pool',
  shape: (node, [first]) => windowShape(first!, node.spec.poolSize, node.spec.strides, node.spec.padding, first![2]),
  weights: () => [],
  forward: (node, [x]) => avgPoolForward(x!, node.spec),
  backward: (node, dy, [x]) => [avgPoolInputGradient(dy, x!.shape, node.spec)],
  autodiff: (node, [a], { avgPool }) => (avgPool === 'tfjs' ? tf.avgPool(a!, node.spec.poolSize, node.spec.strides, node.spec.padding) : exactAvgPool(node, a!)),
  onnx: {
    forward(node, ctx) {
      const { pads } = windowPads(ctx, node.inputs[0]!, node.spec.poolSize, node.spec.strides, node.spec.padding);
      ctx.emit('AveragePool', [node.inputs[0]!], [node.name], { kernel_shape: [...node.spec.poolSize], strides: [...node.spec.strides], pads, count_include_pad: 0 });
    },
    backward(node, g, ctx) {
      const x = node.inputs[0]!;
      const k = node.spec.poolSize;
      const s = node.spec.strides;
      const { pads, out, inH, inW } = windowPads(ctx, x, k, s, node.spec.padding);
      const recip = ctx.constant(`${node.name}:recip`, [1, 1, out[0], out[1]], reciprocalCountData(inH, inW, node.spec).data);
      const scaled = ctx.fresh('avgScaled');
      ctx.emit('Mul', [g, recip], [scaled]);
      const dx = ctx.fresh(`dx:${x}`);
      if (s[0] === 1 && s[1] === 1) {
        // The transpose of a stride-1 sum-pool is a sum-pool with the mirrored padding.
        const pooled = ctx.fresh('sumPool');
        ctx.emit('AveragePool', [scaled], [pooled], { kernel_shape: [...k], strides: [1, 1], pads: flippedPads(k, pads), count_include_pad: 1 });
        ctx.emit('Mul', [pooled, ctx.constant('area', [], Float32Array.of(k[0] * k[1]))], [dx]);
      } else {
        const c = ctx.nchw(x)[1];
        const ones = ctx.constant('ones', [c, 1, k[0], k[1]], new Float32Array(c * k[0] * k[1]).fill(1));
        ctx.emit('ConvTranspose', [scaled, ones], [dx], { kernel_shape: [...k], strides: [...s], pads, output_padding: outputPadding(k, s, pads, out, inH, inW), group: c });
      }
      ctx.send(x, dx);
    },
  },
};
