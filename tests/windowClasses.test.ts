// Class terms and feature images on the window device, end to end in one process: the engine thread's
// tile source resolves class names to logits on the model's head (the page has no labels), the page's
// model (PageModel on wasm here, WebGL2/WebGPU in the window) computes with them, and the gradient is
// the CPU route's. A feature image's tiles are counted by where they ran (its cache key). No leaks.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { loadModelFiles } from '../engine/model/files/source.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import type { ObjectiveTerms } from '../engine/parallel/protocol.ts';
import { termsObjective, tileGradient } from '../engine/render/tileStep.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import { seededRandom } from '../engine/shared/random.ts';
import { PageModel } from '../engine/windowDevice/pageModel.ts';
import type { EngineMessage, WindowTileRequest } from '../host/protocol.ts';
import { WindowTileClient, WindowTileSource } from '../host/windowTiles.ts';
import { relL2 } from './helpers/numeric.ts';
import { writeTinyLayersModel } from './helpers/testModels.ts';

const LABELS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const adapter = { name: 'SwiftShader (WebGL2)', software: true };
let dir: string;
let engine: DreamModel;
let page: PageModel;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'reverie-window-classes-'));
  const folder = join(dir, 'ten');
  await writeTinyLayersModel(folder, { classes: 10, seed: 4, userDefinedMetadata: { classLabels: LABELS } });
  engine = await loadDreamModel(folder);
  const files = await loadModelFiles(folder);
  page = PageModel.fromFiles('ten', JSON.parse(JSON.stringify({ format: files.format, modelTopology: files.modelTopology, weightSpecs: files.weightSpecs })), files.weightData.slice(0));
}, 120_000);

afterAll(async () => {
  page?.dispose();
  engine?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** A host whose window is `page`: each tile the engine sends is computed there and answered. */
function windowOn(model: PageModel): { source: WindowTileSource; sent: WindowTileRequest[]; fallbacks: string[] } {
  const sent: WindowTileRequest[] = [];
  const post = (m: EngineMessage): void => {
    if (m.type !== 'window-tile') return;
    sent.push(m);
    model.gradient(m.pixels, m.height, m.width, m.terms).then(
      (r) => client.receive({ type: 'window-tile-result', tileId: m.tileId, ok: true, value: r.value, gradient: r.gradient, backend: 'webgl', adapter }),
      (err: Error) => client.receive({ type: 'window-tile-result', tileId: m.tileId, ok: false, message: err.message }),
    );
  };
  const client: WindowTileClient = new WindowTileClient(post, 'webgl');
  const fallbacks: string[] = [];
  return { source: new WindowTileSource(client, engine, (r) => fallbacks.push(r)), sent, fallbacks };
}

describe('the window device with class terms and feature images', () => {
  it("class terms go to the window as logits and give the CPU route's gradient", async () => {
    const { source, sent, fallbacks } = windowOn(page);
    const [h, w] = [48, 40];
    const rand = seededRandom(9);
    const pixels = Float32Array.from({ length: h * w * 3 }, () => rand() * 2 - 1);
    const terms: ObjectiveTerms = { layers: [{ name: 'mixed0', weight: 0.5 }], channels: [], classes: [{ name: 'seven', weight: 1 }, { name: '#2', weight: -0.5 }] };
    await source.gradient(pixels, h, w, terms); // the page's backward kernels are prepared on first use
    const before = tf.memory().numTensors;
    const ours = await source.gradient(pixels, h, w, terms);
    expect(tf.memory().numTensors).toBe(before);
    expect(fallbacks).toEqual([]);
    expect(source.windowTiles).toBe(2);
    // Names never cross: the page gets each class's logit on the head.
    expect(sent[0]!.terms.classes).toBeUndefined();
    expect(sent[0]!.terms.logits?.map((l) => [l.logit, l.weight, l.label])).toEqual([[7, 1, 'seven'], [2, -0.5, 'two']]);
    const theirs = tileGradient(engine, pixels, h, w, termsObjective(engine, terms));
    expect(relL2(ours.gradient, theirs.gradient)).toBeLessThan(1e-6);
    expect(ours.value).toBeCloseTo(theirs.value, 5);
  });

  it('a class name the head lacks sends the job to the CPU route, which reports it', async () => {
    const { source, fallbacks } = windowOn(page);
    const pixels = new Float32Array(48 * 40 * 3);
    await expect(source.gradient(pixels, 48, 40, { layers: [], channels: [], classes: [{ name: 'jellyfish', weight: 1 }] })).rejects.toThrow(/"jellyfish" is not a class/);
    expect(fallbacks).toEqual([expect.stringMatching(/"jellyfish" is not a class/)]);
  });

  it("a feature image's tiles are counted by where they ran", async () => {
    const { source } = windowOn(page);
    const target = { layer: 'mixed0', channel: 3 };
    const pixels = new Float32Array(48 * 48 * 3).fill(0.1);
    expect(source.featureDevice(target)).toBeNull();
    const ours = await source.gradient(pixels, 48, 48, { layers: [], channels: [], feature: target });
    expect(source.featureDevice(target)).toBe('window');
    const theirs = tileGradient(engine, pixels, 48, 48, termsObjective(engine, { layers: [], channels: [], feature: target }));
    expect(relL2(ours.gradient, theirs.gradient)).toBeLessThan(1e-6);
    // A page that answers once, then loses its device: the image's later tiles run on the CPU route (mixed),
    // and an image whose tiles all ran there counts as the CPU's.
    let answered = 0;
    const flaky = { gradient: (...a: Parameters<PageModel['gradient']>) => (answered++ === 0 ? page.gradient(...a) : Promise.reject(new Error('The window lost its WebGL context.'))) } as unknown as PageModel;
    const other = windowOn(flaky);
    const next = { layer: 'mixed0', channel: 4 };
    await other.source.gradient(pixels, 48, 48, { layers: [], channels: [], feature: target });
    await other.source.gradient(pixels, 48, 48, { layers: [], channels: [], feature: target });
    await other.source.gradient(pixels, 48, 48, { layers: [], channels: [], feature: next });
    expect(other.fallbacks).toEqual(['The window lost its WebGL context.']);
    expect(other.source.featureDevice(target)).toBe('window+cpu');
    expect(other.source.featureDevice(next)).toBe('cpu');
  });
});
