// Contact sheets: labelled grids of pictures (channel visualizations, feature maps, kernels), drawn
// with sharp; labels are one SVG overlay. Marked cells (fine-tuned layers) get an orange frame.
import sharp from 'sharp';
import type { RgbImage } from '../shared/image.ts';

export interface SheetCell {
  image: RgbImage;
  label: string;
  marked?: boolean;
}

export interface SheetOptions {
  /** Side of each cell's picture in pixels; pictures are scaled to fit (nearest for tiny ones). */
  cellSize: number;
  columns?: number;
  title?: string;
  /** Scaling kernel: 'nearest' keeps small maps and kernels blocky (default 'lanczos3'). */
  kernel?: 'nearest' | 'lanczos3';
}

export const SHEET_GAP = 4;
export const MARK_COLOUR = '#ff8c1a';

export interface SheetLayout {
  columns: number;
  rows: number;
  labelHeight: number;
  titleHeight: number;
  width: number;
  height: number;
}

export function sheetLayout(count: number, options: SheetOptions): SheetLayout {
  const columns = Math.max(1, Math.min(count, options.columns ?? Math.ceil(Math.sqrt(count))));
  const rows = Math.max(1, Math.ceil(count / columns));
  const labelHeight = Math.max(12, Math.min(24, Math.round(options.cellSize / 6)));
  const titleHeight = options.title ? labelHeight + 8 : 0;
  // Wide enough for the title too (DejaVu Sans averages about 0.6 em per character).
  const titleWidth = options.title ? Math.ceil(options.title.length * (titleFont(labelHeight) * 0.62)) + 2 * SHEET_GAP : 0;
  return {
    columns,
    rows,
    labelHeight,
    titleHeight,
    width: Math.max(titleWidth, columns * (options.cellSize + SHEET_GAP) + SHEET_GAP),
    height: titleHeight + rows * (options.cellSize + labelHeight + SHEET_GAP) + SHEET_GAP,
  };
}

const labelFont = (labelHeight: number): number => Math.round(labelHeight * 0.72);
const titleFont = (labelHeight: number): number => labelFont(labelHeight) + 2;

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function cellPng(image: RgbImage, size: number, kernel: 'nearest' | 'lanczos3'): Promise<Buffer> {
  const bytes = Buffer.from(Uint8ClampedArray.from(image.rgb));
  return sharp(bytes, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(size, size, { fit: 'contain', kernel, background: '#000' })
    .png()
    .toBuffer();
}

/** Draws the sheet; returns its pixels (the caller encodes, with metadata, and writes atomically). */
export async function contactSheet(cells: readonly SheetCell[], options: SheetOptions): Promise<RgbImage> {
  if (cells.length === 0) throw new RangeError('A contact sheet needs at least one picture.');
  const L = sheetLayout(cells.length, options);
  const size = options.cellSize;
  const font = labelFont(L.labelHeight);
  const svg: string[] = [];
  if (options.title) svg.push(`<text x="${SHEET_GAP}" y="${L.titleHeight - 8}" font-family="DejaVu Sans, sans-serif" font-size="${titleFont(L.labelHeight)}" fill="#eee">${escapeXml(options.title)}</text>`);
  const composites = await Promise.all(
    cells.map(async (cell, i) => {
      const left = SHEET_GAP + (i % L.columns) * (size + SHEET_GAP);
      const top = L.titleHeight + SHEET_GAP + Math.floor(i / L.columns) * (size + L.labelHeight + SHEET_GAP);
      if (cell.marked) svg.push(`<rect x="${left - 2}" y="${top - 2}" width="${size + 4}" height="${size + L.labelHeight + 4}" fill="${MARK_COLOUR}"/>`);
      svg.push(`<text x="${left + 3}" y="${top + size + L.labelHeight - Math.round(L.labelHeight * 0.25)}" font-family="DejaVu Sans, sans-serif" font-size="${font}" fill="${cell.marked ? '#111' : '#ddd'}">${escapeXml(cell.label)}</text>`);
      return { input: await cellPng(cell.image, size, options.kernel ?? 'lanczos3'), left, top };
    }),
  );
  // Frames go under the pictures, text over the label strips: draw the SVG first, pictures on top.
  const overlay = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}">${svg.join('')}</svg>`);
  const { data, info } = await sharp({ create: { width: L.width, height: L.height, channels: 3, background: '#181818' } })
    .composite([{ input: overlay, left: 0, top: 0 }, ...composites])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: Float32Array.from(data) };
}
