// Convolution forward and input gradient for the hand-written InceptionV3 executor (NHWC,
// kernels [kh,kw,cin,cout]). The gradient is built from forward convs of dy with the flipped kernel:
// on wasm those run on XNNPACK, far faster than Conv2DBackpropInput, and need no tape.
import * as tf from '@tensorflow/tfjs-core';
import type { Padding } from './padding.ts';
import { convInputGradientPhased, phaseKernels } from './convPhase.ts';
import { expectOutShape, transposedInput } from './layout.ts';

export interface ConvSpec {
  strides: [number, number];
  padding: Padding;
}

/** conv2d + bias + optional ReLU in one fused kernel; tfjs pads 'same' the TF way (extra pixel after). */
export function convForward(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  spec: ConvSpec,
  relu: boolean,
): tf.Tensor4D {
  return tf.fused.conv2d({
    x,
    filter: kernel,
    strides: spec.strides,
    pad: spec.padding,
    bias: bias ?? undefined,
    activation: relu ? 'relu' : 'linear',
  });
}

/**
 * Kernel for the gradient pass: spatially reversed, in/out channels swapped -> [kh,kw,cout,cin].
 * A plain loop over the data: on wasm, reverse/transpose of a big kernel cost as much as the conv,
 * and a model's ~100 kernels are flipped at load.
 */
export function flipKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, cin, cout] = kernel.shape;
  const src = kernel.dataSync() as Float32Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = ((kh - 1 - i) * kw + (kw - 1 - j)) * cin * cout;
      const to = (i * kw + j) * cout * cin;
      for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) out[to + o * cin + c] = src[from + c * cout + o]!;
    }
  }
  return tf.tensor4d(out, [kh, kw, cout, cin]);
}

/**
 * What convInputGradient reuses per layer; build once per model (prepareConvGradient), free with
 * disposeConvGradient. Strided convs also get phase sub-kernels (see convPhase.ts).
 */
export interface ConvGradKernels {
  flipped: tf.Tensor4D;
  phases: (tf.Tensor4D | null)[][] | null;
}

export function prepareConvGradient(kernel: tf.Tensor4D, spec: ConvSpec): ConvGradKernels {
  const flipped = flipKernel(kernel);
  const strided = spec.strides[0] > 1 || spec.strides[1] > 1;
  return { flipped, phases: strided ? phaseKernels(flipped, spec.strides) : null };
}

export function disposeConvGradient(k: ConvGradKernels): void {
  tf.dispose([k.flipped, ...(k.phases ?? []).flat().filter((t): t is tf.Tensor4D => t !== null)]);
}

function checkGradArgs(
  dy: tf.Tensor4D,
  kernel: tf.Tensor4D,
  inputShape: readonly [number, number, number, number],
  spec: ConvSpec,
  flipped: tf.Tensor4D | undefined,
): void {
  const [kh, kw, cin, cout] = kernel.shape;
  if (inputShape[3] !== cin) {
    throw new Error(`convInputGradient: input has ${inputShape[3]} channels but the kernel expects ${cin}`);
  }
  expectOutShape('convInputGradient', dy, inputShape, [kh, kw], spec.strides, spec.padding, cout);
  const f = flipped?.shape;
  if (f && (f[0] !== kh || f[1] !== kw || f[2] !== cout || f[3] !== cin)) {
    throw new Error(`convInputGradient: flipped kernel shape [${f.join(',')}] is not flipKernel of [${kernel.shape.join(',')}]`);
  }
}

/**
 * d(sum(dy * conv(x)))/dx as forward convs of dy with the flipped kernel. `flipped` is
 * flipKernel(kernel) or, better, prepareConvGradient(kernel, spec), cached per model. Strided convs
 * given phase sub-kernels use phase decomposition (stride² small convs, no multiplications by
 * inserted zeros); otherwise zero insertion, since gathering phases per call costs more than it saves.
 */
export function convInputGradient(
  dy: tf.Tensor4D,
  kernel: tf.Tensor4D,
  inputShape: readonly [number, number, number, number],
  spec: ConvSpec,
  flipped?: tf.Tensor4D | ConvGradKernels,
): tf.Tensor4D {
  const prepared = flipped && 'phases' in flipped ? flipped : null;
  const kf = prepared ? prepared.flipped : (flipped as tf.Tensor4D | undefined);
  if (!prepared?.phases) return convInputGradientZeroInsert(dy, kernel, inputShape, spec, kf);
  checkGradArgs(dy, kernel, inputShape, spec, kf);
  if (prepared.phases.length !== spec.strides[0] || prepared.phases[0]?.length !== spec.strides[1]) {
    throw new Error(`convInputGradient: prepared kernels were built for other strides than [${spec.strides.join(',')}]`);
  }
  const [kh, kw] = kernel.shape;
  return convInputGradientPhased(dy, prepared.phases, [kh, kw], inputShape, spec.strides, spec.padding);
}

/**
 * The reference path, same contract: spread dy's pixels stride apart (zero insertion), then one
 * stride-1 conv with the flipped kernel and explicit TF-aligned padding.
 */
export function convInputGradientZeroInsert(
  dy: tf.Tensor4D,
  kernel: tf.Tensor4D,
  inputShape: readonly [number, number, number, number],
  spec: ConvSpec,
  flipped?: tf.Tensor4D,
): tf.Tensor4D {
  checkGradArgs(dy, kernel, inputShape, spec, flipped);
  const [kh, kw] = kernel.shape;
  return tf.tidy(() => {
    const kf = flipped ?? flipKernel(kernel);
    const { x, pad } = transposedInput(dy, inputShape, [kh, kw], spec.strides, spec.padding);
    return tf.conv2d(x, kf, 1, pad);
  });
}
