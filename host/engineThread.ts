// Worker-thread entry for the engine (browser mode and tests); Electron uses main/engineProcess.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { serveEngine, type EngineOptions } from './engineWorker.ts';
import type { EngineMessage, HostMessage } from './protocol.ts';

const port = parentPort!;
serveEngine(
  {
    post: (message: EngineMessage) => port.postMessage(message),
    listen: (handler: (message: HostMessage) => void) => port.on('message', handler),
  },
  workerData as EngineOptions,
);
