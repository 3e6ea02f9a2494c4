// The inspector's quality bar, for a small fixed sample (bench/inspect.ts reports a larger one): each
// channel's mean activation on its own visualization is at least 5x its mean on the bundled photographs,
// and higher than on the other sampled channels' visualizations.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DreamModel } from '../engine/shared/model.ts';
import { activationRatios, loadPhotos, visualizeMany } from '../engine/inspect/index.ts';
import { judgeChannel } from '../engine/inspect/quality.ts';
import { embeddedModel } from './helpers/embedded.ts';

const SIZE = 96;
const STEPS = 64;
const CHANNELS = [0, 300, 700];
const LAYERS = ['mixed3', 'mixed4'];
const PHOTOS = ['cat', 'coffee', 'astronaut'].map((n) => new URL(`../assets/examples/${n}.jpg`, import.meta.url).pathname);

let model: DreamModel;
beforeAll(async () => {
  model = await embeddedModel();
});

describe('feature visualization quality', () => {
  it(`drives each sampled channel of ${LAYERS.join(' and ')} at least 5x harder than photographs, and hardest on its own image`, { timeout: 600_000 }, async () => {
    const before = tf.memory().numTensors;
    const targets = LAYERS.flatMap((layer) => CHANNELS.map((channel) => ({ layer, channel })));
    // One batch of six: both layers come out of one forward pass per step.
    const { images } = await visualizeMany(model, targets, { size: SIZE, steps: STEPS }, { batchSize: targets.length });
    const photos = await loadPhotos(PHOTOS, SIZE);
    const results = LAYERS.flatMap((layer, l) => activationRatios(model, layer, CHANNELS, images.slice(l * CHANNELS.length, (l + 1) * CHANNELS.length), photos));
    const table = results.map((r) => `${r.layer}:${r.channel} own ${r.own.toFixed(2)} photos ${r.photos.toFixed(3)} ratio ${r.ratio.toFixed(1)} others ${r.othersMax.toFixed(2)}`).join('\n');
    for (const r of results) {
      expect(r.photos, `${r.layer}:${r.channel} is silent on the photos: no ratio to judge\n${table}`).toBeGreaterThan(0);
      expect(r.passes, table).toBe(true);
      expect(r.ratio, table).toBeGreaterThanOrEqual(5);
      expect(r.own, table).toBeGreaterThan(r.othersMax);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the bar itself', () => {
  it('does not let a channel the photos leave silent pass vacuously', () => {
    expect(judgeChannel(3, 0, 0, 5)).toEqual({ ratio: NaN, passes: false });
    expect(judgeChannel(3, 0.5, 1, 5)).toEqual({ ratio: 6, passes: true });
    expect(judgeChannel(3, 0.5, 4, 5).passes).toBe(false); // another channel's image drives it harder
    expect(judgeChannel(3, 1, 0, 5).passes).toBe(false); // only 3x
  });
});
