// A batch of feature images whose objectives are separate (one target per image: a channel sheet)
// steps image by image: each image's gradient is one unit of work, its own target's objective at batch
// 1, computed in this thread or in a gradient pool. The unit is the same wherever it runs, so images do
// not depend on the number of workers, nor on which other images share their batch.
import * as tf from '@tensorflow/tfjs-core';
import type { DreamModel } from '../shared/model.ts';
import type { Objective } from '../objectives/objective.ts';
import type { TileGradientSource } from '../render/tiles.ts';
import { tileGradient } from '../render/tileStep.ts';
import { targetObjective, type FeatureTarget } from './targets.ts';

export class FeatureUnits {
  /** One objective per image, made once so the onnxruntime route keeps each one's seeds across steps. */
  private readonly objectives: Objective[];

  constructor(
    private readonly model: DreamModel,
    private readonly targets: readonly FeatureTarget[],
    private readonly pool?: TileGradientSource,
  ) {
    this.objectives = targets.map((t) => targetObjective(model, t));
  }

  /** The summed value and the batch's gradient [B, H, W, 3], image by image. */
  async valueAndGradient(x: tf.Tensor4D): Promise<{ value: number; gradient: tf.Tensor4D }> {
    const [b, h, w] = x.shape;
    if (b !== this.targets.length) throw new RangeError(`FeatureUnits: a batch of ${b} images for ${this.targets.length} targets.`);
    const all = x.dataSync() as Float32Array;
    const per = h * w * 3;
    const image = (i: number) => all.slice(i * per, (i + 1) * per);
    const pool = this.pool;
    const results = pool
      ? await Promise.all(this.targets.map((feature, i) => pool.gradient(image(i), h, w, { layers: [], channels: [], feature })))
      : this.targets.map((_, i) => tileGradient(this.model, image(i), h, w, this.objectives[i]!));
    const gradient = new Float32Array(b * per);
    let value = 0;
    results.forEach((r, i) => {
      value += r.value;
      gradient.set(r.gradient, i * per);
    });
    return { value, gradient: tf.tensor4d(gradient, [b, h, w, 3]) };
  }
}
