// Hostile image files for the CLI matrix: corrupt, truncated, empty, misnamed, bombs that declare
// huge sizes (valid headers, tiny files), animated and multi-page files, a 1x1 image.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { crc32, PNG_SIGNATURE } from '../../engine/io/pngChunks.ts';

/** A smooth 96x80 test photo (RGB), as raw pixels piped through sharp. */
export function photo(width = 96, height = 80): sharp.Sharp {
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.set([(i % width) * 2, (Math.floor(i / width) * 3) % 256, 90], i * 3);
  return sharp(rgb, { raw: { width, height, channels: 3 } });
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4, 8))));
  return Buffer.concat([head, data, crc]);
}

/**
 * A well-formed PNG declaring width x height 1-bit grey pixels whose IDAT really inflates to them
 * (rows of zeros compress ~1000:1): a genuine decompression bomb, ~50 kB on disk for 400 Mpx.
 */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, filter 0, no interlace
  const rows = Buffer.alloc(height * (1 + Math.ceil(width / 8)));
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** A real JPEG whose SOF0 header is patched to declare width x height. */
export async function jpegDeclaring(width: number, height: number): Promise<Buffer> {
  const jpg = Buffer.from(await photo(16, 16).jpeg({ mozjpeg: false }).toBuffer());
  const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
  jpg.writeUInt16BE(height, sof + 5);
  jpg.writeUInt16BE(width, sof + 7);
  return jpg;
}

/** A GIF whose logical screen and only frame declare 65535x65535. */
export async function gifDeclaringHuge(): Promise<Buffer> {
  const gif = Buffer.from(await photo(8, 8).gif().toBuffer());
  gif.writeUInt16LE(65535, 6);
  gif.writeUInt16LE(65535, 8);
  const descriptor = gif.indexOf(0x2c, 13); // image descriptor: left, top, width, height
  gif.writeUInt16LE(65535, descriptor + 5);
  gif.writeUInt16LE(65535, descriptor + 7);
  return gif;
}

/** Three solid frames (red, green, blue) as one animated or multi-page file. */
export async function threeFrames(format: 'gif' | 'tiff' | 'webp'): Promise<Buffer> {
  const solid = (r: number, g: number, b: number) => sharp({ create: { width: 96, height: 80, channels: 3, background: { r, g, b } } }).png().toBuffer();
  const frames = await Promise.all([solid(220, 30, 30), solid(30, 220, 30), solid(30, 30, 220)]);
  return sharp(frames, { join: { animated: true } }).toFormat(format).toBuffer();
}

export interface ImageCase {
  name: string;
  /** File name (inside the case folder) and content. */
  file: string;
  data: Buffer;
  /** Extra CLI flags, e.g. a lower --max-pixels. */
  flags?: string[];
  /** The error's type name the CLI must print. */
  error: string;
  /** What the message must say. */
  says: RegExp;
}

/** Every bad image case, written into `dir`. */
export async function writeImageCases(dir: string): Promise<ImageCase[]> {
  const png = await photo().png().toBuffer();
  const jpg = await photo().jpeg().toBuffer();
  const webp = await photo().webp().toBuffer();
  const tiff = await photo().tiff().toBuffer();
  const corrupt = (b: Buffer, from: number): Buffer => Buffer.concat([b.subarray(0, from), Buffer.alloc(b.length - from, 0x5a)]);
  const cases: ImageCase[] = [
    { name: 'zero-byte .png', file: 'empty.png', data: Buffer.alloc(0), error: 'ImageDecodeError', says: /empty \(0 bytes\)/ },
    { name: 'zero-byte .jpg', file: 'empty.jpg', data: Buffer.alloc(0), error: 'ImageDecodeError', says: /empty \(0 bytes\)/ },
    { name: 'PNG truncated to half', file: 'half.png', data: png.subarray(0, png.length >> 1), error: 'ImageDecodeError', says: /PNG .*truncated or corrupt/ },
    { name: 'PNG truncated to 40 bytes', file: 'forty.png', data: png.subarray(0, 40), error: 'ImageDecodeError', says: /PNG .*truncated or corrupt/ },
    { name: 'JPEG truncated to half', file: 'half.jpg', data: jpg.subarray(0, jpg.length >> 1), error: 'ImageDecodeError', says: /JPEG .*truncated or corrupt/ },
    { name: 'WebP truncated to half', file: 'half.webp', data: webp.subarray(0, webp.length >> 1), error: 'ImageDecodeError', says: /WebP .*truncated or corrupt/ },
    { name: 'TIFF truncated to half', file: 'half.tiff', data: tiff.subarray(0, tiff.length >> 1), error: 'ImageDecodeError', says: /TIFF .*truncated or corrupt/ },
    { name: 'PNG, data overwritten after the header', file: 'corrupt.png', data: corrupt(png, 60), error: 'ImageDecodeError', says: /PNG .*truncated or corrupt/ },
    { name: 'JPEG, data overwritten after 200 bytes', file: 'corrupt.jpg', data: corrupt(jpg, 200), error: 'ImageDecodeError', says: /JPEG .*truncated or corrupt/ },
    { name: 'PNG signature only', file: 'signature.png', data: Buffer.from(PNG_SIGNATURE), error: 'ImageDecodeError', says: /PNG .*truncated or corrupt/ },
    { name: 'text named .png', file: 'notes.png', data: Buffer.from('shopping list: eggs, milk\n'), error: 'UnsupportedImageError', says: /named \.png but its contents are not/ },
    { name: 'SVG named .png', file: 'vector.png', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'), error: 'UnsupportedImageError', says: /SVG is not supported/ },
    { name: 'BMP named .jpg', file: 'bitmap.jpg', data: bmp(), error: 'UnsupportedImageError', says: /BMP is not supported/ },
    { name: 'PDF named .tiff', file: 'scan.tiff', data: Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n'), error: 'UnsupportedImageError', says: /PDF is not supported/ },
    { name: 'PNG bomb: 20000x20000 (400 Mpx, 1-bit)', file: 'bomb.png', data: pngBomb(20000, 20000), error: 'ImageTooLargeError', says: /20000×20000 = 400,000,000 pixels, more than the limit/ },
    { name: 'JPEG declaring 65000x65000', file: 'bomb.jpg', data: await jpegDeclaring(65000, 65000), error: 'ImageTooLargeError', says: /65000×65000/ },
    { name: 'GIF declaring 65535x65535', file: 'bomb.gif', data: await gifDeclaringHuge(), error: 'ImageTooLargeError', says: /65535×65535/ },
    { name: 'real 96x80 over --max-pixels 5000', file: 'big.png', data: png, flags: ['--max-pixels', '5000'], error: 'ImageTooLargeError', says: /96×80 = 7,680 pixels, more than the limit of 5,000/ },
    { name: '1x1 image', file: 'dot.png', data: await photo(1, 1).png().toBuffer(), error: 'ImageTooSmallError', says: /1x1.*needs at least/ },
    { name: '1x1 image (JPEG)', file: 'dot.jpg', data: await photo(1, 1).jpeg().toBuffer(), error: 'ImageTooSmallError', says: /1x1.*needs at least/ },
  ];
  for (const c of cases) await writeFile(join(dir, c.file), c.data);
  return cases;
}

/** A minimal 2x2 24-bit BMP (sharp cannot read BMP). */
function bmp(): Buffer {
  const b = Buffer.alloc(54 + 16);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(2, 18);
  b.writeInt32LE(2, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  return b;
}
