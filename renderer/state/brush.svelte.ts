// The brush, eraser and eyedropper over the canvas, and the strokes with undo and redo. Strokes are
// data: the canvas redraws them, and undo/redo only move them between two lists.
import type { Point, Stroke, Tool } from '../lib/strokes.ts';

export class BrushState {
  tool = $state<Tool>('brush');
  size = $state(18);
  colour = $state('#ff7a45');
  opacity = $state(0.9);
  strokes = $state<Stroke[]>([]);
  undone = $state<Stroke[]>([]);
  /** The stroke being drawn (pointer down, not yet up). */
  live = $state<Stroke | null>(null);

  begin(p: Point): void {
    if (this.tool === 'eyedropper') return;
    this.live = { tool: this.tool, colour: this.colour, size: this.size, opacity: this.opacity, points: [p] };
  }

  extend(p: Point): void {
    if (this.live) this.live = { ...this.live, points: [...this.live.points, p] };
  }

  end(): void {
    if (!this.live) return;
    this.strokes = [...this.strokes, this.live];
    this.undone = [];
    this.live = null;
  }

  undo(): void {
    const last = this.strokes.at(-1);
    if (!last) return;
    this.strokes = this.strokes.slice(0, -1);
    this.undone = [...this.undone, last];
  }

  redo(): void {
    const next = this.undone.at(-1);
    if (!next) return;
    this.undone = this.undone.slice(0, -1);
    this.strokes = [...this.strokes, next];
  }

  /** Clears the canvas as one undoable step back… stroke by stroke. */
  clear(): void {
    if (this.strokes.length === 0) return;
    this.undone = [...this.undone, ...[...this.strokes].reverse()];
    this.strokes = [];
  }

  /** Forgets everything (the strokes went into a painting, or a new picture started). */
  reset(): void {
    this.strokes = [];
    this.undone = [];
    this.live = null;
  }

  /** The eyedropper's pick: the brush takes the colour and comes back. */
  pickColour(hex: string): void {
    this.colour = hex;
    this.tool = 'brush';
  }

  setSize(size: number): void {
    this.size = Math.min(200, Math.max(1, Math.round(size)));
  }

  setOpacity(opacity: number): void {
    this.opacity = Math.min(1, Math.max(0.05, Math.round(opacity * 100) / 100));
  }
}
