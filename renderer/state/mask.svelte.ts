// The painted mask of the Dream panel: strokes as data in image fractions (so the mask fits the
// image at any size), with erase, invert, show/hide and clear. White (painted) dreams, black keeps.
// A mask loaded with a recipe is the base the strokes paint over; unedited, it is sent as it came.
import type { InputImage } from '../../contract/types.ts';

export interface MaskStroke {
  erase: boolean;
  /** Brush diameter as a fraction of the image's short side. */
  size: number;
  /** Points in image fractions (0..1 across, 0..1 down). */
  points: Array<[number, number]>;
}

export class MaskState {
  /** Whether the dream uses the mask at all. */
  enabled = $state(false);
  visible = $state(true);
  inverted = $state(false);
  erase = $state(false);
  size = $state(0.12);
  strokes = $state<MaskStroke[]>([]);
  live = $state<MaskStroke | null>(null);
  /** A mask image loaded with a recipe (grey: white dreams), under the strokes; null: none. */
  base = $state<InputImage | null>(null);

  /** Puts a loaded mask back: it becomes the base, and the mask is on and shown. */
  restore(image: InputImage): void {
    this.base = image;
    this.strokes = [];
    this.live = null;
    this.inverted = false;
    this.enabled = true;
    this.visible = true;
  }

  /** True once anything changed a loaded base (so it must be drawn again rather than sent as it came). */
  get edited(): boolean {
    return this.strokes.length > 0 || this.inverted;
  }

  begin(x: number, y: number): void {
    this.live = { erase: this.erase, size: this.size, points: [[x, y]] };
  }

  extend(x: number, y: number): void {
    if (this.live) this.live = { ...this.live, points: [...this.live.points, [x, y]] };
  }

  end(): void {
    if (this.live) this.strokes = [...this.strokes, this.live];
    this.live = null;
  }

  clear(): void {
    this.strokes = [];
    this.live = null;
    this.base = null;
  }

  /** What the dream would use: nothing when off, or when nothing dreams (no paint, no base, not inverted). */
  get active(): boolean {
    return this.enabled && (this.inverted || this.base !== null || this.strokes.some((s) => !s.erase));
  }
}

/**
 * The dreaming area as white of varying opacity on a transparent canvas of width x height: the base
 * mask's grey as opacity, painted strokes added, erase strokes taken out, then all of it inverted.
 */
function coverage(strokes: readonly MaskStroke[], width: number, height: number, inverted: boolean, base: CanvasImageSource | null): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  [canvas.width, canvas.height] = [width, height];
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  if (base) {
    ctx.drawImage(base, 0, 0, width, height);
    const px = ctx.getImageData(0, 0, width, height);
    for (let i = 0; i < px.data.length; i += 4) [px.data[i], px.data[i + 1], px.data[i + 2], px.data[i + 3]] = [255, 255, 255, px.data[i]!];
    ctx.putImageData(px, 0, 0);
  }
  ctx.fillStyle = ctx.strokeStyle = '#ffffff';
  const short = Math.min(width, height);
  for (const s of strokes) {
    ctx.globalCompositeOperation = s.erase ? 'destination-out' : 'source-over';
    ctx.lineWidth = s.size * short;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    const [x0, y0] = s.points[0]!;
    ctx.moveTo(x0 * width, y0 * height);
    for (const [x, y] of s.points.length > 1 ? s.points.slice(1) : [[x0 + 1e-4, y0] as [number, number]]) ctx.lineTo(x * width, y * height);
    ctx.stroke();
  }
  if (inverted) {
    // XOR with opaque white leaves opacity 1 - a everywhere.
    ctx.globalCompositeOperation = 'xor';
    ctx.fillRect(0, 0, width, height);
  }
  return canvas;
}

/** Draws the dreaming area in `colour` (its opacity scaled by the mask's) on `ctx`, cleared first. */
export function drawMask(ctx: CanvasRenderingContext2D, strokes: readonly MaskStroke[], width: number, height: number, inverted: boolean, colour: string, base: CanvasImageSource | null = null): void {
  ctx.clearRect(0, 0, width, height);
  ctx.drawImage(coverage(strokes, width, height, inverted, base), 0, 0);
  ctx.globalCompositeOperation = 'source-in';
  ctx.fillStyle = colour;
  ctx.fillRect(0, 0, width, height);
  ctx.globalCompositeOperation = 'source-over';
}

/** Loads an image the page may draw from (a loaded mask's display copy). */
export function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('The mask image could not be loaded.'));
    img.src = url;
  });
}

/** The mask as a PNG at the image's size: white dreams, black keeps, grey blends. */
export async function maskPng(mask: MaskState, width: number, height: number): Promise<Uint8Array> {
  const base = mask.base ? await loadImage(mask.base.url) : null;
  const out = document.createElement('canvas');
  [out.width, out.height] = [width, height];
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#000000';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(coverage(mask.strokes, width, height, mask.inverted, base), 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('The mask could not be encoded as PNG.');
  return new Uint8Array(await blob.arrayBuffer());
}
