// DreamModel for TF.js layers models: our executor over the Keras graph with BN folded.
import * as tf from '@tensorflow/tfjs-core';
import { buildKerasGraph } from './keras/build.ts';
import { ancestors, disposeGraph, inferShapes, type Graph } from '../graph/graph.ts';
import { GraphExecutor } from '../graph/executor.ts';
import { StepRouter, type DeviceReport, type RouteOptions } from '../accel/route.ts';
import { listLayers, type TrainingProvenance } from './layerList.ts';
import { ImageTooSmallError, ModelLoadError, UnknownLayerError } from '../shared/errors.ts';
import type { Activations, DreamModel, GradientRoute, LayerInfo, ObjectiveFn, ValueAndGradient } from '../shared/model.ts';
import { RecipeError } from '../recipe/recipe.ts';

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
  /** Where gradient steps run: an onnxruntime provider, onnxruntime on the CPU, or the tfjs executor. */
  private router: StepRouter;

  constructor(
    readonly graph: Graph,
    private readonly options: LayersModelOptions,
  ) {
    this.id = options.id;
    this.description = options.description;
    this.inputRange = options.inputRange;
    this.defaultInputSize = options.defaultInputSize;
    this.executor = new GraphExecutor(graph);
    this.router = new StepRouter(graph, this.executor, { device: 'auto' });
  }

  /** What runs gradient steps besides the tfjs backend, e.g. "onnxruntime-node 1.30.0, 2 threads" (CPU) or "onnxruntime-node 1.30.0 on webgpu (…)"; null for tfjs alone. */
  get accelerator(): string | null {
    return this.router.native ? this.router.report().label : null;
  }

  /** Which route computed the last gradient (onnxruntime on any device, or tfjs); null before any. */
  get lastRoute(): GradientRoute | null {
    const last = this.router.lastRoute;
    return last === null ? null : last === 'tfjs' ? 'tfjs' : 'onnxruntime';
  }

  /** The device of the latest step (or the first to be tried), what was asked for, and any refusals. */
  get device(): DeviceReport {
    return this.router.report();
  }

  /**
   * Chooses where steps run: a device ('auto', 'cpu', 'webgpu', ...) and the CPU threads per session.
   * Throws DeviceUnavailableError for a device this machine does not offer.
   */
  useDevice(options: RouteOptions): void {
    const next = new StepRouter(this.graph, this.executor, options);
    next.report(); // resolves now, so that an absent device fails here and not mid-dream
    this.router.dispose();
    this.router = next;
  }

  /** Turns the native route off (tfjs executor alone) or back to 'auto': benchmarks and tests compare both. */
  setAccelerated(on: boolean): void {
    this.useDevice({ device: on ? 'auto' : 'cpu', native: on, threads: this.router.threads });
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
    if (layers.length === 0) throw new RecipeError('No layers given: name at least one layer (see "reverie layers").');
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
  private checkSize([, h, w, c]: readonly [number, number, number, number], layers: readonly string[]): void {
    const shapes = inferShapes(this.graph, h, w, c);
    const empty = ancestors(this.graph, layers).find((n) => {
      const s = shapes.get(n.name)!;
      return s[0] <= 0 || s[1] <= 0;
    });
    if (empty) throw new ImageTooSmallError(`An input of ${w}x${h} pixels is too small for ${layers.join(', ')}: layer "${empty.name}" would have no pixels.`);
  }

  activations(x: tf.Tensor4D, layers: readonly string[]): Activations {
    this.check(layers);
    this.checkSize(x.shape, layers);
    return this.executor.activations(x, layers);
  }

  valueAndGradient(x: tf.Tensor4D, layers: readonly string[], objective: ObjectiveFn): ValueAndGradient {
    this.check(layers);
    this.checkSize(x.shape, layers);
    return this.router.valueAndGradient(x, layers, objective);
  }

  valueAndGradientData(pixels: Float32Array, height: number, width: number, layers: readonly string[], objective: ObjectiveFn): { value: number; gradient: Float32Array } {
    const input: [number, number, number, number] = [1, height, width, 3];
    this.check(layers);
    this.checkSize(input, layers);
    return this.router.valueAndGradientData(pixels, input, layers, objective);
  }

  /** Graphs onnxruntime compiled so far (one per input shape and layer set) and their total time. */
  get compileStats(): { compiles: number; ms: number } {
    return this.router.compileStats();
  }

  dispose(): void {
    this.router.dispose();
    this.executor.dispose();
    disposeGraph(this.graph);
  }
}
