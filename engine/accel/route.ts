// The one place that decides where a dream step runs: the chosen onnxruntime provider, then
// onnxruntime on the CPU, then the tfjs executor. A route that refuses a (device, shape, layers) key
// is remembered and skipped for that key (a refused session used to be rebuilt every step), and the
// route that actually ran each step is recorded, so that callers can report it and tests can check it.
import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../graph/graph.ts';
import type { ObjectiveFn, ValueAndGradient } from '../shared/model.ts';
import { UnsupportedGraphError } from './compile.ts';
import { defaultOrtThreads, ortRuntime } from './ort.ts';
import { OrtExecutor } from './ortExecutor.ts';
import { probeProvider } from './probe.ts';
import { DeviceUnavailableError, GPU_PREFERENCE, providerPresence, providerSpec, type ProviderSpec } from './providers.ts';
import type { DeviceReport, GpuAdapter, RouteName, RouteOptions } from '../shared/device.ts';

export type { DeviceReport, RouteName, RouteOptions };

/** The tfjs executor, the last route, which every graph supports. */
export interface FallbackExecutor {
  valueAndGradient(x: tf.Tensor4D, layers: readonly string[], objective: ObjectiveFn): ValueAndGradient;
}

interface Route {
  name: RouteName;
  ort: OrtExecutor | null;
  adapter: GpuAdapter | null;
}

export class StepRouter {
  private routes: Route[] | null = null;
  private readonly refused = new Map<string, string>();
  private readonly steps: Partial<Record<RouteName, number>> = {};
  private last: RouteName | null = null;
  readonly threads: number;

  constructor(
    private readonly graph: Graph,
    private readonly fallback: FallbackExecutor,
    readonly options: RouteOptions,
  ) {
    this.threads = options.threads ?? defaultOrtThreads();
  }

  /** Resolves the device once: an explicit device that is absent here throws DeviceUnavailableError. */
  private resolve(): Route[] {
    if (this.routes) return this.routes;
    const rt = ortRuntime();
    const { device } = this.options;
    const make = (spec: ProviderSpec, adapter: GpuAdapter | null): Route => ({ name: spec.device, ort: new OrtExecutor(this.graph, { provider: spec, threads: this.threads }), adapter });
    const routes: Route[] = [];
    if (this.options.native === false) {
      // tfjs alone
    } else if (rt && this.options.providers) {
      routes.push(...this.options.providers.map((p) => make(p, providerPresence(p.device, bundledSet()).adapter)));
    } else if (rt && device !== 'cpu' && device !== 'auto') {
      const presence = providerPresence(device, bundledSet());
      if (!presence.present) throw new DeviceUnavailableError(`Device "${device}" is not available here: ${presence.missing}. Run "reverie devices" to see what this machine offers.`);
      routes.push(make(providerSpec(device), presence.adapter));
    } else if (rt && device === 'auto') {
      // Only a real GPU that answers a probe; software GPUs are slower than the CPU route.
      for (const gpu of GPU_PREFERENCE) {
        const presence = providerPresence(gpu, bundledSet());
        if (!presence.present || presence.adapter?.software) continue;
        try {
          probeProvider(providerSpec(gpu), this.threads);
        } catch {
          continue;
        }
        routes.push(make(providerSpec(gpu), presence.adapter));
        break;
      }
    } else if (!rt && device !== 'cpu' && device !== 'auto') {
      throw new DeviceUnavailableError(`Device "${device}" needs onnxruntime-node, which is not installed or does not load here.`);
    }
    if (rt && this.options.native !== false && !this.options.providers && !routes.some((r) => r.name === 'cpu')) routes.push(make(providerSpec('cpu'), null));
    routes.push({ name: 'tfjs', ort: null, adapter: null });
    this.routes = routes;
    return routes;
  }

