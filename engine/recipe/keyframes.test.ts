// Keyframes on their own: numbers glide between keys (linear and eased), layers switch at keys, and
// every mistake in a keyframes file is named precisely.
import { describe, expect, it } from 'vitest';
import { ease, KeyframeError, paramsAtFrame, parseKeyframes, type FrameParams } from './keyframes.ts';
import { frameSeed, planFrame } from '../animate/zoomPlan.ts';
import { DEFAULT_RECIPE } from './recipe.ts';
import type { ZoomSettings } from '../project/manifest.ts';

const base: FrameParams = {
  zoom: 1.02,
  rotate: 0,
  centerX: 0.5,
  centerY: 0.5,
  steps: 5,
  stepSize: 1.5,
  blend: 0,
  anchorColors: 0,
  layers: [{ name: 'mixed3', weight: 1 }],
  channels: [],
};

describe('paramsAtFrame', () => {
  it('interpolates linearly between keys and holds after the last one', () => {
    const kf = parseKeyframes({ keys: [{ frame: 0, zoom: 1.0 }, { frame: 10, zoom: 1.1, rotate: 5 }, { frame: 20, zoom: 1.3 }] });
    expect(paramsAtFrame(base, kf, 0).zoom).toBe(1.0);
    expect(paramsAtFrame(base, kf, 5).zoom).toBeCloseTo(1.05, 12);
    expect(paramsAtFrame(base, kf, 15).zoom).toBeCloseTo(1.2, 12);
    expect(paramsAtFrame(base, kf, 99).zoom).toBe(1.3);
    // rotate has one key at 10: it starts from the base value (0) at frame 0.
    expect(paramsAtFrame(base, kf, 5).rotate).toBeCloseTo(2.5, 12);
    expect(paramsAtFrame(base, kf, 30).rotate).toBe(5);
    // Untouched parameters keep their base values.
    expect(paramsAtFrame(base, kf, 7).centerX).toBe(0.5);
  });

  it('eases (smoothstep) where asked, per file or per key', () => {
    const all = parseKeyframes({ interpolation: 'ease', keys: [{ frame: 0, zoom: 1 }, { frame: 10, zoom: 2 }] });
    expect(paramsAtFrame(base, all, 5).zoom).toBeCloseTo(1.5, 12);
    expect(paramsAtFrame(base, all, 2).zoom).toBeCloseTo(1 + ease(0.2), 12);
    expect(ease(0.2)).toBeCloseTo(0.104, 12);
    const perKey = parseKeyframes([{ frame: 0, zoom: 1, interpolation: 'ease' }, { frame: 10, zoom: 2 }, { frame: 20, zoom: 3 }]);
    expect(paramsAtFrame(base, perKey, 2).zoom).toBeCloseTo(1.104, 12);
    expect(paramsAtFrame(base, perKey, 12).zoom).toBeCloseTo(2.2, 12);
  });

  it('speeds the zoom up and rounds steps to whole numbers', () => {
    const kf = parseKeyframes({ keys: [{ frame: 0, zoom: 1.01, steps: 2 }, { frame: 4, zoom: 1.09, steps: 5 }] });
    const zooms = [0, 1, 2, 3, 4].map((f) => paramsAtFrame(base, kf, f).zoom);
    for (let i = 1; i < zooms.length; i++) expect(zooms[i]!).toBeGreaterThan(zooms[i - 1]!);
    expect([0, 1, 2, 3, 4].map((f) => paramsAtFrame(base, kf, f).steps)).toEqual([2, 3, 4, 4, 5]);
  });

  it('switches layers and channels at keys (piecewise constant), from the base before the first', () => {
    const kf = parseKeyframes({ keys: [{ frame: 10, layers: 'mixed2' }, { frame: 40, layers: [{ name: 'mixed5', weight: 0.5 }] }, { frame: 60, channels: 'mixed4:97:-1' }] });
    expect(paramsAtFrame(base, kf, 9).layers).toEqual([{ name: 'mixed3', weight: 1 }]);
    expect(paramsAtFrame(base, kf, 10).layers).toEqual([{ name: 'mixed2', weight: 1 }]);
    expect(paramsAtFrame(base, kf, 39).layers).toEqual([{ name: 'mixed2', weight: 1 }]);
    expect(paramsAtFrame(base, kf, 40).layers).toEqual([{ name: 'mixed5', weight: 0.5 }]);
    // Naming channels alone dreams on just those channels, as on the command line.
    expect(paramsAtFrame(base, kf, 75)).toMatchObject({ layers: [], channels: [{ layer: 'mixed4', index: 97, weight: -1 }] });
    expect(paramsAtFrame(base, null, 75)).toEqual(base);
  });
});

