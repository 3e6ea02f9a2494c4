// The dream step on onnxruntime: one compiled session per (input shape, layers) runs forward and
// backward natively on all cores. The objective stays a tfjs function: its gradient with respect to
// the layers (the "seeds") is fed in. Seeds are guessed from the previous step with the same key and
// the same objective function (several objectives may take turns on one session: a batch of feature
// images, masked term groups), or at zero activations on an objective's first step (exact for the
// usual linear objectives: weighted means); after each run the true seeds are
// computed from the returned activations, and where they differ the session runs again with them,
// so every gradient returned is exact whatever the objective.
import * as tf from '@tensorflow/tfjs-core';
import { type Graph, ancestors } from '../graph/graph.ts';
import type { ObjectiveFn, ValueAndGradient } from '../shared/model.ts';
import { actName, compileDreamGraph, GRADIENT, IMAGE, seedName, supportsPlan, UnsupportedGraphError, WeightStore, type CompiledShape } from './compile.ts';
import { encodeModel } from '../graph/onnxProto.ts';
import { defaultOrtThreads, OrtSession, ortRuntime } from './ort.ts';
import { providerSpec, type ProviderSpec } from './providers.ts';

export interface OrtExecutorOptions {
  /** The execution provider and the graph lowering it needs (default: the CPU provider). */
  provider?: ProviderSpec;
  /** CPU threads per session (default: every core). */
  threads?: number;
}

interface Compiled {
  session: OrtSession;
  shape: CompiledShape;
  /** Each objective's seeds at its last step with this key (NHWC), reused as its next guess. */
  seeds: WeakMap<ObjectiveFn, Float32Array[]>;
}

/**
 * Sessions kept: each holds ~120 MB of weights in ONNX layouts. Tiles of one octave share one shape
 * (render/tiles.ts), so a dream needs one at a time; two let a zoom frame's shape survive an odd call.
 */
