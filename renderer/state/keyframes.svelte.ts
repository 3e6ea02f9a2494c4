// The zoom's keyframes as an editable list of rows: a frame plus the values that change there.
import type { Keyframes } from '../../contract/projects.ts';
import { emptyRow, fromKeyframes, keyProblems, toKeyframes, type KeyRow } from '../lib/zoomFields.ts';

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

  problems(frames: number): string[] {
    return keyProblems(this.rows, frames);
  }

  get keyframes(): Keyframes | null {
    return toKeyframes(this.rows);
  }

  load(kf: Keyframes | null): void {
    this.rows = fromKeyframes(kf);
  }
}
