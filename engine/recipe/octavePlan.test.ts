// Size-aware octave counts: pattern size fixes the smallest octave, the image size the count.
import { describe, expect, it } from 'vitest';
import { autoOctaves, DEFAULT_PATTERN_SIZE, FULL_OCTAVES, octaveCount, octaveSteps, PATTERN_REFERENCE_PX } from './octavePlan.ts';

describe('autoOctaves', () => {
  it('gives the fixed recipe four octaves of 1.4 at 640x427, and four more at 4x the size', () => {
    expect(autoOctaves(427, 640, DEFAULT_PATTERN_SIZE, 1.4)).toBe(4);
    expect(autoOctaves(427 * 4, 640 * 4, DEFAULT_PATTERN_SIZE, 1.4)).toBe(8);
  });

  it('keeps the smallest octave near REFERENCE / patternSize whatever the size', () => {
    for (const short of [300, 600, 1200, 2400, 4000]) {
      const n = autoOctaves(short, short * 1.5, DEFAULT_PATTERN_SIZE, 1.4);
      const smallest = short / 1.4 ** (n - 1);
      const target = PATTERN_REFERENCE_PX / DEFAULT_PATTERN_SIZE;
      expect(smallest / target).toBeGreaterThan(1 / Math.sqrt(1.4) - 1e-9);
      expect(smallest / target).toBeLessThan(Math.sqrt(1.4) + 1e-9);
    }
  });

  it('larger patterns need more octaves; limits hold; without patternSize the recipe count stands', () => {
    expect(autoOctaves(1000, 1000, 0.2, 1.4)).toBeGreaterThan(autoOctaves(1000, 1000, 0.05, 1.4));
    expect(autoOctaves(50, 50, 0.01, 1.4)).toBe(1);
    expect(autoOctaves(100_000, 100_000, 1, 1.1)).toBe(12);
    expect(autoOctaves(1000, 1000, 0.1, 1)).toBe(1);
    expect(octaveCount({ octaves: 3, octaveScale: 1.4 }, 4000, 4000)).toBe(3);
    expect(octaveCount({ octaves: 3, octaveScale: 1.4, patternSize: DEFAULT_PATTERN_SIZE }, 1708, 2560)).toBe(8);
  });
});

describe('octaveSteps', () => {
  const aware = { steps: 10, octaveScale: 1.4, patternSize: DEFAULT_PATTERN_SIZE };
  const shortSides = (short: number) => {
    const n = autoOctaves(short, short * 1.5, DEFAULT_PATTERN_SIZE, 1.4);
    return Array.from({ length: n }, (_, i) => Math.round(short / 1.4 ** (n - 1 - i)));
  };

  it('dreams the 0.3 MP photo with every step, and at 4x the size only sharpens above that scale', () => {
    expect(octaveSteps(aware, shortSides(427))).toEqual([10, 10, 10, 10]);
    const large = octaveSteps(aware, shortSides(1708));
    expect(large).toHaveLength(8);
    expect(large.slice(0, FULL_OCTAVES)).toEqual([10, 10, 10, 10]);
    // (reference / short)² of the steps, at least one; the reference short side is 175 * 1.4³ = 480:
    // 622 -> 6, 871 -> 3, 1220 -> 2, 1708 -> 1.
    expect(large.slice(FULL_OCTAVES)).toEqual([6, 3, 2, 1]);
  });

  it('keeps every step for a fixed octave count and for images up to the reference size', () => {
    expect(octaveSteps({ steps: 7, octaveScale: 1.4 }, shortSides(1708))).toEqual(Array(8).fill(7));
    expect(octaveSteps(aware, shortSides(200))).toEqual(shortSides(200).map(() => 10));
  });
});
