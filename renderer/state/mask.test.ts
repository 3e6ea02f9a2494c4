// The painted mask's state: strokes as data, and when the dream would use it.
import { describe, expect, it } from 'vitest';
import { MaskState } from './mask.svelte.ts';

describe('MaskState', () => {
  it('records strokes in image fractions and is active only when something dreams', () => {
    const m = new MaskState();
    expect(m.active).toBe(false);
    m.enabled = true;
    expect(m.active).toBe(false); // nothing painted: nothing would dream
    m.begin(0.1, 0.2);
    m.extend(0.1, 0.8);
    m.end();
    expect(m.strokes).toEqual([{ erase: false, size: m.size, points: [[0.1, 0.2], [0.1, 0.8]] }]);
    expect(m.active).toBe(true);
    m.clear();
    expect(m.active).toBe(false);
    m.inverted = true; // inverted, the unpainted image dreams
    expect(m.active).toBe(true);
    m.enabled = false;
    expect(m.active).toBe(false);
  });
});
