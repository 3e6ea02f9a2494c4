// Dream-step time at 224x224 for each embedded model, with its default (curated) objective, as JSON on
// stdout and in bench/out/models.json. One step = forward to the recipe's layers + our input gradient.
// Run: node --import tsx bench/models.ts [--backend wasm] [--repeats 5] [--size 224]
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { EMBEDDED_MODELS } from '../engine/model/files/source.ts';
import { curatedRecipe } from '../engine/model/curated.ts';
import { recipeObjective } from '../engine/recipe/recipe.ts';
import { time } from './timing.ts';

const { values } = parseArgs({ options: { backend: { type: 'string' }, repeats: { type: 'string' }, size: { type: 'string' } } });
const repeats = Number(values.repeats ?? 5);
const size = Number(values.size ?? 224);

const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
const models: Record<string, unknown> = {};
for (const name of Object.keys(EMBEDDED_MODELS)) {
  const loadStart = performance.now();
  const model = await loadDreamModel(name);
  const loadMs = Math.round(performance.now() - loadStart);
  const recipe = curatedRecipe(name);
  const objective = recipeObjective(recipe);
  const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const step = await time(repeats, async () => {
    const { gradient } = model.valueAndGradient(x, objective.layers, objective.fn);
    await gradient.data();
    gradient.dispose();
  });
  const forward = await time(repeats, async () => {
    const acts = model.activations(x, objective.layers);
    await Promise.all(Object.values(acts).map((a) => a.data()));
    tf.dispose(Object.values(acts));
  });
  models[name] = { layers: objective.layers, dreamStepMs: step, forwardMs: forward, loadMs };
  x.dispose();
  model.dispose();
}

const result = { bench: 'models', backend, input: [size, size, 3], repeats, models };
const out = fileURLToPath(new URL('./out/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(`${out}models.json`, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
