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
    model?.dispose();
    model = null;
    let adapter;
    if (message.backend === 'webgpu') {
      // Built and its backward kernels derived on the cpu backend (they need synchronous reads), then
      // moved to the GPU on first use; webgpu itself is only ever read asynchronously.
      await import('@tensorflow/tfjs-backend-cpu');
      if (!(await tf.setBackend('cpu'))) throw new Error('tfjs could not start its cpu backend to prepare the model.');
      model = PageModel.fromFiles(message.modelId, message.json, message.weights);
      model.prepare();
      adapter = await useBackend('webgpu');
    } else {
      adapter = await useBackend(message.backend);
      model = PageModel.fromFiles(message.modelId, message.json, message.weights);
    }
    backend = message.backend;
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

async function gradient(message: Extract<ToWorker, { type: 'gradient' }>): Promise<void> {
  try {
    if (!model || !backend) throw new Error('The window has no model loaded.');
    if (tf.getBackend() !== backend) throw new Error(`tfjs switched to ${tf.getBackend()}.`);
    const r = await model.gradient(message.pixels, message.height, message.width, message.terms);
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
