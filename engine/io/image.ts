// Image decode/encode at the engine boundary. Pixels cross as float32 RGB (HWC, 0..255) with
// alpha kept aside, because the engine dreams on RGB only and re-attaches alpha on output.
import sharp from 'sharp';
import {
  ImageDecodeError,
  ImageTooLargeError,
  OutputWriteError,
  UnsupportedImageError,
  summarizeDetail,
} from './errors.ts';
import { FORMAT_LABEL, SHARP_FORMAT_LABEL, SUPPORTED_LIST, extensionOf, sniffFormat } from './formats.ts';
import type { SupportedFormat } from './formats.ts';
import { openImageInput } from './imageInput.ts';
import { addPngTexts } from './pngText.ts';

export { readPngTexts } from './pngText.ts';

/** 64 megapixels: ~768 MB as float32 RGB, and far beyond what dreaming at full size can handle. */
export const DEFAULT_MAX_PIXELS = 64_000_000;

export interface DecodedImage {
  width: number;
  height: number;
  /** RGB float32 HWC in 0..255 */
  rgb: Float32Array;
  /** alpha 0..255 per pixel, or null when opaque */
  alpha: Uint8Array | null;
  source: string;
  /** Frames (animated GIF/WebP) or pages (TIFF) in the file; only the first is decoded. */
  pages: number;
}

export interface DecodeOptions {
  /** Largest accepted width × height (default DEFAULT_MAX_PIXELS). */
  maxPixels?: number;
  /** Name used in errors and `source`; defaults to the path, or 'image data' for buffers. */
  name?: string;
}

export interface ImageHeader {
  format: SupportedFormat;
  /** As the user sees it (EXIF orientation applied). */
  width: number;
  height: number;
  hasAlpha: boolean;
  pages: number;
}

/**
 * Checks an image from its header alone (format, size limit), decoding no pixels: what a host
 * needs to accept a file before it makes its own scaled copies.
 */
export async function inspectImage(input: string | Buffer, opts: DecodeOptions = {}): Promise<ImageHeader & { src: string | Buffer; name: string; maxPixels: number }> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(maxPixels > 0)) throw new RangeError(`maxPixels must be positive, got ${maxPixels}`);
  const name = opts.name ?? (typeof input === 'string' ? input : 'image data');
  const { src, head } = await openImageInput(input, name);
  const sniffed = sniffFormat(head);
  if (sniffed !== null && !sniffed.supported) throw unsupported(name, sniffed.label);

  // Header only. Sharp's default pixel limit would already reject huge images here with a vague
  // message, so it is lifted for this step and our own limit is applied below.
  let meta: sharp.Metadata;
  try {
    meta = await sharp(src, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw headerFailure(name, sniffed?.format ?? null, err);
  }
  const format = acceptedFormat(name, meta);
  // Report the size as the user sees it (EXIF-rotated); the pixel count is the same either way.
  const { width, height } = meta.autoOrient;
  if (width * height > maxPixels) throw new ImageTooLargeError(name, width, height, maxPixels);
  return { format, width, height, hasAlpha: meta.hasAlpha, pages: meta.pages ?? 1, src, name, maxPixels };
}

/**
 * Decodes PNG, JPEG, WebP, TIFF, AVIF or GIF (first frame) to 8-bit sRGB with EXIF orientation
 * applied. The header is checked against `maxPixels` before any pixel data is decoded.
 */
export async function decodeImage(input: string | Buffer, opts: DecodeOptions = {}): Promise<DecodedImage> {
  const { src, name, maxPixels, format, width, height, pages } = await inspectImage(input, opts);

  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    // limitInputPixels is a second guard: it re-checks the header libvips actually decodes.
    // failOn 'warning' (sharp's default, made explicit) is the strictest level; with 'truncated'
    // or 'error', some truncated or corrupt TIFFs decode silently with filler pixels.
    const limitInputPixels = Number.isFinite(maxPixels) ? maxPixels : false;
    raw = await sharp(src, { limitInputPixels, failOn: 'warning', pages: 1, page: 0 })
      .rotate()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    if (/pixel limit/i.test(String(err))) throw new ImageTooLargeError(name, width, height, maxPixels, { cause: err });
    const label = FORMAT_LABEL[format];
    throw new ImageDecodeError(name, `${label} image data is truncated or corrupt`, {
      detail: summarizeDetail(err),
      cause: err,
    });
  }
  return { ...splitChannels(raw.data, raw.info, name), source: name, pages };
}

