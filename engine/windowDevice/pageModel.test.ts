// The window's model, built from the files the host serves (model.json's topology and specs, the
// weights as one binary), gives the engine's own gradient for a tile (recipe terms, a feature image's
// target; class logits in tests/windowClasses.test.ts), leaves no tensors behind, and refuses what it cannot run
// (graph models, unresolved class names) with the reason. Here on wasm; the page
// runs the same code on WebGL2 (tests/e2e/windowGradient.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend.ts';
import { loadModelFiles } from '../model/files/source.ts';
import { loadDreamModel } from '../model/load.ts';
import { termsObjective, tileGradient } from '../render/tileStep.ts';
import type { DreamModel } from '../shared/model.ts';
import { seededRandom } from '../shared/random.ts';
import { relL2 } from '../../tests/helpers/numeric.ts';
import { PageModel } from './pageModel.ts';

let page: PageModel;
let engine: DreamModel;

beforeAll(async () => {
  await initBackend('wasm');
  const files = await loadModelFiles('inception_v3');
  // As the host serves them: JSON text, then the weights' bytes.
  const json = JSON.parse(JSON.stringify({ format: files.format, modelTopology: files.modelTopology, weightSpecs: files.weightSpecs }));
  page = PageModel.fromFiles('inception_v3', json, files.weightData.slice(0));
  engine = await loadDreamModel('inception_v3');
  engine.useDevice?.({ device: 'cpu', native: false });
}, 120_000);

afterAll(() => {
  engine?.dispose();
  // Disposing gives back everything the page model held: its graph and prepared kernels.
  const before = tf.memory().numTensors;
  page?.dispose();
  expect(tf.memory().numTensors).toBeLessThan(before);
});

describe('PageModel', () => {
  const terms = { layers: [{ name: 'mixed3', weight: 1 }], channels: [{ layer: 'mixed2', index: 5, weight: 0.5 }] };

  it("gives the engine's gradient for a tile and leaks no tensors", async () => {
    const rand = seededRandom(3);
    const [h, w] = [96, 112];
    const pixels = Float32Array.from({ length: h * w * 3 }, () => rand() * 2 - 1);
    // The first pass prepares each node's backward kernels once (kept until dispose); later ones add nothing.
    await page.gradient(pixels, h, w, terms);
    const before = tf.memory().numTensors;
    const ours = await page.gradient(pixels, h, w, terms);
    expect(tf.memory().numTensors).toBe(before);
    const theirs = tileGradient(engine, pixels, h, w, termsObjective(engine, terms));
    expect(engine.lastRoute).toBe('tfjs');
    expect(ours.gradient).toHaveLength(h * w * 3);
    // The same executor and ops on the same backend: the same numbers.
    expect(relL2(ours.gradient, theirs.gradient)).toBeLessThan(1e-6);
    expect(ours.value).toBeCloseTo(theirs.value, 5);
  });

  it('prepares every backward kernel in one pass, after which gradients add no tensors', async () => {
    const files = await loadModelFiles('inception_v3');
    const fresh = PageModel.fromFiles('inception_v3', { format: files.format, modelTopology: files.modelTopology, weightSpecs: files.weightSpecs }, files.weightData.slice(0));
    try {
      fresh.prepare();
      const before = tf.memory().numTensors;
      await fresh.gradient(new Float32Array(96 * 96 * 3).fill(0.25), 96, 96, { layers: [{ name: 'mixed5', weight: 1 }], channels: [] });
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      fresh.dispose();
    }
  });

  it("gives the engine's gradient for a feature image's target, and leaks no tensors", async () => {
    const rand = seededRandom(5);
    const [h, w] = [96, 96];
    const pixels = Float32Array.from({ length: h * w * 3 }, () => rand() * 2 - 1);
    const cases = [
      { what: 'a redirected channel', ours: { layers: [], channels: [], feature: { layer: 'mixed3', channel: 4 } }, theirs: termsObjective(engine, { layers: [], channels: [], feature: { layer: 'mixed3', channel: 4 } }) },
      { what: 'a neuron', ours: { layers: [], channels: [], feature: { layer: 'mixed2', channel: 7, neuron: true } }, theirs: termsObjective(engine, { layers: [], channels: [], feature: { layer: 'mixed2', channel: 7, neuron: true } }) },
    ];
    for (const c of cases) {
      await page.gradient(pixels, h, w, c.ours);
      const before = tf.memory().numTensors;
      const ours = await page.gradient(pixels, h, w, c.ours);
      expect(tf.memory().numTensors, c.what).toBe(before);
      const theirs = tileGradient(engine, pixels, h, w, c.theirs);
      // A silent centre unit has a zero gradient (relL2 is then undefined): the page's must be zero too.
      if (theirs.gradient.every((v) => v === 0)) expect(ours.gradient.every((v) => v === 0), c.what).toBe(true);
      else expect(relL2(ours.gradient, theirs.gradient), c.what).toBeLessThan(1e-6);
      expect(ours.value, c.what).toBeCloseTo(theirs.value, 5);
    }
  });

  it('refuses unresolved class names and graph models with the reason', async () => {
    const pixels = new Float32Array(80 * 80 * 3);
    await expect(page.gradient(pixels, 80, 80, { ...terms, classes: [{ name: 'tabby', weight: 1 }] })).rejects.toThrow(/class terms reach the window as logits/);
    expect(() => PageModel.fromFiles('g', { format: 'graph-model', modelTopology: {}, weightSpecs: [] }, new ArrayBuffer(0))).toThrow(/layers models only/);
  });
});
