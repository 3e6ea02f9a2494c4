// A gradient worker: its own tfjs backend (wasm instances are per thread) and its own copy of the model.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend.ts';
import { loadDreamModel } from '../model/load.ts';
import { channelMean, layerMean, scale, sum } from '../objectives/objective.ts';
import { classObjective } from '../model/classes.ts';
import type { DreamModel } from '../shared/model.ts';
import type { GradientRequest, ObjectiveTerms, WorkerInit, WorkerReply } from './protocol.ts';
import { setOrtThreads } from '../accel/ort.ts';

if (!parentPort) throw new Error('gradientWorker.ts must run in a worker thread.');
const port = parentPort;
// The pool already puts one worker on each core: each worker's onnxruntime session gets one thread.
setOrtThreads(1);
let model: DreamModel | undefined;

function objectiveOf(terms: ObjectiveTerms, m: DreamModel) {
  return sum(
    ...terms.layers.map((l) => scale(layerMean(l.name), l.weight)),
    ...terms.channels.map((c) => scale(channelMean(c.layer, c.index), c.weight)),
    ...(terms.classes ?? []).map((c) => classObjective(m, c.name, c.weight)),
  );
}

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', async (message: WorkerInit | GradientRequest) => {
  try {
    if (message.type === 'init') {
      const backend = await initBackend(message.backend);
      model = await loadDreamModel(message.model);
      reply({ type: 'ready', backend });
      return;
    }
    if (!model) throw new Error('worker used before init');
    const objective = objectiveOf(message.terms, model);
    const x = tf.tensor4d(message.pixels, [1, message.height, message.width, 3]);
    try {
      const { value, gradient } = model.valueAndGradient(x, objective.layers, objective.fn);
      const data = gradient.dataSync() as Float32Array;
      gradient.dispose();
      const out = new Float32Array(data); // own buffer, so it can be transferred
      reply({ type: 'result', id: message.id, value, gradient: out }, [out.buffer]);
    } finally {
      x.dispose();
    }
  } catch (err) {
    const e = err as Error;
    reply({ type: 'error', id: message.type === 'gradient' ? message.id : null, name: e.name, message: e.message });
  }
});
