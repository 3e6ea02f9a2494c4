// onnxruntime-node (an optional dependency whose CPU binaries ship inside the npm package) as a
// synchronous runner: its native binding runs a session synchronously; the public API only wraps
// that in a Promise, which the dream step (a sync DreamModel call) cannot await.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';

interface OrtTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}
type TensorCtor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, OrtTensor>;
  dispose(): void;
  endProfiling(): string;
}

interface Runtime {
  Session: new () => NativeSession;
  Tensor: TensorCtor;
  version: string;
  /** Execution providers this build knows: bundled, or fetched separately (CUDA on Linux). */
  providers: ReadonlyMap<string, { bundled: boolean }>;
}

let runtime: Runtime | null | undefined;

/** The native runtime, or null where onnxruntime-node is not installed or does not load here. */
export function ortRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  if (process.env['REVERIE_ONNX'] === '0') return (runtime = null);
  try {
    const require = createRequire(import.meta.url);
    const binding = require('onnxruntime-node/dist/binding.js') as {
      binding: { InferenceSession: new () => NativeSession; listSupportedBackends: () => Array<{ name: string; bundled: boolean }> };
      initOrt: () => void;
    };
    const common = require('onnxruntime-common') as { Tensor: TensorCtor };
    const pkg = require('onnxruntime-node/package.json') as { version: string };
    binding.initOrt();
    const providers = new Map(binding.binding.listSupportedBackends().map((b) => [b.name, { bundled: b.bundled }]));
    runtime = { Session: binding.binding.InferenceSession, Tensor: common.Tensor, version: pkg.version, providers };
  } catch {
    // Not installed, or its binary does not load on this platform: the tfjs executor steps alone.
    runtime = null;
  }
  return runtime;
}

/** One session across all cores; worker pools pass 1 (one single-threaded session per core). */
export function defaultOrtThreads(): number {
  return Math.max(1, availableParallelism());
}

export interface SessionOptions {
  /** CPU threads for the operators that run on the CPU provider. */
  threads: number;
  /** onnxruntime-node's executionProviders, e.g. [{ name: 'webgpu' }, 'cpu']. */
  executionProviders: ReadonlyArray<string | Record<string, unknown>>;
}

export class OrtSession {
  private readonly native: NativeSession;
  private disposed = false;
  private readonly profiling: boolean;

  constructor(
    private readonly rt: Runtime,
    model: Uint8Array,
    options: SessionOptions,
  ) {
    this.native = new rt.Session();
    const threads = options.threads;
    this.native.loadModel(model.buffer, model.byteOffset, model.byteLength, {
      executionProviders: [...options.executionProviders],
      // Fatal only: a GPU provider warns about every shape op it leaves to the CPU (expected), and a
      // kernel it refuses is thrown to us anyway, where the router reports it once per key.
      logSeverityLevel: 4,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      // Without the arena, a run's buffers go back to the system after it: a dream keeps a session per
      // tile shape, and arenas held each one's peak (~0.5 GB at 512 px) for good. Planned memory
      // patterns measured slower here (151 vs 131 ms per step at 299 px), so they are off too.
      enableCpuMemArena: false,
      enableMemPattern: false,
      // Spinning workers would keep a core busy between steps, stealing it from tfjs and the UI
      // (and measured no faster: 134 vs 135 ms per step at 299 px).
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
      // REVERIE_ORT_PROFILE=prefix writes onnxruntime's per-op timings (JSON) when the session is disposed.
      ...(process.env['REVERIE_ORT_PROFILE'] ? { enableProfiling: true, profileFilePrefix: process.env['REVERIE_ORT_PROFILE'] } : {}),
    });
    this.profiling = Boolean(process.env['REVERIE_ORT_PROFILE']);
  }

  run(feeds: Record<string, { data: Float32Array; dims: readonly number[] }>, outputs: readonly string[]): Record<string, Float32Array> {
    if (this.disposed) throw new Error('OrtSession used after dispose');
    const tensors: Record<string, OrtTensor> = {};
    for (const [name, f] of Object.entries(feeds)) tensors[name] = new this.rt.Tensor('float32', f.data, f.dims);
    const fetches: Record<string, null> = Object.fromEntries(outputs.map((o) => [o, null]));
    const result = this.native.run(tensors, fetches, {});
    return Object.fromEntries(outputs.map((o) => [o, result[o]!.data]));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.profiling) this.native.endProfiling();
    this.native.dispose();
  }
}
