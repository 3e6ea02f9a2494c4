// Device choice and fallback with real providers: onnxruntime's WebGPU provider on chromium's
// SwiftShader Vulkan driver (a software GPU) loads; the same provider given the CPU's lowering
// refuses (its MaxPool has no Indices output) and the step falls back to the CPU, once per key.
// Every comparison checks which route ran, so a silent fallback fails.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';

// Before onnxruntime starts Dawn (this file runs in its own process: vitest's forks pool).
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env['VK_ICD_FILENAMES'] = SWIFTSHADER;

import { initBackend } from '../backend.ts';
import { loadDreamModel } from '../model/load.ts';
import type { LayersDreamModel } from '../model/layersModel.ts';
import { layerMean } from '../objectives/objective.ts';
import { seededRandom } from '../shared/random.ts';
import { relL2 } from '../../tests/helpers/numeric.ts';
import { CPU_LOWERING } from './compile.ts';
import { StepRouter } from './route.ts';
import { providerSpec } from './providers.ts';
import { GraphExecutor } from '../graph/executor.ts';
import { timeSteps } from './devices.ts';

let model: LayersDreamModel;
// mixed0 at 75 px: both stem max pools and the Inception block's average pool, small enough for SwiftShader.
const LAYER = 'mixed0';
const objective = layerMean(LAYER);
let x: tf.Tensor4D;

beforeAll(async () => {
  expect(existsSync(SWIFTSHADER), `${SWIFTSHADER} is missing: apt-get install -y chromium`).toBe(true);
  await initBackend('wasm');
  model = (await loadDreamModel('inception_v3')) as LayersDreamModel;
  const rand = seededRandom(3);
  x = tf.tensor4d(Float32Array.from({ length: 75 * 75 * 3 }, () => rand() * 2 - 1), [1, 75, 75, 3]);
});
afterAll(() => {
  x?.dispose();
  model?.dispose();
});

function step(): Float32Array {
  const { gradient } = model.valueAndGradient(x, objective.layers, objective.fn);
  const data = gradient.dataSync() as Float32Array;
  gradient.dispose();
  return data;
}

describe('device routes', () => {
  it('auto never picks the software GPU: the CPU runs the step', () => {
    model.useDevice({ device: 'auto' });
    step();
    expect(model.device.device).toBe('cpu');
    expect(model.device.refusals).toEqual([]);
  });

  it('webgpu named explicitly runs on SwiftShader, says the GPU is software, and matches the CPU route', () => {
    model.useDevice({ device: 'cpu' });
    const cpu = step();
    expect(model.device.device).toBe('cpu');
    model.useDevice({ device: 'webgpu' });
    const before = tf.memory().numTensors;
    const gpu = step();
    expect(tf.memory().numTensors).toBe(before);
    const report = model.device;
    expect(report.device).toBe('webgpu');
    expect(report.steps).toEqual({ webgpu: 1 });
    expect(report.adapter).toEqual({ name: 'SwiftShader (Vulkan)', software: true });
    expect(report.label).toMatch(/^onnxruntime-node [\d.]+ on webgpu \(SwiftShader \(Vulkan\), software GPU\)$/);
    // Same graph, another device's float32 kernels (measured 4e-7 here).
    expect(relL2(gpu, cpu)).toBeLessThan(1e-5);
    // Same device, same input: the same bits.
    expect(Array.from(step())).toEqual(Array.from(gpu));
  });

  it('a provider that refuses the graph falls back to the CPU once per (device, shape, layers) key and says why', () => {
    const executor = new GraphExecutor(model.graph);
    // WebGPU given the CPU lowering: MaxPool with an Indices output, which it refuses at run time.
    const refusing = { ...providerSpec('webgpu'), lowering: CPU_LOWERING };
    const router = new StepRouter(model.graph, executor, { device: 'webgpu', providers: [refusing, providerSpec('cpu')], threads: 2 });
    const run = () => tf.tidy(() => router.valueAndGradient(x, objective.layers, objective.fn).gradient.dataSync() as Float32Array);
    const first = run();
    const second = run();
    const report = router.report();
    expect(report.device).toBe('cpu');
    expect(report.steps).toEqual({ cpu: 2 });
    expect(report.refusals).toHaveLength(1);
    expect(report.refusals[0]).toMatch(/^webgpu refused 1x75x75x3 mixed0: .*Indices output is not supported/);
    // The refused key was not rebuilt on the second step.
    expect(router.sessionsBuilt()).toEqual({ webgpu: 1, cpu: 1 });
    expect(Array.from(second)).toEqual(Array.from(first));
    router.dispose();
    executor.dispose();
  });

  it('timing steps on a device (reverie devices, the bench) leaves no tensors and says where they ran', () => {
    const before = tf.memory().numTensors;
    const t = timeSteps(model, 'cpu', 75, [LAYER], 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(t.ranOn).toBe('cpu');
    expect(t.stepMs).toBeGreaterThanOrEqual(0);
  });

  it('the tfjs executor alone reports itself', () => {
    model.setAccelerated(false);
    step();
    expect(model.device.device).toBe('tfjs');
    expect(model.accelerator).toBeNull();
    model.setAccelerated(true);
  });
});
