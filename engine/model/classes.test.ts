// Class objectives on tiny real models with a GlobalAveragePooling2D + Dense head: logits match
// tfjs-layers, the input gradient matches finite differences, labels resolve, and models without an
// ImageNet head are refused with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadDreamModel } from './load.ts';
import { loadModelFiles } from './files/source.ts';
import { writeTinyGraphModel, writeTinyLayersModel } from '../../tests/helpers/testModels.ts';
import { classHead, classObjective, ClassObjectiveError, resolveClass } from './classes.ts';
import { describeReport, gradCheck, weightedSum } from '../../tests/helpers/gradcheck.ts';
import type { LayersDreamModel } from './layersModel.ts';
import { autodiffForward } from '../graph/autodiff.ts';
import { embeddedModel } from '../../tests/helpers/embedded.ts';
import type { DreamModel } from '../shared/model.ts';

const shapeOf = (layer: string) => {
  const l = tiny.layers(32, 32).find((i) => i.name === layer)!;
  return [l.height, l.width, l.channels] as const;
};
const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
let dir: string;
let tiny: DreamModel;

beforeAll(async () => {
  await embeddedModel(); // initialises wasm, and the refusal test needs the model
  dir = await mkdtemp(join(tmpdir(), 'reverie-classes-'));
  await writeTinyLayersModel(join(dir, 'ten'), { classes: 10, seed: 3, userDefinedMetadata: { classLabels: DIGITS } });
  tiny = await loadDreamModel(join(dir, 'ten'));
});
afterAll(async () => {
  tiny.dispose();
  await rm(dir, { recursive: true, force: true });
});

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('class objectives on a 10-class head', () => {
  it('computes the logits tfjs-layers computes before its softmax', async () => {
    const head = classHead(tiny);
    expect(head).toMatchObject({ layer: 'predictions', offset: 0, source: 'model' });
    expect(head.labels).toEqual(DIGITS);
    const files = await loadModelFiles(join(dir, 'ten'));
    const ref = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: files.modelTopology as object, weightSpecs: files.weightSpecs, weightData: files.weightData }));
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
    const probs = ref.predict(x) as tf.Tensor;
    const { predictions: logits } = tiny.activations(x, ['predictions']);
    expect(logits!.shape).toEqual([1, 1, 1, 10]);
    const ours = tf.softmax(tf.reshape(logits!, [1, 10]));
    expect(tf.max(tf.abs(tf.sub(ours, probs))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, probs, logits!, ours]);
    ref.dispose();
  });

  // The logit is sum_c W[c,k] * mean(mixed0[..., c]) + b: finite differences of that sum, taken in float64
  // over tfjs's mixed0 (gradcheck's weightedSum), against our backward pass through Dense and pooling.
  // eps is below the trunk's ReLU/max-pool kink spacing and atol at mixed0's float32 noise floor; no
  // random-direction checks, since moving all 3072 pixels at once always crosses some kinks. The same
  // gradient is also held to tfjs autodiff of the graph, tightly.
  it('has the exact input gradient (finite differences), alone and mixed with a layer term', () => {
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 11) as tf.Tensor4D;
    const kernel = (tiny as LayersDreamModel).graph.byName.get('predictions') as { kernel: tf.Tensor2D };
    const [h, w, c] = shapeOf('mixed0');
    for (const layerWeight of [0, 0.5]) {
      const cls = classObjective(tiny, 'seven', 2);
      const layers = [...cls.layers, 'mixed0'];
      const f = (acts: Record<string, tf.Tensor4D>) => tf.add(cls.fn(acts), tf.mul(tf.mean(acts['mixed0']!), layerWeight)) as tf.Scalar;
      const { gradient } = tiny.valueAndGradient(x, layers, f);
      const weights = tf.tidy(() => {
        const perChannel = tf.add(tf.mul(tf.slice(kernel.kernel, [0, 7], [c!, 1]), 2 / (h! * w!)), layerWeight / (h! * w! * c!));
        return tf.broadcastTo(tf.reshape(perChannel, [1, 1, 1, c!]), [1, h!, w!, c!]);
      });
      const mixed0 = (t: tf.Tensor4D) => tiny.activations(t, ['mixed0'])['mixed0']!;
      const report = gradCheck(weightedSum(mixed0, weights), x, gradient, { eps: 3e-4, atol: 3e-5, directions: 0, samples: 64 });
      expect(report.ok, describeReport(report)).toBe(true);
      expect(report.elements.length).toBeGreaterThan(60);
      const graph = (tiny as LayersDreamModel).graph;
      const expected = tf.grad((t: tf.Tensor) => f({ predictions: autodiffForward(graph, t as tf.Tensor4D, 'predictions', 'exact'), mixed0: autodiffForward(graph, t as tf.Tensor4D, 'mixed0', 'exact') }))(x);
      expect(tf.norm(tf.sub(gradient, expected)).dataSync()[0]! / tf.norm(expected).dataSync()[0]!).toBeLessThan(1e-5);
      tf.dispose([gradient, weights, expected]);
    }
    x.dispose();
  });

  it('resolves names, indices and near misses', () => {
    expect(resolveClass(tiny, 'Seven')).toMatchObject({ index: 7, logit: 7, layer: 'predictions' });
    expect(resolveClass(tiny, '#3').label).toBe('three');
    expect(resolveClass(tiny, 'nin').label).toBe('nine'); // the only label starting so
    expect(errorOf(() => resolveClass(tiny, 't')).message).toMatch(/matches several classes.*#2 two.*#3 three/);
    expect(errorOf(() => resolveClass(tiny, 'eleven')).message).toMatch(/"eleven" is not a class of/);
    expect(classObjective(tiny, 'one', -1).describe).toBe('-1*class:one');
  });
});

