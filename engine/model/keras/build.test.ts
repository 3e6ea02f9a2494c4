// Loading TF.js layers models from a folder: our BN-folded graph matches tfjs-layers, and models we
// cannot differentiate are refused with one error naming the file and the layer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfjs from '@tensorflow/tfjs';
import { initBackend } from '../../backend.ts';
import { loadDreamModel } from '../load.ts';
import { writeTinyLayersModel } from '../../../tests/helpers/testModels.ts';
import { ModelLoadError } from '../../shared/errors.ts';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'reverie-keras-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('layers models from a folder', () => {
  it.each([['float32'], ['uint8']])('a %s model runs through our executor exactly as tfjs-layers runs it', async (kind) => {
    const folder = join(dir, kind);
    const written = await writeTinyLayersModel(folder, kind === 'uint8' ? { quantize: 'uint8', head: true } : {});
    const model = await loadDreamModel(folder);
    // The reference: tfjs-layers' own forward pass over the same files.
    const json = JSON.parse(await readFile(written.modelJsonPath, 'utf8')) as { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
    const data = Buffer.concat(await Promise.all(written.shardPaths.map((p) => readFile(p))));
    const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    const ref = await tfjs.loadLayersModel(tfjs.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }));
    const trunk = tfjs.model({ inputs: ref.inputs, outputs: ref.getLayer('mixed0').output as tfjs.SymbolicTensor });
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
    const expected = trunk.predict(x) as tf.Tensor;
    const ours = model.activations(x, ['mixed0']);
    const a = ours['mixed0']!.dataSync();
    const b = expected.dataSync();
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(model.layers(32, 32)[0]).toMatchObject({ name: 'mixed0', kind: 'block', channels: expected.shape[3] });
    tf.dispose([x, expected, ours['mixed0']!]);
    ref.dispose();
    model.dispose();
  });

  it('refuses a layer it cannot differentiate, naming the file and the layer', async () => {
    const folder = join(dir, 'unsupported');
    const written = await writeTinyLayersModel(folder);
    const json = JSON.parse(await readFile(written.modelJsonPath, 'utf8')) as { modelTopology: { model_config: { config: { layers: Array<{ class_name: string; name: string }> } } } };
    const conv = json.modelTopology.model_config.config.layers.find((l) => l.class_name === 'Conv2D')!;
    conv.class_name = 'SeparableConv2D';
    await writeFile(written.modelJsonPath, JSON.stringify(json));
    const before = tf.memory().numTensors;
    const err = await loadDreamModel(folder).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toContain(folder);
    expect((err as Error).message).toMatch(new RegExp(`layer "${conv.name}" has class SeparableConv2D`));
    expect(tf.memory().numTensors).toBe(before);
  });

  // Same element counts, so the weights decode: only a check against the topology can catch these.
  it.each([
    ['a conv kernel with in/out channels swapped', 'conv2d_2/kernel', (shape: number[]) => [shape[0]!, shape[1]!, shape[3]!, shape[2]!]],
    ['a batch-norm mean reshaped', 'batch_normalization_1/moving_mean', (shape: number[]) => [2, shape[0]! / 2]],
  ])('refuses %s, naming the weight, its shape and the one its layer needs', async (_label, weight, reshape) => {
    const folder = join(dir, weight.replace('/', '-'));
    const written = await writeTinyLayersModel(folder);
    const json = JSON.parse(await readFile(written.modelJsonPath, 'utf8')) as { weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
    const spec = json.weightsManifest.flatMap((g) => g.weights).find((w) => w.name === weight)!;
    const original = [...spec.shape];
    spec.shape = reshape(original);
    await writeFile(written.modelJsonPath, JSON.stringify(json));
    const before = tf.memory().numTensors;
    const err = await loadDreamModel(folder).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    const message = (err as Error).message;
    expect(message).toContain(folder);
    expect(message).toContain(`weight "${weight}" has shape [${spec.shape.join(',')}]`);
    expect(message).toContain(`needs [${original.join(',')}]`);
    // The half-built graph's tensors are not left behind.
    expect(tf.memory().numTensors).toBe(before);
  });
});
