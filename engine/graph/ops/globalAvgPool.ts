// GlobalAveragePooling2D, the classifier head's first op: [N,1,1,C], so a Flatten after it is a no-op.
// No ONNX lowering: class objectives stay on tfjs.
import * as tf from '@tensorflow/tfjs-core';
import { globalAvgPoolForward, globalAvgPoolInputGradient } from '../../ops/head.ts';
import type { NodeBase, OpDef } from './types.ts';

export interface GlobalAvgPoolNode extends NodeBase {
  op: 'globalAvgPool';
}

export const globalAvgPool: OpDef<GlobalAvgPoolNode> = {
  kind: 'other',
  shape: (_node, [first]) => [first![0] > 0 ? 1 : 0, first![1] > 0 ? 1 : 0, first![2]],
  weights: () => [],
  forward: (_node, [x]) => globalAvgPoolForward(x!),
  backward: (_node, dy, [x]) => [globalAvgPoolInputGradient(dy, x!.shape)],
  autodiff: (_node, [a]) => tf.mean(a!, [1, 2], true),
};
