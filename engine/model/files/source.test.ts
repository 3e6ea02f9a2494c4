import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdir, mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend.ts';
import { EMBEDDED_MODELS, loadModelFiles } from './source.ts';
import { specsByteLength, type ModelFiles } from './modelJson.ts';
import { writeModelFolder, writeTinyLayersModel } from '../../../tests/helpers/testModels.ts';
import { ModelLoadError } from '../../shared/errors.ts';

let dir: string;
const offline = (() => {
  throw new Error('network used');
}) as typeof fetch;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'reverie-source-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Decodes the buffer and checks every weight against the values the writer drew. */
function expectWeights(files: ModelFiles, values: Record<string, Float32Array>, tol: number) {
  const decoded = tf.io.decodeWeights(files.weightData, files.weightSpecs);
  expect(Object.keys(decoded).sort()).toEqual(Object.keys(values).sort());
  for (const [name, t] of Object.entries(decoded)) {
    const got = t.dataSync();
    const want = values[name]!;
    expect(got.length).toBe(want.length);
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!)))).toBeLessThanOrEqual(tol);
  }
  tf.dispose(Object.values(decoded));
}

async function expectLoadError(spec: string, file: string, problem: RegExp): Promise<void> {
  const err = await loadModelFiles(spec).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ModelLoadError);
  expect((err as ModelLoadError).file).toBe(file);
  expect((err as ModelLoadError).message).toContain(file);
  expect((err as ModelLoadError).problem).toMatch(problem);
}

describe('embedded model', () => {
  it('loads inception_v3 offline, with as many bytes as its manifest needs', async () => {
    const t0 = performance.now();
    const files = await loadModelFiles('inception_v3', { fetchImpl: offline });
    const ms = performance.now() - t0;
    console.log(`embedded inception_v3 loaded in ${ms.toFixed(0)} ms`);
    expect(files.id).toBe('embedded:inception_v3');
    expect(files.format).toBe('layers-model');
    expect(files.weightSpecs).toHaveLength(382);
    expect(files.weightData.byteLength).toBe(specsByteLength('', files.weightSpecs));
    expect(files.weightData.byteLength).toBe(22_360_869);
    expect(files.userDefinedMetadata).toEqual(EMBEDDED_MODELS['inception_v3']!.userDefinedMetadata);
    expect((files.modelTopology as { keras_version: string }).keras_version).toBe('2.2.4');
    // The first weight decodes to values inside its quantization range.
    const spec = files.weightSpecs[0]!;
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const t = tf.io.decodeWeights(files.weightData.slice(0, n), [spec])[spec.name]!;
    const q = spec.quantization!;
    expect(t.min().dataSync()[0]).toBeGreaterThanOrEqual(q.min! - 1e-6);
    expect(t.max().dataSync()[0]).toBeLessThanOrEqual(q.min! + 255 * q.scale! + 1e-6);
    tf.dispose(t);
  });

  it('accepts "", "embedded:inception_v3" and rejects unknown names', async () => {
    expect((await loadModelFiles('')).id).toBe('embedded:inception_v3');
    expect((await loadModelFiles('embedded:inception_v3')).weightSpecs).toHaveLength(382);
    await expectLoadError('embedded:vgg', 'embedded:vgg', /no such embedded model; known: inception_v3/);
  });
});

type KerasLayer = { name: string; class_name: string; config: Record<string, unknown>; inbound_nodes: unknown[] };
const kerasLayers = (f: ModelFiles) => (f.modelTopology as { model_config: { config: { layers: KerasLayer[] } } }).model_config.config.layers;

describe('tiny layers model (testModels)', () => {
  it('has the Keras 2.2.4 layout of the nsfwjs model, and tfjs-layers runs it', async () => {
    await writeTinyLayersModel(join(dir, 'layout'), { head: true });
    const files = await loadModelFiles(join(dir, 'layout'));
    const ref = kerasLayers(await loadModelFiles('inception_v3'));
    expect(Object.keys(files.modelTopology as object).sort()).toEqual(['backend', 'keras_version', 'model_config']);
    for (const layer of kerasLayers(files)) {
      const like = ref.find((r) => r.class_name === layer.class_name)!;
      expect(Object.keys(layer).sort(), layer.name).toEqual(Object.keys(like).sort());
      expect(Object.keys(layer.config).sort(), layer.name).toEqual(Object.keys(like.config).sort());
    }
    const bn = kerasLayers(files).find((l) => l.name === 'batch_normalization_1')!.config;
    expect(bn).toMatchObject({ axis: 3, scale: false, center: true, epsilon: 0.001, trainable: false });
    const m = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: files.modelTopology as object, weightSpecs: files.weightSpecs, weightData: files.weightData }));
    expect(m.layers.map((l) => l.name)).toContain('mixed0');
    const y = tf.tidy(() => m.predict(tf.zeros([1, 32, 32, 3])) as tf.Tensor);
    expect(y.shape).toEqual([1, 5]);
    tf.dispose(y);
    m.dispose();
  });
});

