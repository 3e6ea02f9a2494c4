// The engine's worker body, the same under a Node worker thread and an Electron utility process:
// loads the model once, runs the jobs the host sends one at a time until cancelled, and answers
// quick project calls (which need the backend's name, never the model) meanwhile.
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { DeviceUnavailableError } from '../engine/accel/providers.ts';
import type { DeviceSetting } from '../engine/shared/device.ts';
import { windowAccelerator, WindowTileClient } from './windowTiles.ts';
import { isWindowDevice, windowBackendChoice } from '../engine/windowDevice/choice.ts';
import { classHead } from '../engine/model/classes.ts';
import { curatedModel } from '../engine/model/curated.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import type { LayerChoice } from '../contract/types.ts';
import { runDreamJob, type JobContext } from './dreamJob.ts';
import { runInspectJob } from './inspectJob.ts';
import { runCall } from './projectCalls.ts';
import { workerErrorInfo, type ClassHeadInfo, type HostMessage, type JobOutput, type JobSpec, type WorkerPort } from './protocol.ts';
import { runVideoJob } from './videoJob.ts';
import { PoolKeeper } from '../engine/parallel/poolKeeper.ts';
import { runSessionDream, runZoomJob, runZoomPreview } from './zoomJob.ts';

export interface EngineOptions {
  backend: BackendChoice;
  /** Where dream steps run; a saved device this machine no longer offers falls back to auto, and says so. */
  device?: DeviceSetting;
  model: string;
  /** Where downloaded models are cached (default: $REVERIE_CACHE_DIR, else ~/.cache/reverie/models). */
  cacheDir?: string;
}

/** The layers a picker offers: the model's curated list with its notes, else its named blocks. */
export function layerChoices(model: DreamModel): LayerChoice[] {
  const notes = new Map(curatedModel(model.id)?.layers.map((l) => [l.name, l.note]));
  return model
    .layers(model.defaultInputSize, model.defaultInputSize)
    .filter((l) => l.kind === 'block')
    .map(({ name, channels, training }) => ({ name, channels, training, ...(notes.has(name) ? { note: notes.get(name)! } : {}) }));
}

export function classHeadInfo(model: DreamModel): ClassHeadInfo {
  try {
    const head = classHead(model);
    return { labels: [...head.labels], source: head.source };
  } catch (err) {
    return { labels: null, reason: (err as Error).message };
  }
}

async function runJob(job: JobSpec, ctx: JobContext, model: () => Promise<DreamModel>): Promise<JobOutput> {
  switch (job.kind) {
    case 'dream':
      return runDreamJob(job, { ...ctx, model: await model() });
    case 'zoom':
      return runZoomJob(job, { ...ctx, model: await model() });
    case 'zoom-preview':
      return runZoomPreview(job, { ...ctx, model: await model() });
    case 'session-dream':
      return runSessionDream(job, { ...ctx, model: await model() });
    case 'inspect':
      return runInspectJob(job, { ...ctx, model: await model() });
    case 'video':
    case 'session-video':
      // Videos need ffmpeg, not the model: they work even where the model failed to load.
      return runVideoJob(job, ctx);
  }
}

export function serveEngine(port: WorkerPort, options: EngineOptions): void {
  const running = new Map<string, AbortController>();
  // The window device: dream tiles go to the host (and the app window's GPU); the CPU route stands behind.
  const windowTiles = isWindowDevice(options.device) ? new WindowTileClient((m) => port.post(m), windowBackendChoice(options.device)) : undefined;
  const backendReady = initBackend(options.backend);
  // Tiled jobs spread over worker threads as the engine's layout decides; started on first need.
  const pools = backendReady.then((backend) => new PoolKeeper({ model: options.model, backend, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) }));
  const ready = (async () => {
    const backend = await backendReady;
    const started = performance.now();
    const model: DreamModel = await loadDreamModel(options.model, options.cacheDir ? { cacheDir: options.cacheDir } : {});
    try {
      model.useDevice?.({ device: isWindowDevice(options.device) ? 'cpu' : (options.device ?? 'auto') });
    } catch (err) {
      if (!(err instanceof DeviceUnavailableError)) throw err;
      model.useDevice?.({ device: 'auto' });
    }
    return { backend, model, loadMs: Math.round(performance.now() - started) };
  })();

  port.listen((message: HostMessage) => {
    if (message.type === 'window-tile-result') {
      windowTiles?.receive(message);
      return;
    }
    if (message.type === 'cancel') {
      running.get(message.jobId)?.abort();
      return;
    }
    if (message.type === 'call') {
      const { callId } = message;
      backendReady
        .then((backend) =>
          runCall(message.call, backend, message.appVersion, () =>
            ready.then(
              (r) => r.model,
              () => undefined,
            ),
          ),
        )
        .then(
          (value) => port.post({ type: 'reply', callId, ok: true, value }),
          (err: unknown) => port.post({ type: 'reply', callId, ok: false, error: workerErrorInfo(err) }),
        );
      return;
    }
    const { job } = message;
    const controller = new AbortController();
    running.set(job.jobId, controller);
    void (async () => {
      try {
        const backend = await backendReady;
        const ctx: JobContext = {
          backend,
          appVersion: message.appVersion,
          previewIntervalMs: message.previewIntervalMs,
          signal: controller.signal,
          onProgress: (p) => port.post(p),
          pools: await pools,
          ...(windowTiles ? { windowTiles } : {}),
          onDevice: (device, accelerator) => port.post({ type: 'device-ran', device, accelerator }),
        };
        const output = await runJob(job, ctx, async () => (await ready).model);
        port.post({ type: 'done', jobId: job.jobId, output });
      } catch (err) {
        port.post(controller.signal.aborted ? { type: 'cancelled', jobId: job.jobId } : { type: 'failed', jobId: job.jobId, error: workerErrorInfo(err) });
      } finally {
        running.delete(job.jobId);
      }
    })();
  });

  ready.then(
    ({ backend, model, loadMs }) => {
      const accelerator = windowTiles ? windowAccelerator(model.accelerator ?? null, windowTiles.choice) : (model.accelerator ?? null);
      port.post({ type: 'ready', backend, modelId: model.id, loadMs, accelerator, device: windowTiles ? 'window' : (model.device?.device ?? null), layers: layerChoices(model), classes: classHeadInfo(model) });
    },
    (err: unknown) => port.post({ type: 'start-failed', error: workerErrorInfo(err) }),
  );
}
