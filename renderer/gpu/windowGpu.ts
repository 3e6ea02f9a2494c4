// The page's side of the window device: one gradient worker, started on the host's request with the
// model's files, answering tiles. A worker that dies fails what it held and reports the device lost.
import type { WindowModelJson } from '../../engine/windowDevice/pageModel.ts';
import type { FromWindow, ToWindow } from '../../engine/windowDevice/protocol.ts';
import type { FromWorker, ToWorker } from './workerMessages.ts';

export type ModelFetch = (name: 'model.json' | 'weights.bin') => Promise<Response>;

export class WindowGpu {
  private worker: Worker | null = null;

  /** `reply` gets every message for the host, in the order the worker sends them. */
  constructor(
    private readonly fetchModel: ModelFetch,
    private readonly reply: (message: FromWindow) => void,
  ) {}

  async handle(message: Exclude<ToWindow, { type: 'heard' }>): Promise<void> {
    if (message.type === 'stop') return this.stop();
    if (message.type === 'gradient') {
      if (!this.worker) return this.reply({ type: 'error', id: message.id, message: 'The window device is not started.' });
      this.post({ ...message }, [message.pixels.buffer as ArrayBuffer]);
      return;
    }
    this.stop();
    let json: WindowModelJson;
    let weights: ArrayBuffer;
    try {
      const [j, w] = await Promise.all([this.fetchModel('model.json'), this.fetchModel('weights.bin')]);
      if (!j.ok || !w.ok) throw new Error(`the host answered ${j.ok ? w.status : j.status} for the model's files`);
      [json, weights] = [(await j.json()) as WindowModelJson, await w.arrayBuffer()];
    } catch (err) {
      return this.reply({ type: 'error', id: null, message: `The window could not read the model: ${(err as Error).message}` });
    }
    const worker = new Worker(new URL('./gradientWorker.ts', import.meta.url), { type: 'module' });
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.reply(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      if (this.worker !== worker) return;
      this.stop();
      this.reply({ type: 'error', id: null, message: `The window's gradient worker failed: ${event.message}` });
    };
    this.post({ type: 'load', backend: message.backend, modelId: message.modelId, json, weights }, [weights]);
  }

  private post(message: ToWorker, transfer: Transferable[]): void {
    this.worker?.postMessage(message, transfer);
  }

  stop(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
