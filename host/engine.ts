// The host's handle on its engine worker: status, the layer list, and running one job at a time.
// A worker that dies fails the job in hand and is started afresh for the next one.
import type { BackendChoice } from '../engine/backend.ts';
import type { DeviceSetting } from '../engine/shared/device.ts';
import type { EngineStatus, LayerChoice } from '../contract/types.ts';
import { ReverieError } from '../engine/shared/errors.ts';
import { JobFailedError, type CallSpec, type ClassHeadInfo, type DoneMessage, type EngineMessage, type HostMessage, type JobSpec, type ProgressMessage, type WindowTileReply, type WindowTileRequest } from './protocol.ts';

/** One started worker, whatever carries its messages (worker thread or utility process). */
export interface EngineLink {
  post(message: HostMessage): void;
  onMessage(handler: (message: EngineMessage) => void): void;
  onExit(handler: (detail: string) => void): void;
  stop(): Promise<void>;
}
/** What a worker loads: the model, and the backend unless the launcher pins one. */
export interface EngineSpec {
  model: string;
  backend?: BackendChoice;
  /** Where dream steps run (auto: a real GPU when one answers, else the CPU; window: the app window's GPU). */
  device?: DeviceSetting;
  /** Where downloaded models are cached (the host's model list reads the same folder). */
  cacheDir?: string;
}
export type LaunchEngine = (spec: EngineSpec) => EngineLink;

// What the user sees of the engine's own state: each passes (start again, wait, the job was stopped).
export class EngineCrashedError extends ReverieError {
  override name = 'EngineCrashedError';
  constructor(message: string) {
    super(message, { hint: 'Start the job again; a very large image may need a smaller size or tile.' });
  }
}
export class EngineRestartedError extends ReverieError {
  override name = 'EngineRestartedError';
}
export class JobCancelledError extends ReverieError {
  override name = 'JobCancelledError';
}

interface Running {
  jobId: string;
  onProgress: (p: ProgressMessage) => void;
  resolve: (done: DoneMessage) => void;
  reject: (err: Error) => void;
}

export interface EngineSettings {
  appVersion: string;
  previewIntervalMs: number;
}

export class Engine {
  status: EngineStatus = { state: 'starting' };
  layers: LayerChoice[] = [];
  /** The loaded model's class head (labels to search), or why it has none. */
  classes: ClassHeadInfo = { labels: null, reason: 'The model is not loaded yet.' };
  /** What the next worker loads; select() changes it. */
  spec: EngineSpec;
  private link: EngineLink | undefined;
  private running: Running | undefined;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private readonly calls = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();
  private nextCall = 1;
  private stopping = false;
  /** Computes a tile the worker sends to the window device (the service wires it to WindowDevice). */
  windowTile: (tile: WindowTileRequest) => Promise<WindowTileReply> = async (tile) => ({ type: 'window-tile-result', tileId: tile.tileId, ok: false, message: 'This host has no window device.' });

  constructor(
    private readonly launch: LaunchEngine,
    private readonly settings: EngineSettings,
    private readonly onStatus: (status: EngineStatus) => void,
    spec: EngineSpec = { model: 'inception_v3' },
  ) {
    this.spec = { ...spec };
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  start(): void {
    if (this.link || this.stopping) return;
    this.setStatus({ state: 'starting', modelId: this.spec.model });
    const link = this.launch(this.spec);
    this.link = link;
    // A worker replaced by restart() may still be talking: only the current one is heard.
    link.onMessage((m) => {
      if (this.link === link) this.onMessage(m);
    });
    link.onExit((detail) => {
      if (this.link !== link) return;
      this.link = undefined;
      if (this.stopping) return;
      const error = new EngineCrashedError(`The engine stopped unexpectedly (${detail}). Start the job again; the engine restarts.`);
      this.setStatus({ state: 'failed', error: { name: error.name, message: error.message } });
      this.running?.reject(error);
      this.running = undefined;
      this.failCalls(error);
    });
  }

  /** Resolves once the model is loaded; rejects with the load error. */
  whenReady(): Promise<void> {
    if (this.status.state === 'ready' && this.link) return Promise.resolve();
    this.start();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  run(job: JobSpec, onProgress: (p: ProgressMessage) => void): Promise<DoneMessage> {
    if (this.running) return Promise.reject(new Error(`The engine is busy with job ${this.running.jobId}.`));
    this.start();
    return new Promise((resolve, reject) => {
      this.running = { jobId: job.jobId, onProgress, resolve, reject };
      this.link!.post({ type: 'job', job, ...this.settings });
    });
  }

  /** A quick project edit in the worker, answered between a running job's steps. */
  call(call: CallSpec): Promise<unknown> {
    this.start();
    const callId = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.calls.set(callId, { resolve, reject });
      this.link!.post({ type: 'call', callId, call, appVersion: this.settings.appVersion });
    });
  }