describe('which heads are offered', () => {
  it('reads a 1000-unit head as ImageNet ("jellyfish" is class 107), and a 1001-unit head with background first', async () => {
    for (const units of [1000, 1001]) {
      const folder = join(dir, `imagenet${units}`);
      await writeTinyLayersModel(folder, { classes: units });
      const m = await loadDreamModel(folder);
      expect(classHead(m)).toMatchObject({ source: 'imagenet', offset: units - 1000 });
      expect(resolveClass(m, 'jellyfish')).toMatchObject({ index: 107, logit: 107 + units - 1000, label: 'jelly fish' });
      expect(errorOf(() => resolveClass(m, 'crane')).message).toMatch(/several classes.*#134 crane.*#517 crane/);
      m.dispose();
    }
  });

  it("refuses the embedded inception_v3's 5-class nsfwjs head, naming why", async () => {
    const err = errorOf(() => classObjective(inception, 'jellyfish'));
    expect(err).toBeInstanceOf(ClassObjectiveError);
    expect(err.message).toMatch(/inception_v3's classifier head \("dense_3"\) scores 5 classes, not the 1000 ImageNet classes \(it was fine-tuned for nsfwjs's categories\)/);
    expect(err.message).toMatch(/only scores images of its training size/);
    expect(err.message).toMatch(/reverie models add/);
  });

  it('refuses models without a head, without labels, and graph models', async () => {
    await writeTinyLayersModel(join(dir, 'bare'));
    await writeTinyLayersModel(join(dir, 'seven'), { classes: 7 });
    await writeTinyGraphModel(join(dir, 'graph'));
    const cases: Array<[string, RegExp]> = [
      ['bare', /has no classifier head/],
      ['seven', /scores 7 classes.*declares no label list/],
      ['graph', /graph model; class objectives run on layers models only/],
    ];
    for (const [name, message] of cases) {
      const m = await loadDreamModel(join(dir, name));
      expect(errorOf(() => classHead(m)).message).toMatch(message);
      m.dispose();
    }
  });

  it('leaks no tensors', () => {
    const x = tf.randomUniform([1, 40, 40, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
    const o = classObjective(tiny, 'two');
    tiny.valueAndGradient(x, o.layers, o.fn).gradient.dispose(); // warm-up: gradient kernels belong to the model
    const before = tf.memory().numTensors;
    tiny.valueAndGradient(x, o.layers, o.fn).gradient.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

let inception: DreamModel;
beforeAll(async () => {
  inception = await embeddedModel();
});
