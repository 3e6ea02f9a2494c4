// Recipes with class terms, end to end through dream(): the class's logit rises, mixed terms work, the
// worker pool gives the same pixels, curated recipes run on both embedded models, and nothing leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { writeTinyLayersModel } from './helpers/testModels.ts';
import { curatedRecipe, curatedModel } from '../engine/model/curated.ts';
import { dreamToEnd } from '../engine/render/dream.ts';
import { toModelRange } from '../engine/render/image.ts';
import { DEFAULT_RECIPE, parseClassTerm, parseRecipe, recipeObjective, RecipeError, type Recipe } from '../engine/recipe/recipe.ts';
import { GradientPool } from '../engine/parallel/gradientPool.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import type { RgbImage } from '../engine/shared/image.ts';

const LABELS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
let dir: string;
let tiny: DreamModel;
let folder: string;

function picture(width: number, height: number): RgbImage {
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (Math.sin(i * 0.013) * 0.5 + 0.5) * 255 * ((i % 3) / 3 + 0.3);
  return { width, height, rgb };
}

/** The logits the model gives an image, softmax-free. */
function logits(model: DreamModel, img: RgbImage): number[] {
  return tf.tidy(() => {
    const x = toModelRange(img, model.inputRange);
    return Array.from(model.activations(x, ['predictions'])['predictions']!.dataSync());
  });
}

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'reverie-models-dream-'));
  folder = join(dir, 'ten');
  await writeTinyLayersModel(folder, { classes: 10, seed: 4, userDefinedMetadata: { classLabels: LABELS } });
  tiny = await loadDreamModel(folder);
});
afterAll(async () => {
  tiny.dispose();
  await rm(dir, { recursive: true, force: true });
});

const classRecipe = (extra: Partial<Recipe> = {}): Recipe =>
  parseRecipe({ ...DEFAULT_RECIPE, model: folder, layers: [], classes: [{ name: 'seven', weight: 1 }], steps: 4, octaves: 1, jitter: 4, tileSize: 64, ...extra });

describe('dreaming toward a class', () => {
  it('raises that class (and a negative weight lowers it), alone and mixed with a layer term, leaking nothing', async () => {
    const input = picture(48, 40);
    const start = logits(tiny, input)[7]!;
    await dreamToEnd(tiny, input, classRecipe({ steps: 1 })); // the model's gradient kernels are prepared on first use
    const before = tf.memory().numTensors;
    const up = await dreamToEnd(tiny, input, classRecipe());
    expect(tf.memory().numTensors).toBe(before);
    const down = await dreamToEnd(tiny, input, classRecipe({ classes: [{ name: '#7', weight: -1 }] }));
    expect(logits(tiny, up)[7]!).toBeGreaterThan(start);
    expect(logits(tiny, down)[7]!).toBeLessThan(start);
    const mixed = await dreamToEnd(tiny, input, classRecipe({ layers: [{ name: 'mixed0', weight: 0.5 }] }));
    expect(Buffer.from(mixed.rgb.buffer).equals(Buffer.from(up.rgb.buffer))).toBe(false);
  });

  it('gives the same pixels with tiles across worker threads (class terms cross threads by name)', async () => {
    const recipe = classRecipe({ steps: 2 });
    const input = picture(120, 90);
    const local = await dreamToEnd(tiny, input, recipe);
    const pool = await GradientPool.start({ size: 2, backend: 'wasm', model: folder });
    try {
      const pooled = await dreamToEnd(tiny, input, recipe, { pool });
      expect(Buffer.from(pooled.rgb.buffer).equals(Buffer.from(local.rgb.buffer))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('needs the model to build class terms, and validates them in recipes', () => {
    expect(() => recipeObjective(classRecipe())).toThrow(/Class terms need the model/);
    expect(() => parseRecipe({ version: 1, classes: [{ name: '', weight: 1 }] })).toThrow(RecipeError);
    expect(() => parseRecipe({ version: 1, classes: [{ name: 'x', colour: 1 }] })).toThrow(/unknown field "colour"/);
    expect(() => parseRecipe({ version: 1, classes: 'jellyfish' })).toThrow(/must be lists/);
    // Recipes written before classes existed still read, as no classes.
    const { classes: _omit, ...old } = DEFAULT_RECIPE;
    expect(parseRecipe(old).classes).toEqual([]);
    expect(parseRecipe({ version: 1, layers: [], classes: [{ name: 'jellyfish' }] }).classes).toEqual([{ name: 'jellyfish', weight: 1 }]);
    expect(parseClassTerm('jellyfish')).toEqual({ name: 'jellyfish', weight: 1 });
    expect(parseClassTerm('sea anemone:0.5')).toEqual({ name: 'sea anemone', weight: 0.5 });
    expect(parseClassTerm('#107:-2')).toEqual({ name: '#107', weight: -2 });
    expect(() => parseClassTerm('jellyfish:lots')).toThrow(/name or name:weight/);
  });
});

describe('curated recipes', () => {
  it.each(['inception_v3', 'mobilenet_v2'])('%s: every curated layer exists and its default recipe dreams', async (name) => {
    const model = await loadDreamModel(name);
    try {
      const size = model.defaultInputSize;
      const listed = new Map(model.layers(size, size).map((l) => [l.name, l]));
      for (const l of curatedModel(name)!.layers) expect(listed.get(l.name)?.kind, l.name).toBe('block');
      for (const r of curatedModel(name)!.recipes) for (const t of r.recipe.layers ?? []) expect(listed.has(t.name), `${r.name}: ${t.name}`).toBe(true);
      const recipe = { ...curatedRecipe(name), steps: 1, octaves: 1 };
      expect(recipe.model).toBe(name);
      const input = picture(96, 80);
      const out = await dreamToEnd(model, input, recipe);
      expect(Buffer.from(out.rgb.buffer).equals(Buffer.from(input.rgb.buffer))).toBe(false);
      expect(() => curatedRecipe(name, 'nope')).toThrow(/has no curated recipe "nope"; it has: classic/);
    } finally {
      model.dispose();
    }
  });
});
