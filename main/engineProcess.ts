// Utility-process entry for the engine: the same worker body as the Node worker thread.
import { parseArgs } from 'node:util';
import type { BackendChoice, DeviceChoice } from '../contract/models.ts';
import { serveEngine } from '../host/engineWorker.ts';
import type { HostMessage } from '../host/protocol.ts';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('main/engineProcess runs as an Electron utility process.');
const { values } = parseArgs({ options: { backend: { type: 'string', default: 'auto' }, model: { type: 'string', default: 'inception_v3' }, 'cache-dir': { type: 'string' }, device: { type: 'string' } } });
serveEngine(
  {
    post: (message) => parentPort.postMessage(message),
    listen: (handler) => parentPort.on('message', (event) => handler(event.data as HostMessage)),
  },
  { backend: values.backend as BackendChoice, model: values.model, ...(values.device ? { device: values.device as DeviceChoice } : {}), ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}) },
);
