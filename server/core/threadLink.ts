// Starts the engine in a Node worker thread running the TypeScript sources through tsx.
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../../engine/backend.ts';
import type { EngineLink, LaunchEngine } from './engine.ts';
import type { EngineMessage } from './protocol.ts';

export function threadEngine(options: { backend?: BackendChoice; model?: string } = {}): LaunchEngine {
  return (): EngineLink => {
    const worker = new Worker(new URL('./engineThread.mjs', import.meta.url), {
      workerData: { backend: options.backend ?? 'auto', model: options.model ?? 'inception_v3' },
    });
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
