// A gradient worker: its own tfjs backend (wasm instances are per thread) and its own copy of the model.
// It runs the same tile unit as the main thread (render/tileStep.ts), so a tile's bits do not depend
// on where it ran.
import { parentPort } from 'node:worker_threads';
import { initBackend } from '../backend.ts';
import { loadDreamModel } from '../model/load.ts';
import type { DreamModel } from '../shared/model.ts';
import { ownsBuffer, termsObjectives, tileGradient } from '../render/tileStep.ts';
import type { Objective } from '../objectives/objective.ts';
import type { GradientRequest, ObjectiveTerms, WorkerInit, WorkerReply } from './protocol.ts';

if (!parentPort) throw new Error('gradientWorker.ts must run in a worker thread.');
const port = parentPort;
let model: DreamModel | undefined;
let objectiveOf: ((terms: ObjectiveTerms) => Objective) | undefined;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', async (message: WorkerInit | GradientRequest) => {
  try {
    if (message.type === 'init') {
      const backend = await initBackend(message.backend);
      model = await loadDreamModel(message.model, message.cacheDir ? { cacheDir: message.cacheDir } : {});
      // The layout (parallel/layout.ts) decides the threads per tile; the pool's sessions run on the CPU with them.
      model.useDevice?.({ device: 'cpu', threads: message.threadsPerTile });
      objectiveOf = termsObjectives(model);
      reply({ type: 'ready', backend });
      return;
    }
    if (!model || !objectiveOf) throw new Error('worker used before init');
    const { value, gradient } = tileGradient(model, message.pixels, message.height, message.width, objectiveOf(message.terms));
    const out = ownsBuffer(gradient) ? gradient : gradient.slice();
    reply({ type: 'result', id: message.id, value, gradient: out, route: model.lastRoute ?? null }, [out.buffer as ArrayBuffer]);
  } catch (err) {
    const e = err as Error;
    reply({ type: 'error', id: message.type === 'gradient' ? message.id : null, name: e.name, message: e.message });
  }
});
