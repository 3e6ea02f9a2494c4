// The whole-network gradient check shared by the model tests: our backward pass against tf.grad of the
// same graph written in plain tfjs ops (engine/graph/autodiff.ts), for a random weighting of one layer.
import * as tf from '@tensorflow/tfjs-core';
import { autodiffForward } from '../../engine/graph/autodiff.ts';
import type { LayersDreamModel } from '../../engine/model/layersModel.ts';
import { relL2 } from './numeric.ts';

/** Relative L2 error between the model's input gradient and tfjs autodiff's, at a square input. */
export function gradientErrorVsAutodiff(model: LayersDreamModel, layer: string, size: number): number {
  const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
  const shape = model.layers(size, size).find((l) => l.name === layer)!;
  const w = tf.randomNormal([1, shape.height, shape.width, shape.channels], 0, 1, 'float32', 5);
  const { gradient } = model.valueAndGradient(x, [layer], (acts) => tf.sum(tf.mul(acts[layer]!, w)));
  const expected = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(autodiffForward(model.graph, t as tf.Tensor4D, layer, 'exact'), w)))(x);
  const err = relL2(gradient.dataSync(), expected.dataSync());
  tf.dispose([x, w, gradient, expected]);
  return err;
}
