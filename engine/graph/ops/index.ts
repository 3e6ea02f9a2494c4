// The op table: one module per op says its shape rule, tfjs forward and backward, autodiff form and
// ONNX lowering. The executor, the autodiff reference, the ONNX compiler, shape inference and the
// Keras importer all walk it; a new op is a new module here plus its row below.
import { add, type AddNode } from './add.ts';
import { affine, type AffineNode } from './affine.ts';
import { avgPool, type AvgPoolNode } from './avgPool.ts';
import { concat, type ConcatNode } from './concat.ts';
import { conv, type ConvNode } from './conv.ts';
import { dense, type DenseNode } from './dense.ts';
import { depthwise, type DepthwiseNode } from './depthwise.ts';
import { globalAvgPool, type GlobalAvgPoolNode } from './globalAvgPool.ts';
import { input, type InputNode } from './input.ts';
import { maxPool, type MaxPoolNode } from './maxPool.ts';
import { pad, type PadNode } from './pad.ts';
import { relu, type ReluNode } from './relu.ts';
import type { OpDef } from './types.ts';

/** One node of our graph: a Keras layer, or a fused chain of them (conv + BN + ReLU), reduced to one op. */
export type GraphNode = InputNode | ConvNode | DepthwiseNode | MaxPoolNode | AvgPoolNode | ConcatNode | ReluNode | AffineNode | AddNode | PadNode | GlobalAvgPoolNode | DenseNode;

type Table = { readonly [K in GraphNode['op']]: OpDef<Extract<GraphNode, { op: K }>> };

export const OPS: Table = {
  input,
  conv,
  depthwise,
  maxpool: maxPool,
  avgpool: avgPool,
  concat,
  relu,
  affine,
  add,
  pad,
  globalAvgPool,
  dense,
};

/** The description of a node's op (TypeScript cannot pair a union's member with its table row by itself). */
export const opOf = (node: GraphNode): OpDef<GraphNode> => OPS[node.op] as OpDef<GraphNode>;
