// A short soak in one process (the long one is bench/soak.ts): over dream steps and zoom frames after
// warm-up, the tfjs tensor count stays exactly where it started and resident memory stays bounded.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedModel } from '../helpers/embedded.ts';
import { phaseReport, slope, soak } from '../../bench/soak.ts';
import type { DreamModel } from '../../engine/shared/model.ts';

let model: DreamModel;
beforeAll(async () => {
  model = await embeddedModel();
});

describe('soak', () => {
  it('fits slopes: flat samples give 0, a leak of one tensor per step gives 1', () => {
    expect(slope([5, 5, 5, 5])).toBe(0);
    expect(slope([3, 4, 5, 6, 7])).toBeCloseTo(1, 10);
    const leaking = Array.from({ length: 30 }, (_, i) => ({ tensors: 100 + i, rssMb: 300 + i / 10 }));
    expect(phaseReport(leaking, 10)).toMatchObject({ samples: 20, tensorsPerSample: 1, mbPer100: 10, tensors: { first: 110, last: 129 } });
  });

  it('40 dream steps and 12 zoom frames: tensors exactly flat, RSS growth bounded after warm-up', async () => {
    const before = tf.memory().numTensors;
    const r = await soak(model, 'wasm', { steps: 40, frames: 12, size: 80, warmUpSteps: 10, warmUpFrames: 3 });
    console.log(`soak (short): dream ${JSON.stringify(r.dream)}; zoom ${JSON.stringify(r.zoom)}`);
    for (const phase of [r.dream, r.zoom]) {
      expect(phase.tensors).toMatchObject({ min: r.baseline.tensors, max: r.baseline.tensors });
      expect(phase.tensorsPerSample).toBe(0);
      // Generous: libvips' operation cache and V8's heap settle over the first frames; a leak of a
      // 80x64 float image per step alone would add ~2.4 MB per 100 steps, a tensor per step far more.
      expect(phase.rssMb.last - phase.rssMb.first).toBeLessThan(120);
    }
    expect(r.end.tensors).toBe(r.baseline.tensors);
    expect(tf.memory().numTensors).toBe(before);
  });
});
