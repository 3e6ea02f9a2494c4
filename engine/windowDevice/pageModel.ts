// The gradient half of a dream model, built where no Node exists (a Web Worker of the window): the
// Keras graph from the model's files, our executor with its own backward ops, and recipe objectives.
// It runs on whatever tfjs backend is active (the worker picks webgl or webgpu).
import * as tf from '@tensorflow/tfjs-core';
import { buildKerasGraph } from '../model/keras/build.ts';
import { disposeGraph, inferShapes, type Graph } from '../graph/graph.ts';
import { GraphExecutor } from '../graph/executor.ts';
import { featureObjective } from '../objectives/featureTarget.ts';
import { logitObjective } from '../objectives/logit.ts';
import { channelMean, layerMean, scale, sum } from '../objectives/objective.ts';
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
    readonly graph: Graph,
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

  /**
   * Runs one backward pass through the whole image trunk at the smallest size it takes, so that every
   * node's backward kernels (flipped, phase-split) are derived now, on the active backend. The worker
   * does this on the cpu backend before moving to webgpu, whose synchronous read-back (which deriving
   * them needs) returns zeros on some adapters; tensors made here move to the GPU on first use.
   */
  prepare(): void {
    const trunk = this.graph.nodes.filter((n) => !n.head && n.op !== 'input');
    const last = trunk.at(-1);
    if (!last) return;
    let size = 16;
    while (size < 1024 && [...inferShapes(this.graph, size, size).values()].some(([h, w]) => h < 1 || w < 1)) size += 8;
    const x = tf.zeros([1, size, size, 3]) as tf.Tensor4D;
    try {
      const r = this.executor.valueAndGradientTensors(x, [last.name], (acts) => tf.mean(acts[last.name]!));
      r.value.dispose();
      r.gradient.dispose();
    } finally {
      x.dispose();
    }
  }

  /** The objective's value and d(objective)/d(tile) for one HWC tile in the model's input range; reads back asynchronously. */
  async gradient(pixels: Float32Array, height: number, width: number, terms: WindowTerms): Promise<{ value: number; gradient: Float32Array }> {
    if (terms.classes?.length) throw new Error('class terms reach the window as logits (the window has no class labels to resolve names).');
    const objective = terms.feature
      ? featureObjective(this, terms.feature)
      : // The engine's recipeObjective, term for term in its order (so the sum rounds the same), with resolved classes.
        sum(...terms.layers.map((l) => scale(layerMean(l.name), l.weight)), ...terms.channels.map((c) => scale(channelMean(c.layer, c.index), c.weight)), ...(terms.logits ?? []).map(logitObjective));
    const x = tf.tensor4d(pixels, [1, height, width, 3]);
    try {
      const r = this.executor.valueAndGradientTensors(x, objective.layers, objective.fn);
      try {
        const [value, gradient] = await Promise.all([r.value.data(), r.gradient.data()]);
        return { value: value[0]!, gradient: (gradient as Float32Array).slice() };
      } finally {
        r.value.dispose();
        r.gradient.dispose();
      }
    } finally {
      x.dispose();
    }
  }

  dispose(): void {
    this.executor.dispose();
    disposeGraph(this.graph);
  }
}