describe('parseKeyframes errors', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['nope', /expected an object like/],
    [{ keys: [] }, /"keys" must be a non-empty list/],
    [{ keys: [{ frame: 0 }], speed: 2 }, /unknown field "speed"/],
    [{ keys: [{ frame: 0, zoom: 1, zom: 2 }] }, /keys\[0\] has unknown field "zom"/],
    [{ keys: [{ frame: 10 }, { frame: 5 }] }, /keys\[1\]: frame 5 must come after the previous key's frame 10/],
    [{ keys: [{ frame: -1 }] }, /"frame" must be a whole number from 0/],
    [{ keys: [{ frame: 0, zoom: 0 }] }, /keys\[0\]: "zoom" must be between 0.1 and 10, got 0/],
    [{ keys: [{ frame: 0, centerX: '0.5' }] }, /"centerX" must be a number, got "0.5"/],
    [{ keys: [{ frame: 0, interpolation: 'cubic' }] }, /"interpolation" must be "linear" or "ease"/],
    [{ keys: [{ frame: 0, layers: 'mixed3:lots' }] }, /keys\[0\]: "mixed3:lots" is not a layer term/],
    [{ keys: [{ frame: 0, channels: ['mixed4'] }] }, /keys\[0\]: "mixed4" is not a channel term/],
    [{ keys: [{ frame: 0, layers: [] }] }, /keys\[0\]: name at least one layer or channel/],
    [{ version: 2, keys: [{ frame: 0 }] }, /version 2 is not supported/],
  ];
  it.each(cases)('%j', (input, message) => {
    expect(() => parseKeyframes(input, 'kf.json')).toThrow(KeyframeError);
    expect(() => parseKeyframes(input, 'kf.json')).toThrow(message);
  });
});

describe('planFrame', () => {
  const settings: ZoomSettings = { frames: 10, tween: 2, zoom: 1.1, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0, keyframes: null };
  it('dreams every (tween + 1)th frame and tweens from the last dreamed one with the zooms in between', () => {
    const plans = Array.from({ length: 7 }, (_, i) => planFrame(DEFAULT_RECIPE, settings, i, 101, 101));
    expect(plans.map((p) => [p.kind, p.source])).toEqual([
      ['dream', -1],
      ['tween', 0],
      ['tween', 0],
      ['dream', 0],
      ['tween', 3],
      ['tween', 3],
      ['dream', 3],
    ]);
    expect(plans[0]!.transform.a).toBe(1);
    expect(plans[2]!.transform.a).toBeCloseTo(1.1 ** 2, 12);
    expect(plans[3]!.transform.a).toBeCloseTo(1.1 ** 3, 12);
    expect(plans[1]!.seed).toBeNull();
    expect(plans[3]!.seed).toBe(frameSeed(DEFAULT_RECIPE.seed, 3));
  });

  it('derives distinct, reproducible seeds from the recipe seed and the frame index', () => {
    const seeds = Array.from({ length: 100 }, (_, i) => frameSeed(7, i));
    expect(new Set(seeds).size).toBe(100);
    expect(frameSeed(7, 3)).toBe(seeds[3]);
    expect(frameSeed(8, 3)).not.toBe(seeds[3]);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
});
