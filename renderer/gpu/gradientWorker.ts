// The window's gradient worker: tfjs on webgl or webgpu, the engine's graph executor and our own
// backward ops (engine/windowDevice/pageModel.ts). One tile at a time, in arrival order.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the objective's (mean, slice, mul) need them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { PageModel } from '../../engine/windowDevice/pageModel.ts';
import type { WindowBackend } from '../../engine/windowDevice/protocol.ts';
import { useBackend } from './backends.ts';
import type { FromWorker, ToWorker } from './workerMessages.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

let model: PageModel | null = null;
let backend: WindowBackend | null = null;
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker): void {
  scope.postMessage(message, message.type === 'result' ? [message.gradient.buffer as ArrayBuffer] : []);
}

async function load(message: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  const started = performance.now();
  try {
    const adapter = await useBackend(message.backend);
    backend = message.backend;
    model?.dispose();
    model = PageModel.fromFiles(message.modelId, message.json, message.weights);
    post({ type: 'ready', backend: message.backend, adapter, modelId: message.modelId, loadMs: Math.round(performance.now() - started) });
  } catch (err) {
    post({ type: 'error', id: null, message: (err as Error).message });
  }
}

/** A lost WebGL context returns zeros, not errors: results after a loss must not count. */
function contextLost(): boolean {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  return gl?.isContextLost() ?? false;
}

function gradient(message: Extract<ToWorker, { type: 'gradient' }>): void {
  try {
    if (!model || !backend) throw new Error('The window has no model loaded.');
    if (tf.getBackend() !== backend) throw new Error(`tfjs switched to ${tf.getBackend()}.`);
    const r = model.gradient(message.pixels, message.height, message.width, message.terms);
    if (contextLost()) {
      post({ type: 'error', id: null, message: 'The window lost its WebGL context.' });
      return;
    }
    post({ type: 'result', id: message.id, value: r.value, gradient: r.gradient, backend });
  } catch (err) {
    post({ type: 'error', id: message.id, message: (err as Error).message });
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  queue = queue.then(() => (message.type === 'load' ? load(message) : gradient(message)));
};
