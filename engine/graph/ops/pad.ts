// Keras ZeroPadding2D; its gradient is dy without the padded border.
import * as tf from '@tensorflow/tfjs-core';
import { zeroPadForward, zeroPadInputGradient, type ZeroPads } from '../../ops/residual.ts';
import type { NodeBase, OpDef } from './types.ts';

export interface PadNode extends NodeBase {
  op: 'pad';
  pads: ZeroPads;
}

export const pad: OpDef<PadNode> = {
  kind: 'other',
  shape(node, [first]) {
    const [[t, b], [l, r]] = node.pads;
    return first![0] > 0 && first![1] > 0 ? [first![0] + t + b, first![1] + l + r, first![2]] : [0, 0, first![2]];
  },
  weights: () => [],
  forward: (node, [x]) => zeroPadForward(x!, node.pads),
  backward: (node, dy) => [zeroPadInputGradient(dy, node.pads)],
  autodiff: (node, [a]) => tf.pad(a!, [[0, 0], [...node.pads[0]], [...node.pads[1]], [0, 0]]),
  onnx: {
    forward(node, ctx) {
      const [[t, bt], [l, r]] = node.pads;
      ctx.emit('Pad', [node.inputs[0]!, ctx.ints('pads', [0, 0, t, l, 0, 0, bt, r])], [node.name]);
    },
    backward(node, g, ctx) {
      const x = node.inputs[0]!;
      const [[t], [l]] = node.pads;
      const [, , h, w] = ctx.nchw(x);
      const dx = ctx.fresh(`dx:${x}`);
      ctx.emit('Slice', [g, ctx.ints('starts', [t, l]), ctx.ints('ends', [t + h, l + w]), ctx.ints('axes', [2, 3])], [dx]);
      ctx.send(x, dx);
    },
  },
};
