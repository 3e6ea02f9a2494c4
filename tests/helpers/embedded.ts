// The embedded InceptionV3, loaded once per test file (about a second); tests share it read-only.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../engine/backend.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import type { DreamModel } from '../../engine/shared/model.ts';

let model: Promise<DreamModel> | undefined;

/** One backward pass through every layer, so the executor's lazily prepared gradient kernels exist
 * before leak tests count tensors (they belong to the model and go with model.dispose()). */
function warmUp(m: DreamModel): DreamModel {
  const x = tf.zeros([1, 160, 160, 3]) as tf.Tensor4D;
  const { gradient } = m.valueAndGradient(x, ['mixed10'], (a) => tf.mean(a['mixed10']!));
  tf.dispose([x, gradient]);
  return m;
}

export async function embeddedModel(): Promise<DreamModel> {
  await initBackend('wasm');
  model ??= loadDreamModel('inception_v3').then(warmUp);
  return model;
}
