// The zoom's numbers as the UI offers them (ranges inside what the host accepts: the engine's own
// limits), and keyframes as an editable list of rows: a frame plus the values that change there,
// and the layers that dream from that frame on (a switch, held until the next one).
import type { Keyframes, RoundSettings } from '../../contract/projects.ts';
import type { ChannelTerm, LayerTerm } from '../../contract/types.ts';
import type { FieldSpec } from './recipeFields.ts';

export type ZoomField = 'zoom' | 'rotate' | 'frames' | 'tween' | 'blend' | 'anchorColors';

export const ZOOM_FIELDS: Record<ZoomField, FieldSpec<ZoomField>> = {
  frames: { key: 'frames', label: 'Frames', min: 1, max: 600, step: 1, integer: true, help: 'Output frames in all (dreamed frames plus tweens).' },
  zoom: { key: 'zoom', label: 'Zoom per frame', min: 0.5, max: 2, step: 0.01, integer: false, help: 'Scale per frame: 1.05 magnifies by 5 %; below 1 zooms out.' },
  rotate: { key: 'rotate', label: 'Rotation', min: -45, max: 45, step: 0.5, integer: false, help: 'Degrees per frame, clockwise.' },
  tween: { key: 'tween', label: 'Tween frames', min: 0, max: 30, step: 1, integer: true, help: 'Pure zoom frames between dreamed frames: smoother and faster, less dreaming.' },
  blend: { key: 'blend', label: 'Blend', min: 0, max: 1, step: 0.05, integer: false, help: 'Mix each dreamed frame with the zoomed previous one, for calmer motion.' },
  anchorColors: { key: 'anchorColors', label: 'Colour anchoring', min: 0, max: 1, step: 0.05, integer: false, help: "Pull each frame's colours towards frame 0's, so long zooms keep their palette." },
};

export const DEFAULT_ZOOM: RoundSettings & { frames: number } = { frames: 30, tween: 0, zoom: 1.05, rotate: 0, centerX: 0.5, centerY: 0.5, blend: 0, anchorColors: 0.3, keyframes: null };

/** Values a key may set; blank (null) cells leave a value as the frames before it had it. */
export const KEY_VALUES = ['zoom', 'rotate', 'centerX', 'centerY', 'steps'] as const;
export type KeyValue = (typeof KEY_VALUES)[number];

export const KEY_LIMITS: Record<KeyValue, { min: number; max: number; label: string }> = {
  zoom: { min: 0.1, max: 10, label: 'Zoom' },
  rotate: { min: -360, max: 360, label: 'Rot°' },
  centerX: { min: 0, max: 1, label: 'X' },
  centerY: { min: 0, max: 1, label: 'Y' },
  steps: { min: 0, max: 100, label: 'Steps' },
};

/** Layer weights a switch accepts (as the Dream panel's, which clamps to the same range). */
export const SWITCH_WEIGHT = { min: -4, max: 4 };

/**
 * `layers`/`channels`: the objective from this key on (null for both: no switch here, the layers
 * before carry on). Naming either replaces both, as the engine reads keys.
 */
export type KeyRow = { frame: number; ease: boolean; layers: LayerTerm[] | null; channels: ChannelTerm[] | null } & Record<KeyValue, number | null>;

export function emptyRow(frame: number): KeyRow {
  return { frame, ease: false, zoom: null, rotate: null, centerX: null, centerY: null, steps: null, layers: null, channels: null };
}

export function switchesLayers(row: KeyRow): boolean {
  return row.layers !== null || row.channels !== null;
}

/** What a switch dreams on, in words: "mixed4 ×0.5 + mixed5". */
export function describeSwitch(row: Pick<KeyRow, 'layers' | 'channels'>): string {
  const terms = [
    ...(row.layers ?? []).map((l) => (l.weight === 1 ? l.name : `${l.name} ×${l.weight}`)),
    ...(row.channels ?? []).map((c) => `${c.layer}:${c.index}${c.weight === 1 ? '' : ` ×${c.weight}`}`),
  ];
  return terms.length ? terms.join(' + ') : 'nothing';
}

/**
 * What stops the rows from being keyframes, in words; empty when they are fine. `layerNames`: the
 * active model's layers, once known (a switch to any other is refused); empty: not checked yet.
 */