  cancel(jobId: string): void {
    if (this.running?.jobId === jobId) this.link?.post({ type: 'cancel', jobId });
  }

  /**
   * Loads another model (or the same on another backend) in a fresh worker: the old one and all its
   * memory go. Refused while a job runs; quick calls in flight fail; whenReady() waits for the new one.
   */
  async restart(spec: EngineSpec): Promise<void> {
    if (this.running) throw new EngineRestartedError(`The engine is busy with job ${this.running.jobId}; cancel it or wait before switching.`);
    this.spec = { ...spec };
    const old = this.link;
    this.link = undefined;
    this.failCalls(new EngineRestartedError('The engine restarted with another model; try again.'));
    if (old) await old.stop();
    this.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.link?.stop();
    this.link = undefined;
  }

  private setStatus(status: EngineStatus): void {
    this.status = status;
    this.onStatus(status);
  }

  private failCalls(error: Error): void {
    for (const c of this.calls.values()) c.reject(error);
    this.calls.clear();
  }

  private onMessage(m: EngineMessage): void {
    if (m.type === 'window-tile') {
      const link = this.link;
      void this.windowTile(m).then((reply) => {
        if (this.link === link) link?.post(reply);
      });
      return;
    }
    if (m.type === 'device-ran') {
      const s = this.status;
      if (s.state === 'ready' && (s.device !== m.device || s.accelerator !== m.accelerator)) this.setStatus({ ...s, device: m.device, accelerator: m.accelerator });
      return;
    }
    if (m.type === 'reply') {
      const pending = this.calls.get(m.callId);
      this.calls.delete(m.callId);
      if (m.ok) pending?.resolve(m.value);
      else pending?.reject(new JobFailedError(m.error));
      return;
    }
    if (m.type === 'ready' || m.type === 'start-failed') {
      const waiters = this.waiters.splice(0);
      if (m.type === 'ready') {
        this.layers = m.layers;
        this.classes = m.classes;
        this.setStatus({ state: 'ready', backend: m.backend, modelId: m.modelId, loadMs: m.loadMs, accelerator: m.accelerator, device: m.device ?? null });
        for (const w of waiters) w.resolve();
        return;
      }
      // A worker without a model is no use: drop it, so the next request starts a fresh one.
      const link = this.link;
      this.link = undefined;
      void link?.stop();
      this.setStatus({ state: 'failed', error: m.error });
      const error = new JobFailedError(m.error);
      for (const w of waiters) w.reject(error);
      this.running?.reject(error);
      this.running = undefined;
      this.failCalls(error);
      return;
    }
    const job = this.running;
    if (!job || job.jobId !== m.jobId) return;
    if (m.type === 'progress') {
      job.onProgress(m);
      return;
    }
    this.running = undefined;
    if (m.type === 'done') job.resolve(m);
    else if (m.type === 'cancelled') job.reject(new JobCancelledError('Cancelled.'));
    else job.reject(new JobFailedError(m.error));
  }
}