describe('folder models', () => {
  it('loads a folder, a model.json path and a file:// URL, weights in manifest order', async () => {
    const w = await writeTinyLayersModel(join(dir, 'plain'), { seed: 5 });
    for (const spec of [join(dir, 'plain'), w.modelJsonPath, pathToFileURL(join(dir, 'plain')).href]) {
      const files = await loadModelFiles(spec, { fetchImpl: offline });
      expect(files.id).toBe(join(dir, 'plain'));
      expect(files.format).toBe('layers-model');
      expect(files.weightSpecs).toEqual(w.weightSpecs);
      expectWeights(files, w.values, 0);
    }
  });

  it('concatenates several shards, and uint8-quantized weights keep their size', async () => {
    const w = await writeTinyLayersModel(join(dir, 'sharded'), { shards: 3, quantize: 'uint8' });
    const progress: number[] = [];
    const files = await loadModelFiles(join(dir, 'sharded'), { onProgress: (n) => progress.push(n) });
    expect(files.weightData.byteLength).toBe(specsByteLength('', w.weightSpecs));
    expect(files.weightSpecs.every((s) => s.quantization?.dtype === 'uint8')).toBe(true);
    expect(progress).toHaveLength(3);
    expect(progress.at(-1)).toBe(files.weightData.byteLength);
    const maxScale = Math.max(...files.weightSpecs.map((s) => s.quantization!.scale!));
    expectWeights(files, w.values, maxScale / 2 + 1e-6);
  });

  it('counts uint16 and float16 quantization at 2 bytes per value', () => {
    const spec = (dtype: 'uint16' | 'float16') => ({ name: 'w', shape: [3, 5], dtype: 'float32' as const, quantization: { dtype, min: 0, scale: 1 } });
    expect(specsByteLength('', [spec('uint16'), spec('float16'), { name: 'i', shape: [2], dtype: 'int32' }])).toBe(30 + 30 + 8);
  });
});

describe('broken folders name the file at fault', () => {
  /** A fresh copy of the tiny model to break. */
  async function copy(name: string, shards = 1): Promise<{ folder: string; json: string; shard: (i: number) => string }> {
    const folder = join(dir, 'broken', name);
    const w = await writeTinyLayersModel(folder, { shards });
    return { folder, json: w.modelJsonPath, shard: (i) => w.shardPaths[i]! };
  }
  const editJson = async (json: string, edit: (j: Record<string, unknown>) => void) => {
    const j = JSON.parse(await readFile(json, 'utf8'));
    edit(j);
    await writeFile(json, JSON.stringify(j));
  };

  it('missing folder, missing model.json, not JSON', async () => {
    await expectLoadError(join(dir, 'nope'), join(dir, 'nope'), /folder not found/);
    await mkdir(join(dir, 'empty'), { recursive: true });
    await expectLoadError(join(dir, 'empty'), join(dir, 'empty', 'model.json'), /model.json not found/);
    const c = await copy('notjson');
    await writeFile(c.json, '{"format": "layers-model", ');
    await expectLoadError(c.folder, c.json, /not valid JSON/);
  });

  it('neither layers nor graph model; no weightsManifest; string weights', async () => {
    const a = await copy('neither');
    await editJson(a.json, (j) => {
      delete j['format'];
      j['modelTopology'] = { something: 1 };
    });
    await expectLoadError(a.folder, a.json, /neither a TF.js layers model .* nor a graph model/);
    const b = await copy('nomanifest');
    await editJson(b.json, (j) => delete j['weightsManifest']);
    await expectLoadError(b.folder, b.json, /no weightsManifest/);
    const c = await copy('strings');
    await editJson(c.json, (j) => ((j['weightsManifest'] as { weights: { dtype: string }[] }[])[0]!.weights[0]!.dtype = 'string'));
    await expectLoadError(c.folder, c.json, /dtype string, which is not supported/);
    const d = await copy('escape');
    await editJson(d.json, (j) => ((j['weightsManifest'] as { paths: string[] }[])[0]!.paths = ['../plain/group1-shard1of1.bin']));
    await expectLoadError(d.folder, d.json, /not a plain relative path/);
  });

  it('missing, short and long shards', async () => {
    const a = await copy('noshard');
    await unlink(a.shard(0));
    await expectLoadError(a.folder, a.shard(0), /shard file missing/);
    const b = await copy('short');
    await truncate(b.shard(0), 100);
    await expectLoadError(b.folder, b.shard(0), /shard has 100 bytes, but its 12 weights need \d+ \(truncated\)/);
    const c = await copy('long');
    await writeFile(c.shard(0), Buffer.concat([await readFile(c.shard(0)), Buffer.alloc(4)]));
    await expectLoadError(c.folder, c.shard(0), /too long/);
    const d = await copy('middle', 3);
    await truncate(d.shard(1), 10);
    await expectLoadError(d.folder, d.shard(1), /3 shards have \d+ bytes in all.*truncated/);
  });

  it('writeModelFolder lays out hand-made manifests too', async () => {
    const bytes = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    await writeModelFolder(join(dir, 'graphish'), { format: 'graph-model', modelTopology: { node: [] } }, [{ spec: { name: 'c', shape: [3], dtype: 'float32' }, bytes }]);
    const files = await loadModelFiles(join(dir, 'graphish'));
    expect(files.format).toBe('graph-model');
    expect(Array.from(new Float32Array(files.weightData))).toEqual([1, 2, 3]);
  });
});