export function keyProblems(rows: readonly KeyRow[], frames: number, layerNames: readonly string[] = []): string[] {
  const found: string[] = [];
  const seen = new Set<number>();
  for (const r of rows) {
    if (!Number.isInteger(r.frame) || r.frame < 0) found.push(`A key's frame must be a whole number from 0 (got ${r.frame}).`);
    else if (seen.has(r.frame)) found.push(`Two keys are at frame ${r.frame}; keep one.`);
    else if (r.frame >= frames) found.push(`The key at frame ${r.frame} comes after the last frame (${frames - 1}).`);
    seen.add(r.frame);
    for (const k of KEY_VALUES) {
      const v = r[k];
      if (v !== null && !(v >= KEY_LIMITS[k].min && v <= KEY_LIMITS[k].max)) found.push(`At frame ${r.frame}, ${KEY_LIMITS[k].label} must be from ${KEY_LIMITS[k].min} to ${KEY_LIMITS[k].max}.`);
    }
    if (switchesLayers(r)) found.push(...switchProblems(r, layerNames));
  }
  return found;
}

function switchProblems(r: KeyRow, layerNames: readonly string[]): string[] {
  const layers = r.layers ?? [];
  const channels = r.channels ?? [];
  if (layers.length + channels.length === 0) return [`At frame ${r.frame}, the layer switch names no layer: pick at least one, or remove the switch.`];
  const found: string[] = [];
  if (layerNames.length) {
    const unknown = [...new Set([...layers.map((l) => l.name), ...channels.map((c) => c.layer)])].filter((n) => !layerNames.includes(n));
    for (const name of unknown) found.push(`At frame ${r.frame}, the switch names "${name}", which is not a layer of this model; pick one of ${layerNames.join(', ')}.`);
  }
  for (const l of layers) {
    if (!(l.weight >= SWITCH_WEIGHT.min && l.weight <= SWITCH_WEIGHT.max)) found.push(`At frame ${r.frame}, the weight of ${l.name} must be from ${SWITCH_WEIGHT.min} to ${SWITCH_WEIGHT.max}.`);
  }
  return found;
}

/** The rows as the engine's keyframes (in frame order), or null when there are none. */
export function toKeyframes(rows: readonly KeyRow[]): Keyframes | null {
  if (rows.length === 0) return null;
  const keys = [...rows]
    .sort((a, b) => a.frame - b.frame)
    .map((r) => {
      const key: Keyframes['keys'][number] = { frame: r.frame };
      for (const k of KEY_VALUES) if (r[k] !== null) key[k] = r[k];
      if (r.ease) key.interpolation = 'ease';
      if (switchesLayers(r)) {
        key.layers = (r.layers ?? []).map((l) => ({ name: l.name, weight: l.weight }));
        key.channels = (r.channels ?? []).map((c) => ({ layer: c.layer, index: c.index, weight: c.weight }));
      }
      return key;
    });
  return { version: 1, interpolation: 'linear', keys };
}

export function fromKeyframes(kf: Keyframes | null): KeyRow[] {
  return (kf?.keys ?? []).map((k) => {
    const row = emptyRow(k.frame);
    for (const v of KEY_VALUES) row[v] = k[v] ?? null;
    row.ease = (k.interpolation ?? kf?.interpolation) === 'ease';
    if (k.layers !== undefined || k.channels !== undefined) {
      row.layers = (k.layers ?? []).map((l) => ({ ...l }));
      row.channels = (k.channels ?? []).map((c) => ({ ...c }));
    }
    return row;
  });
}

/** One stretch of the keyframe timeline: frames `from` to `to` (inclusive) dream on `label`. */
export interface LayerSpan {
  from: number;
  to: number;
  label: string;
  /** Starts at a key's switch (false for the recipe's own layers at the start). */
  switched: boolean;
}

/** The frames each set of layers dreams, as the engine switches them: the recipe's, then each switch's until the next. */
export function layerSpans(rows: readonly KeyRow[], frames: number, base: Pick<KeyRow, 'layers' | 'channels'>): LayerSpan[] {
  const last = Math.max(0, frames - 1);
  const keys = rows.filter((r) => switchesLayers(r) && Number.isInteger(r.frame) && r.frame >= 0 && r.frame <= last).sort((a, b) => a.frame - b.frame);
  const spans: LayerSpan[] = [];
  const push = (from: number, label: string, switched: boolean): void => {
    const prev = spans.at(-1);
    if (prev && prev.from === from) spans.pop();
    if (prev && prev.from < from) prev.to = from - 1;
    spans.push({ from, to: last, label, switched });
  };
  push(0, describeSwitch(base), false);
  for (const k of keys) push(k.frame, describeSwitch(k), true);
  return spans;
}
