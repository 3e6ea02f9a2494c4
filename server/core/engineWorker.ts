// The engine's worker body, the same under a Node worker thread and an Electron utility process:
// loads the model once, then runs the jobs the host sends, one at a time, until cancelled.
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import type { DreamModel } from '../../engine/model/types.ts';
import { runDreamJob } from './dreamJob.ts';
import { errorInfo, type HostMessage, type WorkerPort } from './protocol.ts';

export interface EngineOptions {
  backend: BackendChoice;
  model: string;
}

export function serveEngine(port: WorkerPort, options: EngineOptions): void {
  const running = new Map<string, AbortController>();
  const ready = (async () => {
    const backend = await initBackend(options.backend);
    const started = performance.now();
    const model: DreamModel = await loadDreamModel(options.model);
    return { backend, model, loadMs: Math.round(performance.now() - started) };
  })();

  port.listen((message: HostMessage) => {
    if (message.type === 'cancel') {
      running.get(message.jobId)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(message.jobId, controller);
    void (async () => {
      try {
        const { model, backend } = await ready;
        const done = await runDreamJob(message, {
          model,
          backend,
          appVersion: message.appVersion,
          previewIntervalMs: message.previewIntervalMs,
          signal: controller.signal,
          onProgress: (p) => port.post(p),
        });
        port.post(done);
      } catch (err) {
        port.post(controller.signal.aborted ? { type: 'cancelled', jobId: message.jobId } : { type: 'failed', jobId: message.jobId, error: errorInfo(err) });
      } finally {
        running.delete(message.jobId);
      }
    })();
  });

  ready.then(
    ({ backend, model, loadMs }) => {
      const layers = model
        .layers(model.defaultInputSize, model.defaultInputSize)
        .filter((l) => l.kind === 'block')
        .map(({ name, channels, training }) => ({ name, channels, training }));
      port.post({ type: 'ready', backend, modelId: model.id, loadMs, layers });
    },
    (err: unknown) => port.post({ type: 'start-failed', error: errorInfo(err) }),
  );
}
