// The gradient half of a dream model, built where no Node exists (a Web Worker of the window): the
// Keras graph from the model's files, our executor with its own backward ops, and recipe objectives.
// It runs on whatever tfjs backend is active (the worker picks webgl or webgpu).
import * as tf from '@tensorflow/tfjs-core';
import { buildKerasGraph } from '../model/keras/build.ts';
import { disposeGraph, type Graph } from '../graph/graph.ts';
import { GraphExecutor } from '../graph/executor.ts';
import { recipeObjective } from '../recipe/recipe.ts';
import { ModelLoadError } from '../shared/errors.ts';
import type { WindowTerms } from './protocol.ts';

/** model.json as the host serves it for the window: the Keras topology and its weight specs. */
export interface WindowModelJson {
  format: string;
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
}

export class PageModel {
  private readonly executor: GraphExecutor;

  private constructor(
    readonly id: string,
    private readonly graph: Graph,
  ) {
    this.executor = new GraphExecutor(graph);
  }

  static fromFiles(id: string, json: WindowModelJson, weightData: ArrayBuffer): PageModel {
    if (json.format !== 'layers-model') throw new ModelLoadError(id, 'the window runs TF.js layers models only; this one stays on the host.');
    let weights: tf.NamedTensorMap;
    try {
      weights = tf.io.decodeWeights(weightData, json.weightSpecs);
    } catch (err) {
      throw new ModelLoadError(id, `weights could not be decoded: ${(err as Error).message}`);
    }
    return new PageModel(id, buildKerasGraph(json.modelTopology, weights, id));
  }

  /** The objective's value and d(objective)/d(tile) for one HWC tile in the model's input range. */
  gradient(pixels: Float32Array, height: number, width: number, terms: WindowTerms): { value: number; gradient: Float32Array } {
    if (terms.classes?.length) throw new Error('class terms run on the host (the window has no class head labels).');
    const objective = recipeObjective({ layers: terms.layers, channels: terms.channels, classes: [] });
    const x = tf.tensor4d(pixels, [1, height, width, 3]);
    try {
      const r = this.executor.valueAndGradient(x, objective.layers, objective.fn);
      const gradient = (r.gradient.dataSync() as Float32Array).slice();
      r.gradient.dispose();
      return { value: r.value, gradient };
    } finally {
      x.dispose();
    }
  }

  dispose(): void {
    this.executor.dispose();
    disposeGraph(this.graph);
  }
}