function unsupported(name: string, label: string): UnsupportedImageError {
  return new UnsupportedImageError(name, `${label} is not supported; convert it to PNG or JPEG`, label);
}

/** Sharp could not read the header: corrupt if the bytes look like a known format, else unknown. */
function headerFailure(name: string, sniffed: SupportedFormat | null, err: unknown): Error {
  const detail = summarizeDetail(err);
  if (sniffed !== null) {
    return new ImageDecodeError(name, `${FORMAT_LABEL[sniffed]} file is truncated or corrupt`, { detail, cause: err });
  }
  const ext = extensionOf(name);
  const named = ext === null ? '' : `it is named .${ext} but `;
  return new UnsupportedImageError(
    name,
    `not a recognised image: ${named}its contents are not ${SUPPORTED_LIST} data`,
    null,
    { detail, cause: err },
  );
}

/** Maps sharp's format name onto Reverie's accepted set; HEIF is only accepted with AV1 (AVIF). */
function acceptedFormat(name: string, meta: sharp.Metadata): SupportedFormat {
  const f = meta.format as string;
  if (f === 'png' || f === 'jpeg' || f === 'webp' || f === 'tiff' || f === 'gif') return f;
  if (f === 'heif') {
    if (meta.compression === 'av1') return 'avif';
    throw unsupported(name, meta.compression === 'hevc' ? 'HEIC' : 'HEIF');
  }
  throw unsupported(name, SHARP_FORMAT_LABEL[f] ?? `${f.toUpperCase()} format`);
}

function splitChannels(
  data: Buffer,
  info: sharp.OutputInfo,
  name: string,
): { width: number; height: number; rgb: Float32Array; alpha: Uint8Array | null } {
  const { width, height, channels } = info;
  if (channels !== 3 && channels !== 4) {
    throw new ImageDecodeError(name, `decoded to ${channels} channels instead of RGB or RGBA`);
  }
  const n = width * height;
  const rgb = new Float32Array(n * 3);
  const alpha = channels === 4 ? new Uint8Array(n) : null;
  let opaque = true;
  for (let i = 0, s = 0, d = 0; i < n; i++, s += channels, d += 3) {
    rgb[d] = data[s] as number;
    rgb[d + 1] = data[s + 1] as number;
    rgb[d + 2] = data[s + 2] as number;
    if (alpha !== null) {
      const a = data[s + 3] as number;
      alpha[i] = a;
      if (a !== 255) opaque = false;
    }
  }
  // GIF and palette PNGs often decode with an all-255 alpha band; report those as opaque.
  return { width, height, rgb, alpha: opaque ? null : alpha };
}

/**
 * Encodes RGB (float, rounded and clamped to 0..255) plus optional alpha as PNG, with each entry
 * of `texts` stored as an uncompressed UTF-8 iTXt chunk before IEND.
 */
export async function encodePng(
  img: { width: number; height: number; rgb: Float32Array; alpha: Uint8Array | null },
  texts: Readonly<Record<string, string>> = {},
): Promise<Buffer> {
  const { width, height, rgb, alpha } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  }
  const n = width * height;
  if (rgb.length !== n * 3) throw new RangeError(`rgb has ${rgb.length} values; ${width}×${height}×3 needs ${n * 3}`);
  if (alpha !== null && alpha.length !== n) {
    throw new RangeError(`alpha has ${alpha.length} values; ${width}×${height} needs ${n}`);
  }
  const channels = alpha === null ? 3 : 4;
  const buf = Buffer.alloc(n * channels);
  // Uint8ClampedArray assignment clamps, rounds (half to even) and maps NaN to 0.
  const out = new Uint8ClampedArray(buf.buffer, buf.byteOffset, buf.length);
  for (let i = 0, s = 0, d = 0; i < n; i++, s += 3, d += channels) {
    out[d] = rgb[s] as number;
    out[d + 1] = rgb[s + 1] as number;
    out[d + 2] = rgb[s + 2] as number;
    if (alpha !== null) out[d + 3] = alpha[i] as number;
  }
  let png: Buffer;
  try {
    png = await sharp(buf, { raw: { width, height, channels }, limitInputPixels: false }).png().toBuffer();
  } catch (err) {
    throw new OutputWriteError('PNG output', 'could not encode the image as PNG', undefined, {
      detail: summarizeDetail(err),
      cause: err,
    });
  }
  return addPngTexts(png, texts, 'PNG output');
}
