// The image: the graph's one source. Its value is given (NHWC); ONNX works in NCHW, so the lowering
// transposes the image in and its gradient out.
import type { NodeBase, OpDef } from './types.ts';

export interface InputNode extends NodeBase {
  op: 'input';
}

export const input: OpDef<InputNode> = {
  kind: 'other',
  shape: (_node, _inputs, image) => image,
  weights: () => [],
  forward: (_node, [x]) => x!,
  backward: () => [],
  autodiff: (_node, [x]) => x!,
  onnx: {
    forward: (node, ctx) => ctx.emit('Transpose', [ctx.image], [node.name], { perm: [0, 3, 1, 2] }),
    backward: (_node, g, ctx) => ctx.emit('Transpose', [g], [ctx.gradient], { perm: [0, 2, 3, 1] }),
  },
};