  valueAndGradient(x: tf.Tensor4D, layers: readonly string[], objective: ObjectiveFn): ValueAndGradient {
    const shape = x.shape.join('x');
    for (const route of this.resolve()) {
      if (route.ort) {
        const key = `${route.name}|${shape}|${layers.join(',')}`;
        if (this.refused.has(key) || !route.ort.supports(layers)) continue;
        try {
          return this.ran(route.name, route.ort.valueAndGradient(x, layers, objective));
        } catch (err) {
          // Ops without a lowering, a layer with no pixels at this size, a provider that refuses the graph.
          if (!(err instanceof UnsupportedGraphError)) throw err;
          this.refused.set(key, `${route.name} refused ${shape} ${layers.join(',')}: ${err.message}`);
        }
      } else {
        return this.ran('tfjs', this.fallback.valueAndGradient(x, layers, objective));
      }
    }
    throw new Error('no route took the step'); // unreachable: tfjs is always last
  }

  /** The same on plain pixels (tiles across workers): no tensor round trip on the onnxruntime routes. */
  valueAndGradientData(pixels: Float32Array, input: [number, number, number, number], layers: readonly string[], objective: ObjectiveFn): { value: number; gradient: Float32Array } {
    const shape = input.join('x');
    for (const route of this.resolve()) {
      if (!route.ort) break;
      const key = `${route.name}|${shape}|${layers.join(',')}`;
      if (this.refused.has(key) || !route.ort.supports(layers)) continue;
      try {
        return this.ran(route.name, route.ort.valueAndGradientData(pixels, input, layers, objective));
      } catch (err) {
        if (!(err instanceof UnsupportedGraphError)) throw err;
        this.refused.set(key, `${route.name} refused ${shape} ${layers.join(',')}: ${err.message}`);
      }
    }
    const x = tf.tensor4d(pixels, input);
    try {
      const { value, gradient } = this.ran('tfjs', this.fallback.valueAndGradient(x, layers, objective));
      const data = gradient.dataSync() as Float32Array;
      gradient.dispose();
      return { value, gradient: data };
    } finally {
      x.dispose();
    }
  }

  /** Graphs onnxruntime compiled so far on every route, and their total time. */
  compileStats(): { compiles: number; ms: number } {
    const ort = (this.routes ?? []).flatMap((r) => (r.ort ? [r.ort] : []));
    return { compiles: ort.reduce((n, o) => n + o.compiles, 0), ms: Math.round(ort.reduce((n, o) => n + o.compileMs, 0)) };
  }

  private ran<T>(name: RouteName, result: T): T {
    this.last = name;
    this.steps[name] = (this.steps[name] ?? 0) + 1;
    return result;
  }

  /** The route of the latest step; null before any. */
  get lastRoute(): RouteName | null {
    return this.last;
  }

  /** Which route ran (or will run first), in words and as data. */
  report(): DeviceReport {
    const routes = this.resolve();
    const name = this.last ?? routes[0]!.name;
    const route = routes.find((r) => r.name === name)!;
    const rt = ortRuntime();
    const adapter = route.adapter;
    const version = `onnxruntime-node ${rt?.version ?? '?'}`;
    const threads = `${this.threads} thread${this.threads === 1 ? '' : 's'}`;
    const gpu = adapter ? `${adapter.name}${adapter.software ? ', software GPU' : ''}` : 'GPU';
    const label = name === 'tfjs' ? 'tfjs executor' : name === 'cpu' ? `${version}, ${threads}` : `${version} on ${name} (${gpu})`;
    return { requested: this.options.device, device: name, adapter, label, steps: { ...this.steps }, refusals: [...this.refused.values()] };
  }

  /** Sessions compiled on each onnxruntime route (tests check that a refused key is not rebuilt). */
  sessionsBuilt(): Partial<Record<RouteName, number>> {
    return Object.fromEntries((this.routes ?? []).filter((r) => r.ort).map((r) => [r.name, r.ort!.built]));
  }

  /** Whether an onnxruntime route exists (the model then runs dream steps natively, without worker pools). */
  get native(): boolean {
    return this.resolve().some((r) => r.ort);
  }

  dispose(): void {
    for (const r of this.routes ?? []) r.ort?.dispose();
    this.routes = null;
  }
}

function bundledSet(): ReadonlySet<string> {
  return new Set(ortRuntime()?.providers.keys() ?? []);
}