const MAX_SESSIONS = 2;

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Int32Array(a.buffer, a.byteOffset, a.length);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export class OrtExecutor {
  private readonly weights = new WeightStore();
  private readonly sessions = new Map<string, Compiled>();
  private readonly supported = new Map<string, boolean>();
  /** Runs that needed a second pass because the guessed seeds were not the objective's (for tests and benchmarks). */
  reruns = 0;
  runs = 0;
  /** Graphs compiled (one per new input shape and layer set) and the time they took, for the whole-job benchmark. */
  compiles = 0;
  compileMs = 0;

  readonly provider: ProviderSpec;
  readonly threads: number;

  constructor(
    private readonly graph: Graph,
    options: OrtExecutorOptions = {},
  ) {
    this.provider = options.provider ?? providerSpec('cpu');
    this.threads = options.threads ?? defaultOrtThreads();
  }

  /** Whether this executor can take a step for these layers (every op on the path has a lowering). */
  supports(layers: readonly string[]): boolean {
    const key = layers.join(',');
    let ok = this.supported.get(key);
    if (ok === undefined) {
      ok = ortRuntime() !== null && supportsPlan(ancestors(this.graph, layers));
      this.supported.set(key, ok);
    }
    return ok;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  private drop(input: readonly number[], layers: readonly string[]): void {
    const key = `${input.join('x')}|${layers.join(',')}`;
    this.sessions.get(key)?.session.dispose();
    this.sessions.delete(key);
  }

  /** Sessions built so far (a refused key must not be rebuilt every step). */
  built = 0;

  private compiled(input: [number, number, number, number], layers: readonly string[]): Compiled {
    const key = `${input.join('x')}|${layers.join(',')}`;
    let c = this.sessions.get(key);
    if (c) {
      // Refresh its place in the LRU order.
      this.sessions.delete(key);
      this.sessions.set(key, c);
      return c;
    }
    const rt = ortRuntime();
    if (!rt) throw new Error('onnxruntime-node is not available');
    const started = performance.now();
    const { onnx, shape } = compileDreamGraph(this.graph, layers, input, this.weights, this.provider.lowering);
    let session: OrtSession;
    try {
      session = new OrtSession(rt, encodeModel(onnx), { threads: this.threads, executionProviders: this.provider.executionProviders });
    } catch (err) {
      // A runtime or provider that refuses the graph (another version, no adapter) leaves the step to the next route.
      throw new UnsupportedGraphError(`onnxruntime (${this.provider.device}) refused the compiled graph: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      this.compiles++;
      this.compileMs += performance.now() - started;
    }
    this.built++;
    c = { session, shape, seeds: new WeakMap() };
    this.sessions.set(key, c);
    while (this.sessions.size > MAX_SESSIONS) {
      const [oldest, evicted] = this.sessions.entries().next().value as [string, Compiled];
      evicted.session.dispose();
      this.sessions.delete(oldest);
    }
    return c;
  }

  valueAndGradient(x: tf.Tensor4D, layers: readonly string[], objective: ObjectiveFn): ValueAndGradient {
    const input = x.shape as [number, number, number, number];
    const { value, gradient } = this.valueAndGradientData(x.dataSync() as Float32Array, input, layers, objective);
    return { value, gradient: tf.tensor4d(gradient, input) };
  }

  /** The same step on plain arrays (NHWC): tiles go in and come out without becoming tensors. */
  valueAndGradientData(image: Float32Array, input: [number, number, number, number], layers: readonly string[], objective: ObjectiveFn): { value: number; gradient: Float32Array } {
    const c = this.compiled(input, layers);
    const outputs = [GRADIENT, ...layers.map(actName)];
    const run = (seeds: Float32Array[]) => {
      this.runs++;
      const feeds: Record<string, { data: Float32Array; dims: readonly number[] }> = { [IMAGE]: { data: image, dims: input } };
      layers.forEach((l, i) => (feeds[seedName(l)] = { data: seeds[i]!, dims: c.shape.layerShapes[i]! }));
      try {
        return c.session.run(feeds, outputs);
      } catch (err) {
        if (this.provider.device === 'cpu') throw err;
        // A GPU provider can refuse a kernel only when it runs (an op variant it lacks, a lost device):
        // drop the session so that the step goes to the next route.
        this.drop(input, layers);
        throw new UnsupportedGraphError(`onnxruntime (${this.provider.device}) failed to run the graph: ${(err as Error).message.split('\n')[0]}`);
      }
    };
    // First step for this key: the objective's gradient at zero activations, exact for linear objectives.
    const guess = c.seeds.get(objective) ?? this.objectiveAt(layers, c.shape, null, objective).seeds;
    let result = run(guess);
    const { value, seeds } = this.objectiveAt(layers, c.shape, result, objective);
    if (!seeds.every((s, i) => sameBits(s, guess[i]!))) {
      this.reruns++;
      result = run(seeds);
    }
    c.seeds.set(objective, seeds);
    return { value, gradient: result[GRADIENT]! };
  }

  /** The objective's value and its gradient with respect to each layer, at the activations just computed. */
  private objectiveAt(layers: readonly string[], shape: CompiledShape, result: Record<string, Float32Array> | null, objective: ObjectiveFn): { value: number; seeds: Float32Array[] } {
    // The tidy returns tensors only: tfjs walks whatever a tidy returns key by key, and walking the
    // seeds as Float32Arrays (every element into a Set) cost more than 100 ms a step at 500 px.
    const { value, grads } = tf.tidy(() => {
      const acts = layers.map((l, i) => (result ? tf.tensor4d(result[actName(l)]!, shape.layerShapes[i]!) : tf.zeros(shape.layerShapes[i]!)));
      return tf.valueAndGrads((...a: tf.Tensor[]) => objective(Object.fromEntries(layers.map((l, i) => [l, a[i] as tf.Tensor4D]))))(acts);
    });
    try {
      return { value: value.dataSync()[0]!, seeds: grads.map((g) => g.dataSync() as Float32Array) };
    } finally {
      tf.dispose([value, ...grads]);
    }
  }

  dispose(): void {
    for (const c of this.sessions.values()) c.session.dispose();
    this.sessions.clear();
  }
}
