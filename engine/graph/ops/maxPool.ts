// Max pooling: dy goes to each window's arg-max (ONNX: MaxPool's indices, scattered back).
import * as tf from '@tensorflow/tfjs-core';
import { maxPoolForward, type PoolSpec } from '../../ops/pool.ts';
import { maxPoolBackward } from '../../ops/maxPoolGradient.ts';
import { windowPads } from './onnx.ts';
import { maxPoolGradientByWindows } from './maxPoolWindows.ts';
import { windowShape } from './shapes.ts';
import type { NodeBase, OpDef } from './types.ts';

export interface MaxPoolNode extends NodeBase {
  op: 'maxpool';
  spec: PoolSpec;
}

export const maxPool: OpDef<MaxPoolNode> = {
  kind: 'pool',
  shape: (node, [first]) => windowShape(first!, node.spec.poolSize, node.spec.strides, node.spec.padding, first![2]),
  weights: () => [],
  forward: (node, [x]) => maxPoolForward(x!, node.spec),
  backward: (node, dy, [x], y) => [maxPoolBackward(dy, x!, y, node.spec)],
  autodiff: (node, [a]) => tf.maxPool(a!, node.spec.poolSize, node.spec.strides, node.spec.padding),
  onnx: {
    forward(node, ctx) {
      const { pads } = windowPads(ctx, node.inputs[0]!, node.spec.poolSize, node.spec.strides, node.spec.padding);
      const outputs = ctx.lowering.maxPoolIndices ? [node.name, `${node.name}:argmax`] : [node.name];
      ctx.emit('MaxPool', [node.inputs[0]!], outputs, { kernel_shape: [...node.spec.poolSize], strides: [...node.spec.strides], pads });
    },
    backward(node, g, ctx) {
      const x = node.inputs[0]!;
      if (!ctx.lowering.maxPoolIndices) return ctx.send(x, maxPoolGradientByWindows(node, g, ctx));
      const [nn, c, h, w] = ctx.nchw(x);
      const flatIdx = ctx.fresh('argmaxFlat');
      const flatG = ctx.fresh('gFlat');
      const minus1 = ctx.ints('flat', [-1]);
      ctx.emit('Reshape', [`${node.name}:argmax`, minus1], [flatIdx]);
      ctx.emit('Reshape', [g, minus1], [flatG]);
      const zeros = ctx.fresh('zeros');
      ctx.emit('ConstantOfShape', [ctx.ints('size', [nn * c * h * w])], [zeros]);
      const scattered = ctx.fresh('scatter');
      ctx.emit('ScatterElements', [zeros, flatIdx, flatG], [scattered], { axis: 0, reduction: 'add' });
      const dx = ctx.fresh(`dx:${x}`);
      ctx.emit('Reshape', [scattered, ctx.ints('shape', [nn, c, h, w])], [dx]);
      ctx.send(x, dx);
    },
  },
};
