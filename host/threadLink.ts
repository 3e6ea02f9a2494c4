// Starts the engine in a Node worker thread running the TypeScript sources through tsx.
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../engine/backend.ts';
import type { EngineLink, LaunchEngine } from './engine.ts';
import type { EngineOptions } from './engineWorker.ts';
import type { EngineMessage } from './protocol.ts';

/** `backend`, when given, pins every worker to it (a launch flag or a test); else each loads the spec's. */
export function threadEngine(options: { backend?: BackendChoice } = {}): LaunchEngine {
  return (spec): EngineLink => {
    const workerData: EngineOptions = { backend: options.backend ?? spec.backend ?? 'auto', model: spec.model, ...(spec.device ? { device: spec.device } : {}), ...(spec.cacheDir ? { cacheDir: spec.cacheDir } : {}) };
    const worker = new Worker(new URL('./engineThread.mjs', import.meta.url), { workerData });
    return {
      post: (message) => worker.postMessage(message),
      onMessage: (handler) => worker.on('message', (m: EngineMessage) => handler(m)),
      onExit: (handler) => {
        worker.on('error', (err) => handler(`${err.name}: ${err.message}`));
        worker.on('exit', (code) => handler(`exit code ${code}`));
      },
      stop: async () => {
        await worker.terminate();
      },
    };
  };
}
