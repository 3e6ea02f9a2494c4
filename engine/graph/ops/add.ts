// Residual sum of same-shaped inputs (MobileNetV2's block_N_add): dy reaches every addend unchanged.
import * as tf from '@tensorflow/tfjs-core';
import { addInputGradients } from '../../ops/residual.ts';
import type { NodeBase, OpDef } from './types.ts';

export interface AddNode extends NodeBase {
  op: 'add';
}

export const add: OpDef<AddNode> = {
  kind: 'other',
  shape: (_node, [first]) => first!,
  weights: () => [],
  forward: (_node, inputs) => (inputs.length === 2 ? tf.add(inputs[0]!, inputs[1]!) : tf.addN(inputs)),
  backward: (_node, dy, inputs) => addInputGradients(dy, inputs.length),
  autodiff: (_node, inputs) => tf.addN(inputs),
  onnx: {
    forward: (node, ctx) => ctx.sum([...node.inputs], node.name),
    backward: (node, g, ctx) => node.inputs.forEach((name) => ctx.send(name, g)),
  },
};
