// What conv and depthwise nodes share: the node's fields, the shape rule, the autodiff form and the
// ONNX lowering (one Conv, with `group` = channels for depthwise; its backward a flipped-kernel Conv at
// stride 1, else a ConvTranspose of the forward kernel).
import * as tf from '@tensorflow/tfjs-core';
import type { ConvSpec } from '../../ops/conv.ts';
import type { AttrValue } from '../onnxProto.ts';
import { flippedPads, outputPadding, rectifierMask, rectify, windowPads, type OnnxLowering } from './onnx.ts';
import { rectifyAutodiff, type Rectified } from './rectifier.ts';
import { windowShape } from './shapes.ts';
import type { NodeBase, Shape3 } from './types.ts';

export interface ConvLikeNode extends NodeBase, Rectified {
  op: 'conv' | 'depthwise';
  /** conv: [kh,kw,cin,cout]; depthwise: [kh,kw,C,multiplier]. */
  kernel: tf.Tensor4D;
  bias: tf.Tensor1D | null;
  spec: ConvSpec;
}

export function convLikeShape(node: ConvLikeNode, [first]: Shape3[]): Shape3 {
  const [kh, kw, cin, cout] = node.kernel.shape;
  return windowShape(first!, [kh, kw], node.spec.strides, node.spec.padding, node.op === 'conv' ? cout : cin * cout);
}

export const convLikeWeights = (node: ConvLikeNode): tf.Tensor[] => (node.bias ? [node.kernel, node.bias] : [node.kernel]);

/**
 * A depthwise kernel [kh,kw,C,m] as the equivalent full conv kernel [kh,kw,C,C*m] (block-diagonal):
 * tf.conv2d's gradient runs on every backend, and it is an independent route to the same numbers.
 */
export function depthwiseAsConvKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, c, m] = kernel.shape;
  const src = kernel.dataSync();
  const out = new Float32Array(kh * kw * c * c * m);
  for (let t = 0; t < kh * kw; t++) for (let ch = 0; ch < c; ch++) for (let k = 0; k < m; k++) out[(t * c + ch) * c * m + ch * m + k] = src[(t * c + ch) * m + k]!;
  return tf.tensor4d(out, [kh, kw, c, c * m]);
}

export function convLikeAutodiff(node: ConvLikeNode, [a]: tf.Tensor4D[]): tf.Tensor4D {
  const kernel = node.op === 'conv' ? node.kernel : depthwiseAsConvKernel(node.kernel);
  const c = tf.conv2d(a!, kernel, node.spec.strides, node.spec.padding);
  const b = node.bias ? tf.add(c, node.bias) : c;
  return rectifyAutodiff(b, node) as tf.Tensor4D;
}

/** A node's weights in ONNX layouts. */
interface OnnxConvWeights {
  /** [cout, cin/group, kh, kw] (depthwise: [C*m, 1, kh, kw]). */
  w: Float32Array;
  /** Stride-1 input-gradient kernel: spatially flipped, in/out swapped ([cin, cout, kh, kw]; depthwise [C, m, kh, kw]). */
  flipped: Float32Array;
  bias: Float32Array | null;
}

function onnxWeights(node: ConvLikeNode): OnnxConvWeights {
  const [kh, kw, a, b] = node.kernel.shape;
  const src = node.kernel.dataSync() as Float32Array;
  const w = new Float32Array(src.length);
  const flipped = new Float32Array(src.length);
  const area = kh * kw;
  // tfjs conv kernels are [kh,kw,cin,cout]; depthwise [kh,kw,C,m] with output channel c*m + j.
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const s = i * kw + j;
      const f = (kh - 1 - i) * kw + (kw - 1 - j);
      for (let c = 0; c < a; c++) {
        for (let o = 0; o < b; o++) {
          const v = src[(s * a + c) * b + o]!;
          if (node.op === 'conv') {
            w[(o * a + c) * area + s] = v; // [cout, cin, kh, kw]
            flipped[(c * b + o) * area + f] = v; // [cin, cout, kh, kw]
          } else {
            w[(c * b + o) * area + s] = v; // [C*m, 1, kh, kw]
            flipped[(c * b + o) * area + f] = v; // [C, m, kh, kw]
          }
        }
      }
    }
  }
  return { w, flipped, bias: node.bias ? (node.bias.dataSync() as Float32Array).slice() : null };
}

export const convLikeOnnx = {
  forward(node: ConvLikeNode, ctx: OnnxLowering): void {
    const x = node.inputs[0]!;
    const [kh, kw, a, b] = node.kernel.shape;
    const cw = ctx.weights(node.name, () => onnxWeights(node));
    const { pads } = windowPads(ctx, x, [kh, kw], node.spec.strides, node.spec.padding);
    const wName = ctx.constant(`${node.name}:w`, node.op === 'conv' ? [b, a, kh, kw] : [a * b, 1, kh, kw], cw.w);
    ctx.named.set(node.name, wName);
    const ins = [x, wName];
    if (cw.bias) ins.push(ctx.constant(`${node.name}:b`, [cw.bias.length], cw.bias));
    const attrs: Record<string, AttrValue> = { kernel_shape: [kh, kw], strides: [...node.spec.strides], pads };
    if (node.op === 'depthwise') attrs['group'] = a;
    const pre = node.relu ? `${node.name}:pre` : node.name;
    ctx.emit('Conv', ins, [pre], attrs);
    if (node.relu) rectify(ctx, pre, node.name, node.clip);
  },

  backward(node: ConvLikeNode, g: string, ctx: OnnxLowering): void {
    const x = node.inputs[0]!;
    const [kh, kw, a, b] = node.kernel.shape;
    const k: [number, number] = [kh, kw];
    const s = node.spec.strides;
    const cw = ctx.weights(node.name, () => onnxWeights(node));
    const dPre = node.relu ? rectifierMask(ctx, g, node.name, node.clip) : g;
    const { pads, out, inH, inW } = windowPads(ctx, x, k, s, node.spec.padding);
    const dx = ctx.fresh(`dx:${x}`);
    const group: Record<string, AttrValue> = node.op === 'depthwise' ? { group: a } : {};
    if (s[0] === 1 && s[1] === 1) {
      // Conv: [cin, cout, kh, kw]; depthwise: [C, m, kh, kw] in C groups. Both are [a, b, kh, kw].
      const fName = ctx.constant(`${node.name}:flip`, [a, b, kh, kw], cw.flipped);
      ctx.emit('Conv', [dPre, fName], [dx], { kernel_shape: k, strides: [1, 1], pads: flippedPads(k, pads), ...group });
    } else {
      // ConvTranspose takes the forward kernel as it is: share its initializer.
      ctx.emit('ConvTranspose', [dPre, ctx.named.get(node.name)!], [dx], { kernel_shape: k, strides: [...s], pads, output_padding: outputPadding(k, s, pads, out, inH, inW), ...group });
    }
    ctx.send(x, dx);
  },
};
