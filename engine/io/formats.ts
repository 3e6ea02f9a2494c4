// Recognises image formats from their first bytes. Used to tell "corrupt PNG" from "not an image
// at all", and to name formats sharp cannot read (HEIC, BMP, PSD, …) instead of a generic failure.

export type SupportedFormat = 'png' | 'jpeg' | 'webp' | 'tiff' | 'avif' | 'gif';

export const FORMAT_LABEL: Readonly<Record<SupportedFormat, string>> = {
  png: 'PNG',
  jpeg: 'JPEG',
  webp: 'WebP',
  tiff: 'TIFF',
  avif: 'AVIF',
  gif: 'GIF',
};

export const SUPPORTED_LIST = 'PNG, JPEG, WebP, TIFF, AVIF or GIF';

export type Sniffed =
  | { supported: true; format: SupportedFormat }
  | { supported: false; label: string }
  | null;

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

const ascii = (b: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...b.subarray(from, Math.min(to, b.length)));

/** Identifies the format from the file's first bytes (4 kB is plenty); null when unrecognised. */
export function sniffFormat(head: Uint8Array): Sniffed {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { supported: true, format: 'png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { supported: true, format: 'jpeg' };
  const first6 = ascii(head, 0, 6);
  if (first6 === 'GIF87a' || first6 === 'GIF89a') return { supported: true, format: 'gif' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { supported: true, format: 'webp' };
  // Classic TIFF (42) and BigTIFF (43), both byte orders.
  if (
    startsWith(head, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(head, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return { supported: true, format: 'tiff' };
  }
  if (ascii(head, 4, 8) === 'ftyp') return sniffIsoBmff(head);
  return sniffUnsupported(head);
}

/** AVIF and HEIC share the HEIF container; the ftyp brands say which codec is inside. */
function sniffIsoBmff(head: Uint8Array): Sniffed {
  const boxSize = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
  const brands: string[] = [ascii(head, 8, 12)];
  for (let at = 16; at + 4 <= Math.min(boxSize, head.length); at += 4) brands.push(ascii(head, at, at + 4));
  if (brands.some((b) => b === 'avif' || b === 'avis')) return { supported: true, format: 'avif' };
  if (brands.some((b) => ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis'].includes(b))) {
    return { supported: false, label: 'HEIC' };
  }
  if (brands.some((b) => b === 'mif1' || b === 'msf1')) return { supported: false, label: 'HEIF' };
  if (brands.some((b) => b.startsWith('qt') || b.startsWith('mp4') || b === 'isom')) {
    return { supported: false, label: 'a video (MP4/MOV)' };
  }
  return null;
}

function sniffUnsupported(head: Uint8Array): Sniffed {
  if (ascii(head, 0, 2) === 'BM' && head.length >= 18 && [12, 40, 52, 56, 108, 124].includes(head[14] ?? 0)) {
    return { supported: false, label: 'BMP' };
  }
  if (ascii(head, 0, 4) === '8BPS') return { supported: false, label: 'Photoshop (PSD)' };
  if (ascii(head, 0, 5) === '%PDF-') return { supported: false, label: 'PDF' };
  if (startsWith(head, [0xff, 0x0a]) || startsWith(head, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return { supported: false, label: 'JPEG XL' };
  }
  if (startsWith(head, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(head, [0xff, 0x4f, 0xff, 0x51])) {
    return { supported: false, label: 'JPEG 2000' };
  }
  const text = ascii(head, 0, 1024);
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text)) return { supported: false, label: 'SVG' };
  return null;
}

/** Formats sharp can decode but Reverie does not accept, keyed by sharp's metadata.format. */
export const SHARP_FORMAT_LABEL: Readonly<Record<string, string>> = {
  svg: 'SVG',
  pdf: 'PDF',
  jp2k: 'JPEG 2000',
  jxl: 'JPEG XL',
  ppm: 'PPM',
  fits: 'FITS',
  exr: 'OpenEXR',
  magick: 'this image format',
  openslide: 'slide-scanner',
  vips: 'VIPS',
  raw: 'raw pixel',
  rad: 'Radiance HDR',
  csv: 'CSV',
  mat: 'MATLAB',
  matrix: 'matrix',
};

/** Whether the name's extension suggests an image type, for messages like "named .png but …". */
export function extensionOf(name: string): string | null {
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(name);
  return m?.[1] === undefined ? null : m[1].toLowerCase();
}
