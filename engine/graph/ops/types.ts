// What one op of the graph must say about itself. Every route walks these descriptions: the tfjs
// executor (forward, backward), tf.grad over plain tfjs ops (autodiff), the onnxruntime compiler
// (onnx), the shape listing (shape) and the model's bookkeeping (weights, kind).
import type * as tf from '@tensorflow/tfjs-core';
import type { OnnxLowering } from './onnx.ts';

/** Height, width, channels of one node's output. */
export type Shape3 = [number, number, number];

/** What every node carries besides its op: where it sits in the graph and which Keras layers it stands for. */
export interface NodeBase {
  /** The Keras name of the layer whose output this node produces (the last of a fused chain). */
  name: string;
  inputs: string[];
  /** The Keras layers fused into this node, in order (e.g. conv2d_5, batch_normalization_5, activation_5). */
  layers: string[];
  /** True where any fused layer's weights were trainable when the model was saved (fine-tuning). */
  trainable: boolean;
  /** Part of the classifier head (after global pooling): not an image layer. */
  head?: boolean;
}

/** Tensors a backward pass derives once per model (flipped kernels) and keeps until the executor is disposed. */
export interface PreparedKernels {
  once<T>(node: string, make: () => T, dispose: (value: T) => void): T;
}

/** Which route autodiff takes for average pooling: Keras's exact border divisor, or tfjs's own op (the naive baseline). */
export interface AutodiffOptions {
  avgPool: 'exact' | 'tfjs';
}

export interface OpDef<N extends NodeBase> {
  /** How the layer list files this op's outputs (concat blocks named mixedN become 'block' there). */
  readonly kind: 'conv' | 'pool' | 'concat' | 'other';
  /** Output shape from the inputs' shapes (`image` is the input node's); 0 where a window finds no pixels, never a throw. */
  shape(node: N, inputs: Shape3[], image: Shape3): Shape3;
  /** The tensors the node owns (freed with the graph). */
  weights(node: N): tf.Tensor[];
  /** Forward on tfjs, fused where the backend allows. */
  forward(node: N, inputs: tf.Tensor4D[]): tf.Tensor4D;
  /** d(objective)/d(each input) from dy = d(objective)/d(output), with our own gradient ops; `y` is the forward output. */
  backward(node: N, dy: tf.Tensor4D, inputs: tf.Tensor4D[], y: tf.Tensor4D, prepared: PreparedKernels): tf.Tensor4D[];
  /** Forward in plain differentiable tfjs ops, for tf.grad: the reference the hand-written backward is tested against. */
  autodiff(node: N, inputs: tf.Tensor4D[], options: AutodiffOptions): tf.Tensor4D;
  /** ONNX forward and backward; absent where the op stays on tfjs (the whole plan then does). */
  readonly onnx?: {
    forward(node: N, ctx: OnnxLowering): void;
    /** `g` names the gradient reaching the node's output; send each input's share with ctx.send. */
    backward(node: N, g: string, ctx: OnnxLowering): void;
  };
}
