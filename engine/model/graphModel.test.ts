import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { avgPoolSame, loadGraphDreamModel } from './graphModel.ts';
import { loadModelFiles } from './files/source.ts';
import { writeTinyGraphModel } from '../../tests/helpers/testModels.ts';
import { ModelLoadError, UnknownLayerError } from '../shared/errors.ts';
import type { Activations, DreamModel } from '../shared/model.ts';
import { dreamToEnd } from '../render/dream.ts';
import { DEFAULT_RECIPE } from '../recipe/recipe.ts';

let dir: string;
let model: DreamModel;
let baseline: number;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'reverie-graph-'));
  await writeTinyGraphModel(join(dir, 'ok'), { userDefinedMetadata: { inputRange: [0, 1] } });
  baseline = tf.memory().numTensors;
  model = await loadGraphDreamModel(await loadModelFiles(join(dir, 'ok')));
});

afterAll(async () => {
  model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Writes a broken copy of the tiny graph model and returns its load error. */
async function brokenGraph(name: string, edit: (nodes: { name: string; op: string; attr?: Record<string, unknown> }[]) => void): Promise<ModelLoadError> {
  const folder = join(dir, name);
  await writeTinyGraphModel(folder);
  const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
  edit(json.modelTopology.node);
  await writeFile(join(folder, 'model.json'), JSON.stringify(json));
  const before = tf.memory().numTensors;
  const err = await loadGraphDreamModel(await loadModelFiles(folder)).then(() => null, (e: unknown) => e);
  expect(tf.memory().numTensors).toBe(before); // the half-loaded GraphModel was disposed
  expect(err).toBeInstanceOf(ModelLoadError);
  expect((err as ModelLoadError).message).toContain(join(folder, 'model.json'));
  return err as ModelLoadError;
}

const objective = (acts: Activations) =>
  tf.tidy(() => tf.add(tf.mean(tf.square(acts['mixed0']!)), tf.mul(0.5, tf.mean(acts['conv1/Relu']!))) as tf.Scalar);

describe('loadGraphDreamModel', () => {
  it('reads metadata and lists the 4-D nodes, concat outputs first', () => {
    expect(model.inputRange).toEqual([0, 1]);
    expect(model.defaultInputSize).toBe(224);
    const before = tf.memory().numTensors;
    const layers = model.layers(16, 16);
    expect(tf.memory().numTensors).toBe(before);
    expect(layers[0]).toEqual({ name: 'mixed0', kind: 'concat', height: 7, width: 7, channels: 8, training: 'unknown' });
    const byName = Object.fromEntries(layers.map((l) => [l.name, l]));
    expect(byName['conv1/Relu']).toMatchObject({ kind: 'conv', height: 16, width: 16, channels: 8 });
    expect(byName['pool1/MaxPool']).toMatchObject({ kind: 'pool', height: 7, width: 7, channels: 8 });
    expect(byName['b/BiasAdd']).toMatchObject({ kind: 'other', channels: 4 });
    expect(byName['head/Mean']).toBeUndefined(); // 2-D
    expect(model.layers(31, 20).find((l) => l.name === 'mixed0')).toMatchObject({ height: 15, width: 9 });
  });

  it('returns named activations and leaks nothing', () => {
    const x = tf.randomUniform([1, 12, 12, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const acts = model.activations(x, ['a/Relu', 'mixed0']);
    expect(acts['a/Relu']!.shape).toEqual([1, 5, 5, 4]);
    expect(acts['mixed0']!.shape).toEqual([1, 5, 5, 8]);
    tf.dispose(Object.values(acts));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('gives the exact gradient: directional central differences agree', () => {
    const x = tf.randomUniform([1, 9, 9, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const layers = ['mixed0', 'conv1/Relu'];
    const { value, gradient } = model.valueAndGradient(x, layers, objective);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(gradient.shape).toEqual(x.shape);
    const f = (t: tf.Tensor4D) => tf.tidy(() => objective(model.activations(t, layers)).dataSync()[0]!);
    expect(value).toBeCloseTo(f(x), 5);
    const eps = 1e-3; // small enough that no ReLU or max-pool switch is crossed
    for (let seed = 1; seed <= 4; seed++) {
      const [fd, an] = tf.tidy(() => {
        const d = tf.randomNormal(x.shape, 0, 1, 'float32', seed) as tf.Tensor4D;
        const fd = (f(tf.add(x, tf.mul(eps, d))) - f(tf.sub(x, tf.mul(eps, d)))) / (2 * eps);
        return [fd, tf.sum(tf.mul(gradient, d)).dataSync()[0]!];
      });
      expect(Math.abs(fd - an)).toBeLessThan(2e-3 * Math.abs(an) + 1e-4);
    }
    gradient.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('average-pools "same" windows over real pixels only, forward and backward', () => {
    const cases: [number, number][][] = [[[3, 3], [1, 1]], [[2, 3], [2, 2]], [[3, 3], [2, 1]]];
    for (const [k, s] of cases as [[number, number], [number, number]][]) {
      tf.tidy(() => {
        const x = tf.randomNormal([1, 7, 6, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
        // Reference: pad with zeros, sum windows, divide by the count of real pixels in each window.
        const sum = tf.depthwiseConv2d(x, tf.ones([k[0], k[1], 2, 1]) as tf.Tensor4D, s, 'same');
        const count = tf.depthwiseConv2d(tf.ones([1, 7, 6, 1]) as tf.Tensor4D, tf.ones([k[0], k[1], 1, 1]) as tf.Tensor4D, s, 'same');
        const y = avgPoolSame(x, k, s);
        expect(tf.max(tf.abs(tf.sub(y, tf.div(sum, count)))).dataSync()[0]).toBeLessThan(1e-6);
        // The op is linear: <A d, w> must equal <A^T w, d>, with A^T w from autodiff.
        const w = tf.randomNormal(y.shape, 0, 1, 'float32', 4);
        const d = tf.randomNormal(x.shape, 0, 1, 'float32', 5) as tf.Tensor4D;
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(avgPoolSame(t as tf.Tensor4D, k, s), w)))(x);
        const lhs = tf.sum(tf.mul(avgPoolSame(d, k, s), w)).dataSync()[0]!;
        expect(tf.sum(tf.mul(g, d)).dataSync()[0]).toBeCloseTo(lhs, 4);
      });
    }
  });

  it('dreams on wasm without probing sizes that would abort the wasm module', async () => {
    const before = tf.memory().numTensors;
    const rgb = new Float32Array(64 * 64 * 3).map((_, i) => (i * 7) % 256);
    const recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed0', weight: 1 }], steps: 1, octaves: 2 };
    const out = await dreamToEnd(model, { width: 64, height: 64, rgb }, recipe);
    expect(out.width).toBe(64);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects unknown layer names', () => {
    const x = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    expect(() => model.activations(x, ['mixed9'])).toThrow(UnknownLayerError);
    expect(() => model.valueAndGradient(x, ['head/Mean'], objective)).toThrow(UnknownLayerError);
    x.dispose();
  });

  it('frees everything on dispose', async () => {
    const before = tf.memory().numTensors;
    const m = await loadGraphDreamModel(await loadModelFiles(join(dir, 'ok')));
    expect(tf.memory().numTensors).toBe(before + 8); // its 8 weight tensors
    m.layers(8, 8);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(before).toBe(baseline + 8); // the shared model's weights, nothing else
  });

  it('names model.json and the op when an op is unsupported', async () => {
    const err = await brokenGraph('badop', (nodes) => {
      nodes.find((n) => n.name === 'b/Relu')!.op = 'FancyRelu';
    });
    expect(err.problem).toContain('FancyRelu');
  });

  it('requires a 4-D image input', async () => {
    const err = await brokenGraph('noimage', (nodes) => {
      nodes[0]!.attr = { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '10' }] } } };
    });
    expect(err.problem).toMatch(/no 4-D image input/);
  });

  it('wraps converter errors with the file name', async () => {
    const err = await brokenGraph('dangling', (nodes) => {
      nodes.push({ name: 'x', op: 'Relu', input: ['nowhere'] } as never);
    });
    expect(err.problem).toMatch(/could not load/);
  });
});
