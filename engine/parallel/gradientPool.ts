// A pool of worker threads, each with its own backend and model, computing tile gradients in parallel.
// On wasm (one thread per instance in Node) this is how a dream uses every core.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../backend.ts';
import type { GradientRoute } from '../shared/model.ts';
import type { GradientRequest, ObjectiveTerms, WorkerReply } from './protocol.ts';

/** Starts a gradient worker: the tsx bootstrap in a checkout, the compiled entry in the packaged app. */
function startWorker(): Worker {
  return new Worker(new URL('./gradientWorker.mjs', import.meta.url));
}

export interface TileGradient {
  value: number;
  gradient: Float32Array;
}

export interface GradientPoolOptions {
  model?: string;
  backend?: BackendChoice;
  /** Worker count; defaults to the machine's available parallelism. */
  size?: number;
  /** onnxruntime intra-op threads per tile in each worker (default 1: the workers share the cores). */
  threadsPerTile?: number;
  /** Where downloaded models are cached, for models that are not embedded. */
  cacheDir?: string;
}

interface Pending {
  resolve: (r: TileGradient) => void;
  reject: (e: Error) => void;
}

class PoolWorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class GradientPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ request: GradientRequest; pending: Pending }> = [];
  private readonly inFlight = new Map<Worker, { id: number; pending: Pending }>();
  private nextId = 1;
  /** The route the workers' last tile ran on (as DreamModel.lastRoute); null before any. */
  lastRoute: GradientRoute | null = null;
  private closed = false;

  private constructor(
    private readonly workers: Worker[],
    readonly backend: string,
    /** The model every worker loaded (its id or path, as asked). */
    readonly model: string,
  ) {
    this.idle.push(...workers);
    for (const w of workers) {
      w.on('message', (m: WorkerReply) => this.onReply(w, m));
      w.on('error', (e) => this.onCrash(w, e));
      w.on('exit', (code) => {
        if (!this.closed) this.onCrash(w, new Error(`gradient worker exited with code ${code}`));
      });
    }
  }

  static async start(options: GradientPoolOptions = {}): Promise<GradientPool> {
    const size = Math.max(1, options.size ?? availableParallelism());
    const workers = Array.from({ length: size }, () => startWorker());
    try {
      const backends = await Promise.all(
        workers.map(
          (w) =>
            new Promise<string>((resolve, reject) => {
              w.once('message', (m: WorkerReply) => (m.type === 'ready' ? resolve(m.backend) : reject(new PoolWorkerError(m.type === 'error' ? m.name : 'Error', m.type === 'error' ? m.message : 'unexpected reply'))));
              w.once('error', reject);
              w.postMessage({ type: 'init', model: options.model ?? 'inception_v3', backend: options.backend ?? 'wasm', threadsPerTile: options.threadsPerTile ?? 1, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
            }),
        ),
      );
      return new GradientPool(workers, backends[0]!, options.model ?? 'inception_v3');
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get size(): number {
    return this.workers.length;
  }

  /** d(objective)/d(tile) for one tile in the model's input range. */
  gradient(pixels: Float32Array, height: number, width: number, terms: ObjectiveTerms): Promise<TileGradient> {
    if (this.closed) return Promise.reject(new Error('The gradient pool is closed.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { type: 'gradient', id: this.nextId++, height, width, pixels, terms }, pending: { resolve, reject } });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const worker = this.idle.pop()!;
      const { request, pending } = this.queue.shift()!;
      this.inFlight.set(worker, { id: request.id, pending });
      worker.postMessage(request, [request.pixels.buffer as ArrayBuffer]);
    }
  }

  private onReply(worker: Worker, m: WorkerReply): void {
    const job = this.inFlight.get(worker);
    if (!job || m.type === 'ready') return;
    this.inFlight.delete(worker);
    this.idle.push(worker);
    if (m.type === 'result') {
      this.lastRoute = m.route ?? this.lastRoute;
      job.pending.resolve({ value: m.value, gradient: m.gradient });
    }
    else job.pending.reject(new PoolWorkerError(m.name, m.message));
    this.pump();
  }

  private onCrash(worker: Worker, err: Error): void {
    const job = this.inFlight.get(worker);
    this.inFlight.delete(worker);
    job?.pending.reject(err);
    // A dead worker takes the pool down: fail everything queued rather than hang.
    for (const q of this.queue.splice(0)) q.pending.reject(err);
    void this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error('The gradient pool was closed.');
    for (const q of this.queue.splice(0)) q.pending.reject(error);
    for (const job of this.inFlight.values()) job.pending.reject(error);
    this.inFlight.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
