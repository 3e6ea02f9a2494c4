// Small picture helpers the engine worker's jobs share: the input scaled for a job, JPEG previews
// and thumbnails. sharp does the work off the JavaScript thread.
import sharp from 'sharp';
import { decodeImage, type DecodedImage } from '../engine/io/image.ts';
import { writeFileAtomic } from '../engine/io/atomic.ts';
import type { RgbImage } from '../engine/shared/image.ts';

/** The user's image, oriented and scaled so its long side is at most maxSide (never enlarged). */
export async function scaledInput(path: string, maxSide: number, name: string): Promise<DecodedImage> {
  const scaled = await sharp(path, { limitInputPixels: false })
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
  return decodeImage(scaled, { name });
}

export async function jpeg(img: RgbImage, quality: number): Promise<Uint8Array> {
  const pixels = Uint8ClampedArray.from(img.rgb);
  const buffer = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return sharp(buffer, { raw: { width: img.width, height: img.height, channels: 3 } }).jpeg({ quality }).toBuffer();
}

export const THUMB_SIDE = 384;

export async function thumbnail(image: string | Buffer | Uint8Array): Promise<Buffer> {
  return sharp(image).resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
}

/** Rewrites a project's thumbnail from one of its pictures. */
export async function writeThumbnail(from: string, to: string): Promise<void> {
  await writeFileAtomic(to, await thumbnail(from));
}
