// A gradient worker: its own tfjs backend (wasm instances are per thread) and its own copy of the model.
// It runs the same tile unit as the main thread (render/tileStep.ts), so a tile's bits do not depend
// on where it ran.
import { parentPort } from 'node:worker_threads';
import { initBackend } from '../backend.ts';
import { loadDreamModel } from '../model/load.ts';
import type { DreamModel } from '../shared/model.ts';
import { ownsBuffer, termsObjective, tileGradient } from '../render/tileStep.ts';
import type { Objective } from '../objectives/objective.ts';
import type { GradientRequest, ObjectiveTerms, WorkerInit, WorkerReply } from './protocol.ts';

if (!parentPort) throw new Error('gradientWorker.ts must run in a worker thread.');
const port = parentPort;
let model: DreamModel | undefined;
/**
 * Objectives by their terms: the same terms get the same function, so the onnxruntime route's seeds
 * (kept per objective function) carry over from one request to the next. Few are alive at once.
 */
const objectives = new Map<string, Objective>();
function objectiveOf(m: DreamModel, terms: ObjectiveTerms): Objective {
  const key = JSON.stringify(terms);
  let o = objectives.get(key);
  if (!o) {
    if (objectives.size >= 64) objectives.delete(objectives.keys().next().value!);
    o = termsObjective(m, terms);
    objectives.set(key, o);
  }
  return o;
}

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
      reply({ type: 'ready', backend });
      return;
    }
    if (!model) throw new Error('worker used before init');
    const { value, gradient } = tileGradient(model, message.pixels, message.height, message.width, objectiveOf(model, message.terms));
    const out = ownsBuffer(gradient) ? gradient : gradient.slice();
    reply({ type: 'result', id: message.id, value, gradient: out, route: model.lastRoute ?? null }, [out.buffer as ArrayBuffer]);
  } catch (err) {
    const e = err as Error;
    reply({ type: 'error', id: message.type === 'gradient' ? message.id : null, name: e.name, message: e.message });
  }
});
