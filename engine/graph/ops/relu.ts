// A ReLU (or clipped ReLU) that could not fuse into the conv before it (its input has other readers).
import * as tf from '@tensorflow/tfjs-core';
import { clippedRelu } from '../../ops/residual.ts';
import { rectifierMask, rectify } from './onnx.ts';
import { rectifierGradient, rectifyAutodiff } from './rectifier.ts';
import type { NodeBase, OpDef } from './types.ts';

export interface ReluNode extends NodeBase {
  op: 'relu';
  /** The ReLU's max_value (6 for ReLU6); absent for a plain ReLU. */
  clip?: number;
}

const rectified = (node: ReluNode) => ({ relu: true, ...(node.clip === undefined ? {} : { clip: node.clip }) });

export const relu: OpDef<ReluNode> = {
  kind: 'conv',
  shape: (_node, [first]) => first!,
  weights: () => [],
  forward: (node, [x]) => (node.clip === undefined ? tf.relu(x!) : clippedRelu(x!, node.clip)),
  backward: (node, dy, _inputs, y) => [rectifierGradient(dy, y, rectified(node))],
  autodiff: (node, [a]) => rectifyAutodiff(a!, rectified(node)) as tf.Tensor4D,
  onnx: {
    forward: (node, ctx) => rectify(ctx, node.inputs[0]!, node.name, node.clip),
    backward: (node, g, ctx) => ctx.send(node.inputs[0]!, rectifierMask(ctx, g, node.name, node.clip)),
  },
};
