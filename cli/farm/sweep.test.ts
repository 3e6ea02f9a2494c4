import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from '../../engine/recipe/recipe.ts';
import { parseSweepAxis, sweepCells } from './sweep.ts';

const channelsOf = (layer: string): number => (layer === 'mixed4' ? 768 : 288);

describe('sweep axes', () => {
  it('turns layers, channel ranges and numbers into recipe changes', () => {
    const layers = parseSweepAxis('layers=mixed3,mixed4+mixed5', channelsOf);
    expect(layers.values.map((v) => v.apply(DEFAULT_RECIPE).layers)).toEqual([[{ name: 'mixed3', weight: 1 }], [{ name: 'mixed4', weight: 1 }, { name: 'mixed5', weight: 1 }]]);
    const channels = parseSweepAxis('channel=mixed4:0-2,97', channelsOf);
    expect(channels.values.map((v) => v.label)).toEqual(['mixed4:0', 'mixed4:1', 'mixed4:2', 'mixed4:97']);
    expect(channels.values[3]!.apply(DEFAULT_RECIPE)).toMatchObject({ layers: [], channels: [{ layer: 'mixed4', index: 97, weight: 1 }] });
    expect(parseSweepAxis('step-size=0.5,3', channelsOf).values.map((v) => v.apply(DEFAULT_RECIPE).stepSize)).toEqual([0.5, 3]);
  });

  it('refuses unknown keys, bad numbers and channels out of range', () => {
    expect(() => parseSweepAxis('shell=rm', channelsOf)).toThrow(/KEY one of layers, channel/);
    expect(() => parseSweepAxis('steps=ten', channelsOf)).toThrow(/expects numbers/);
    expect(() => parseSweepAxis('channel=mixed3:300', channelsOf)).toThrow(/out of range/);
  });

  it('crosses two axes: the first by rows, the second along each row', () => {
    const cells = sweepCells([parseSweepAxis('layers=mixed3,mixed4', channelsOf), parseSweepAxis('seed=1,2,3', channelsOf)], DEFAULT_RECIPE);
    expect(cells.map((c) => c.label)).toEqual(['mixed3 · 1', 'mixed3 · 2', 'mixed3 · 3', 'mixed4 · 1', 'mixed4 · 2', 'mixed4 · 3']);
    expect(cells[5]!.recipe).toMatchObject({ seed: 3, layers: [{ name: 'mixed4', weight: 1 }] });
  });
});
