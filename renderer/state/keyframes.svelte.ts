// The zoom's keyframes as an editable list of rows: a frame plus the values that change there, and
// an optional layer switch (the layers, with weights, that dream from that frame on).
import type { Keyframes } from '../../contract/projects.ts';
import type { LayerTerm } from '../../contract/types.ts';
import { emptyRow, fromKeyframes, keyProblems, SWITCH_WEIGHT, toKeyframes, type KeyRow } from '../lib/zoomFields.ts';

export class KeyframeList {
  rows = $state<KeyRow[]>([]);

  /** A new key after the last one (or mid-way), starting from the current zoom. */
  add(frames: number, zoom: number): void {
    const last = this.rows.at(-1)?.frame ?? -1;
    const frame = Math.max(0, Math.min(frames - 1, last < 0 ? Math.floor(frames / 2) : last + Math.max(1, Math.floor(frames / 4))));
    this.rows = [...this.rows, { ...emptyRow(frame), zoom }];
  }

  update(i: number, change: Partial<KeyRow>): void {
    this.rows = this.rows.map((k, j) => (j === i ? { ...k, ...change } : k));
  }

  remove(i: number): void {
    this.rows = this.rows.filter((_, j) => j !== i);
  }

  /** Starts a layer switch at key `i` from `layers` (the recipe's, so the user changes what differs). */
  startSwitch(i: number, layers: readonly LayerTerm[]): void {
    this.update(i, { layers: layers.map((l) => ({ name: l.name, weight: l.weight })), channels: [] });
  }

  /** No switch at key `i`: the layers before it carry on. */
  clearSwitch(i: number): void {
    this.update(i, { layers: null, channels: null });
  }

  isLayerOn(i: number, name: string): boolean {
    return this.rows[i]?.layers?.some((l) => l.name === name) ?? false;
  }

  weightOf(i: number, name: string): number {
    return this.rows[i]?.layers?.find((l) => l.name === name)?.weight ?? 1;
  }

  /** Adds or removes a layer of key `i`'s switch (starting one if there is none). */
  toggleLayer(i: number, name: string): void {
    const row = this.rows[i];
    if (!row) return;
    const layers = row.layers ?? [];
    const next = layers.some((l) => l.name === name) ? layers.filter((l) => l.name !== name) : [...layers, { name, weight: 1 }];
    this.update(i, { layers: next, channels: row.channels ?? [] });
  }

  setWeight(i: number, name: string, weight: number): void {
    const row = this.rows[i];
    if (!row?.layers || !Number.isFinite(weight)) return;
    const w = Math.round(Math.min(SWITCH_WEIGHT.max, Math.max(SWITCH_WEIGHT.min, weight)) * 100) / 100;
    this.update(i, { layers: row.layers.map((l) => (l.name === name ? { ...l, weight: w } : l)) });
  }

  /** `layerNames`: the active model's layers once known; a switch to another layer is a problem. */
  problems(frames: number, layerNames: readonly string[] = []): string[] {
    return keyProblems(this.rows, frames, layerNames);
  }

  get keyframes(): Keyframes | null {
    return toKeyframes(this.rows);
  }

  load(kf: Keyframes | null): void {
    this.rows = fromKeyframes(kf);
  }
}
