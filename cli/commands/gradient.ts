// `reverie gradient`: d(objective)/d(input) for an .npy input, to check our gradients against another framework.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { readNpy, writeNpy } from '../../engine/io/npy.ts';
import { writeFileAtomic } from '../../engine/io/atomic.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import { layerMean, sum } from '../../engine/objectives/objective.ts';
import { UsageError } from '../shared.ts';

export const gradientHelp = `reverie gradient --input x.npy --layers mixed3,mixed5 --out g.npy [--model M] [--backend B]

Reads a float32 NHWC array [1,H,W,3] in the model's input range ([-1,1] for InceptionV3), takes as
objective the sum over the named layers of each layer's mean activation, and writes
d(objective)/d(input) as float32 .npy of the same shape. Prints the objective value as JSON.`;

export async function gradientCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { input: { type: 'string' }, layers: { type: 'string' }, out: { type: 'string', short: 'o' }, model: { type: 'string' }, backend: { type: 'string' } } });
  if (!values.input || !values.layers || !values.out) throw new UsageError('gradient needs --input, --layers and --out.', gradientHelp);
  const { shape, data } = readNpy(await readFile(values.input), values.input);
  if (shape.length !== 4 || shape[0] !== 1 || shape[3] !== 3) throw new UsageError(`${values.input}: expected shape [1,H,W,3], got [${shape.join(',')}].`);
  const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
  const model = await loadDreamModel(values.model);
  try {
    const layers = values.layers.split(',').map((s) => s.trim()).filter(Boolean);
    const objective = sum(...layers.map(layerMean));
    const x = tf.tensor4d(data, shape as [number, number, number, number]);
    const started = performance.now();
    const { value, gradient } = model.valueAndGradient(x, objective.layers, objective.fn);
    const ms = performance.now() - started;
    const g = (await gradient.data()) as Float32Array;
    x.dispose();
    gradient.dispose();
    await writeFileAtomic(values.out, writeNpy(shape, g));
    // route: which executor computed it (tools comparing routes check the one they asked for ran).
    process.stdout.write(`${JSON.stringify({ objective: value, layers, shape, backend, route: model.lastRoute ?? 'tfjs', model: model.id, ms: Math.round(ms), out: values.out })}\n`);
  } finally {
    model.dispose();
  }
}
