// DreamModel for TF.js layers models: our executor over the Keras graph with BN folded.
import * as tf from '@tensorflow/tfjs-core';
import { buildKerasGraph } from './keras.ts';
import { ancestors, disposeGraph, inferShapes, type Graph } from './graph.ts';
import { GraphExecutor } from './executor.ts';
import { OrtExecutor } from '../accel/ortExecutor.ts';
import { UnsupportedGraphError } from '../accel/compile.ts';
import { ortRuntime, ortThreads } from '../accel/ort.ts';
import { listLayers, type TrainingProvenance } from './catalogue.ts';
import { ImageTooSmallError, ModelLoadError, UnknownLayerError, type Activations, type DreamModel, type GradientRoute, type LayerInfo, type ObjectiveFn, type ValueAndGradient } from './types.ts';

export interface LayersModelOptions {
  id: string;
  description: string;
  inputRange: readonly [number, number];
  defaultInputSize: number;
  provenance: TrainingProvenance;
}

export class LayersDreamModel implements DreamModel {
  readonly id: string;
  readonly description: string;
  readonly inputRange: readonly [number, number];
  readonly defaultInputSize: number;
  private readonly executor: GraphExecutor;
  /** The native route for gradient steps (onnxruntime-node), where it is installed; else null. */
  private ort: OrtExecutor | null;
  /** The route of the last gradient that succeeded; null before any. */
  lastRoute: GradientRoute | null = null;

  constructor(
    readonly graph: Graph,
    private readonly options: LayersModelOptions,
  ) {
    this.id = options.id;
    this.description = options.description;
    this.inputRange = options.inputRange;
    this.defaultInputSize = options.defaultInputSize;
    this.executor = new GraphExecutor(graph);
    this.ort = ortRuntime() ? new OrtExecutor(graph) : null;
  }

  /** What runs gradient steps besides the tfjs backend, e.g. "onnxruntime-node 1.30.0, 2 threads"; null for tfjs alone. */
  get accelerator(): string | null {
    return this.ort ? `onnxruntime-node ${ortRuntime()!.version}, ${ortThreads()} thread${ortThreads() === 1 ? '' : 's'}` : null;
  }

  /** Turns the native route off (or back on where installed): benchmarks and tests compare both. */
  setAccelerated(on: boolean): void {
    if (!on) {
      this.ort?.dispose();
      this.ort = null;
    } else if (!this.ort && ortRuntime()) {
      this.ort = new OrtExecutor(this.graph);
    }
  }

  static fromArtifacts(topology: unknown, weightSpecs: tf.io.WeightsManifestEntry[], weightData: ArrayBuffer, options: LayersModelOptions): LayersDreamModel {
    let weights: tf.NamedTensorMap;
    try {
      weights = tf.io.decodeWeights(weightData, weightSpecs);
    } catch (err) {
      throw new ModelLoadError(options.id, `weights could not be decoded: ${(err as Error).message}`);
    }
    return new LayersDreamModel(buildKerasGraph(topology, weights, options.id), options);
  }

  layers(height: number, width: number): LayerInfo[] {
    return listLayers(this.graph, height, width, this.options.provenance);
  }

  private check(layers: readonly string[]): void {
    if (layers.length === 0) throw new Error('No layers given: name at least one layer (see "reverie layers").');
    for (const layer of layers) {
      const node = this.graph.byName.get(layer);
      if (node?.op === 'input') throw new UnknownLayerError(layer, [], 'is the input image, not a layer');
      if (node) continue;
      const carrier = this.graph.fusedInto.get(layer);
      if (carrier) throw new UnknownLayerError(layer, [carrier], `runs fused with batch norm and ReLU as "${carrier}"`);
      if (this.graph.skipped.includes(layer)) throw new UnknownLayerError(layer, [], 'belongs to the classifier head, which has no image to dream on');
      const stem = layer.replace(/\d+$/, '');
      throw new UnknownLayerError(layer, [...this.graph.byName.keys()].filter((k) => stem.length > 0 && k.startsWith(stem)));
    }
  }

  /**
   * Every layer the request reads must keep at least one pixel at this input size: a zero-size
   * output would abort the wasm module (and poison it for later calls) instead of failing cleanly.
   */
  private checkSize(x: tf.Tensor4D, layers: readonly string[]): void {
    const [, h, w, c] = x.shape;
    const shapes = inferShapes(this.graph, h, w, c);
    const empty = ancestors(this.graph, layers).find((n) => {
      const s = shapes.get(n.name)!;
      return s[0] <= 0 || s[1] <= 0;
    });
    if (empty) throw new ImageTooSmallError(`An input of ${w}x${h} pixels is too small for ${layers.join(', ')}: layer "${empty.name}" would have no pixels.`);
  }

  activations(x: tf.Tensor4D, layers: readonly string[]): Activations {
    this.check(layers);
    this.checkSize(x, layers);
    return this.executor.activations(x, layers);
  }

  valueAndGradient(x: tf.Tensor4D, layers: readonly string[], objective: ObjectiveFn): ValueAndGradient {
    this.check(layers);
    this.checkSize(x, layers);
    if (this.ort?.supports(layers)) {
      try {
        const result = this.ort.valueAndGradient(x, layers, objective);
        this.lastRoute = 'onnxruntime';
        return result;
      } catch (err) {
        // Ops without a lowering, or a layer with no pixels at this size: the tfjs executor takes these.
        if (!(err instanceof UnsupportedGraphError)) throw err;
      }
    }
    const result = this.executor.valueAndGradient(x, layers, objective);
    this.lastRoute = 'tfjs';
    return result;
  }

  dispose(): void {
    this.ort?.dispose();
    this.executor.dispose();
    disposeGraph(this.graph);
  }
}
