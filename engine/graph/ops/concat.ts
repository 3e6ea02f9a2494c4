// Concatenation along channels (Inception's block ends); its gradient splits dy by channel ranges.
import * as tf from '@tensorflow/tfjs-core';
import { concatInputGradients } from '../../ops/concat.ts';
import type { NodeBase, OpDef } from './types.ts';

export interface ConcatNode extends NodeBase {
  op: 'concat';
}

export const concat: OpDef<ConcatNode> = {
  kind: 'concat',
  shape: (_node, inputs) => [inputs[0]![0], inputs[0]![1], inputs.reduce((sum, s) => sum + s[2], 0)],
  weights: () => [],
  forward: (_node, inputs) => tf.concat(inputs, 3),
  backward: (_node, dy, inputs) => concatInputGradients(dy, inputs.map((t) => t.shape[3])),
  autodiff: (_node, inputs) => tf.concat(inputs, 3),
  onnx: {
    forward: (node, ctx) => ctx.emit('Concat', node.inputs, [node.name], { axis: 1 }),
    backward(node, g, ctx) {
      const sizes = node.inputs.map((name) => ctx.nchw(name)[1]);
      const parts = node.inputs.map((name) => ctx.fresh(`dx:${name}`));
      ctx.emit('Split', [g, ctx.ints('split', sizes)], parts, { axis: 1 });
      node.inputs.forEach((name, k) => ctx.send(name, parts[k]!));
    },
  },
};
