// Sweep axes as users type them: --vary layers=mixed3,mixed4  --vary step-size=0.5,1.5,3
// --vary channel=mixed4:0-7  --vary octaves=2,3,4  --vary steps=5,10  --vary seed=0,1,2.
import { parseChannelList } from '../../engine/inspect/channelList.ts';
import { parseLayerList, type Recipe } from '../../engine/recipe/recipe.ts';
import { UsageError } from '../shared.ts';

export interface SweepValue {
  label: string;
  apply: (r: Recipe) => Recipe;
}

export interface SweepAxis {
  name: string;
  values: SweepValue[];
}

const NUMERIC: Record<string, keyof Recipe> = { 'step-size': 'stepSize', steps: 'steps', octaves: 'octaves', 'octave-scale': 'octaveScale', seed: 'seed', jitter: 'jitter' };
export const SWEEP_KEYS = ['layers', 'channel', ...Object.keys(NUMERIC)];
const MAX_CELLS = 256;

/** Parses one --vary; `channelsOf` gives a layer's channel count (for channel ranges). */
export function parseSweepAxis(text: string, channelsOf: (layer: string) => number): SweepAxis {
  const eq = text.indexOf('=');
  const key = eq > 0 ? text.slice(0, eq).trim() : '';
  const list = eq > 0 ? text.slice(eq + 1).trim() : '';
  if (!SWEEP_KEYS.includes(key) || !list) throw new UsageError(`--vary expects KEY=VALUES with KEY one of ${SWEEP_KEYS.join(', ')}, e.g. --vary layers=mixed3,mixed4; got "${text}".`);
  if (key === 'layers') {
    // Each comma-separated entry is one cell; "+" joins layers within a cell: mixed3+mixed5,mixed4.
    return { name: key, values: list.split(',').map((cell) => ({ label: cell, apply: (r) => ({ ...r, layers: parseLayerList(cell.replace(/\+/g, ',')), channels: [], classes: [] }) })) };
  }
  if (key === 'channel') {
    const m = /^([^:]+):(.+)$/.exec(list);
    if (!m) throw new UsageError(`--vary channel=LAYER:LIST, e.g. channel=mixed4:0-7; got "${list}".`);
    const layer = m[1]!;
    return { name: key, values: parseChannelList(m[2]!, channelsOf(layer), `layer "${layer}"`).map((index) => ({ label: `${layer}:${index}`, apply: (r) => ({ ...r, layers: [], classes: [], channels: [{ layer, index, weight: 1 }] }) })) };
  }
  const field = NUMERIC[key]!;
  return {
    name: key,
    values: list.split(',').map((v) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--vary ${key}= expects numbers, got "${v}".`);
      return { label: `${n}`, apply: (r) => ({ ...r, [field]: n }) };
    }),
  };
}

/** Every combination of the axes: the first changes from row to row, the last along each row. */
export function sweepCells(axes: readonly SweepAxis[], base: Recipe): Array<{ label: string; recipe: Recipe }> {
  let cells = [{ label: '', recipe: base }];
  for (const axis of axes) {
    cells = cells.flatMap((c) => axis.values.map((v) => ({ label: c.label ? `${c.label} · ${v.label}` : v.label, recipe: v.apply(c.recipe) })));
  }
  if (cells.length > MAX_CELLS) throw new UsageError(`That sweep has ${cells.length} cells; at most ${MAX_CELLS} fit one sheet.`);
  return cells;
}
