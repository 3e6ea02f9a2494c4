// The painted mask of the Dream panel: strokes as data in image fractions (so the mask fits the
// image at any size), with erase, invert, show/hide and clear. White (painted) dreams, black keeps.
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
  }

  /** What the dream would use: nothing when off, or when nothing dreams (no paint and not inverted). */
  get active(): boolean {
    return this.enabled && (this.inverted || this.strokes.some((s) => !s.erase));
  }
}

/**
 * Draws the dreaming area in `colour` on a transparent canvas of width x height: painted strokes
 * (or, inverted, everything but them), erase strokes taken back out.
 */
export function drawMask(ctx: CanvasRenderingContext2D, strokes: readonly MaskStroke[], width: number, height: number, inverted: boolean, colour: string): void {
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = colour;
  ctx.strokeStyle = colour;
  if (inverted) ctx.fillRect(0, 0, width, height);
  const short = Math.min(width, height);
  for (const s of strokes) {
    // Painting adds dreaming area; inverted, it takes it away; erasing does the opposite.
    ctx.globalCompositeOperation = s.erase !== inverted ? 'destination-out' : 'source-over';
    ctx.lineWidth = s.size * short;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    const [x0, y0] = s.points[0]!;
    ctx.moveTo(x0 * width, y0 * height);
    for (const [x, y] of s.points.length > 1 ? s.points.slice(1) : [[x0 + 1e-4, y0] as [number, number]]) ctx.lineTo(x * width, y * height);
    ctx.stroke();
  }
  ctx.globalCompositeOperation = 'source-over';
}

/** The mask as a PNG at the image's size: white dreams, black keeps. */
export async function maskPng(mask: MaskState, width: number, height: number): Promise<Uint8Array> {
  const layer = document.createElement('canvas');
  [layer.width, layer.height] = [width, height];
  drawMask(layer.getContext('2d')!, mask.strokes, width, height, mask.inverted, '#ffffff');
  const out = document.createElement('canvas');
  [out.width, out.height] = [width, height];
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#000000';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(layer, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('The mask could not be encoded as PNG.');
  return new Uint8Array(await blob.arrayBuffer());
}
