// Paint strokes as data (so undo and redo replay them) and their drawing on a 2D canvas. A stroke
// is one path stroked once, so its opacity never builds up where it crosses itself; the eraser
// takes paint away (destination-out) and never the frame underneath.
export type Tool = 'brush' | 'eraser' | 'eyedropper';

export interface Point {
  x: number;
  y: number;
}

export interface Stroke {
  tool: 'brush' | 'eraser';
  colour: string;
  size: number;
  opacity: number;
  points: Point[];
}

/** The slice of CanvasRenderingContext2D drawing needs (tests pass a recorder). */
export interface StrokeContext {
  globalAlpha: number;
  globalCompositeOperation: GlobalCompositeOperation;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  lineCap: CanvasLineCap;
  lineJoin: CanvasLineJoin;
  save(): void;
  restore(): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
}

export function drawStroke(ctx: StrokeContext, s: Stroke): void {
  const [first, ...rest] = s.points;
  if (!first) return;
  ctx.save();
  ctx.globalAlpha = s.opacity;
  ctx.globalCompositeOperation = s.tool === 'eraser' ? 'destination-out' : 'source-over';
  ctx.strokeStyle = s.colour;
  ctx.lineWidth = s.size;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(first.x, first.y);
  // A click is a dot: a round cap on a tiny segment.
  if (rest.length === 0) ctx.lineTo(first.x + 0.01, first.y);
  for (const p of rest) ctx.lineTo(p.x, p.y);
  ctx.stroke();
  ctx.restore();
}

/** "#rrggbb" from 0-255 channels (what a colour input takes). */
export function hexColour(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('')}`;
}

/** Canvas pixel under a pointer, for an element showing the canvas at another size. */
export function canvasPoint(clientX: number, clientY: number, box: { left: number; top: number; width: number; height: number }, width: number, height: number): Point {
  const x = ((clientX - box.left) / box.width) * width;
  const y = ((clientY - box.top) / box.height) * height;
  return { x: Math.min(width, Math.max(0, x)), y: Math.min(height, Math.max(0, y)) };
}
