// Pure PNG chunk plumbing: CRC32, a validating chunk iterator and chunk insertion.
// No I/O; callers pass whole files as Buffers.
import { ImageDecodeError } from './errors.ts';

export const PNG_SIGNATURE: Readonly<Buffer> = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// Standard reflected CRC-32 (polynomial 0xEDB88320), as PNG and zlib use. Immutable once built.
const CRC_TABLE: Readonly<Uint32Array> = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes`; pass a previous result as `crc` to continue over several pieces. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface PngChunk {
  /** Four-letter chunk type, e.g. 'IHDR', 'iTXt'. */
  type: string;
  /** The chunk's data (a view into the original buffer, not a copy). */
  data: Buffer;
  /** Byte offset of the chunk's length field in the file. */
  offset: number;
}

/** Throws unless `png` starts with the PNG signature. */
export function assertPngSignature(png: Buffer, name = 'PNG data'): void {
  if (png.length < PNG_SIGNATURE.length || !png.subarray(0, 8).equals(PNG_SIGNATURE)) {
    const why = png.length === 0 ? 'it is empty' : 'it does not start with the PNG signature';
    throw new ImageDecodeError(name, `not a PNG file: ${why}`);
  }
}

/**
 * Walks the chunks of a PNG, checking the signature, each chunk's bounds and CRC, and that the
 * file ends with IEND. Yields up to and including IEND; trailing bytes after IEND are ignored.
 */
export function* iterateChunks(png: Buffer, name = 'PNG data'): Generator<PngChunk> {
  assertPngSignature(png, name);
  let offset = PNG_SIGNATURE.length;
  while (offset < png.length) {
    if (offset + 12 > png.length) throw truncated(name, offset);
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) {
      throw new ImageDecodeError(name, `PNG is corrupt: invalid chunk type at byte ${offset}`);
    }
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > png.length) throw truncated(name, offset, type);
    const data = png.subarray(offset + 8, offset + 8 + length);
    const stored = png.readUInt32BE(offset + 8 + length);
    const actual = crc32(data, crc32(png.subarray(offset + 4, offset + 8)));
    if (stored !== actual) {
      throw new ImageDecodeError(name, `PNG is corrupt: ${type} chunk at byte ${offset} fails its CRC check`);
    }
    yield { type, data, offset };
    if (type === 'IEND') return;
    offset = end;
  }
  throw truncated(name, offset);
}

function truncated(name: string, offset: number, type?: string): ImageDecodeError {
  const where = type === undefined ? `at byte ${offset}` : `in the ${type} chunk at byte ${offset}`;
  return new ImageDecodeError(name, `PNG is truncated: the file ends ${where} before the IEND chunk`);
}

/** Serialises one chunk: length, type, data, CRC. */
export function encodeChunk(type: string, data: Uint8Array): Buffer {
  if (!/^[A-Za-z]{4}$/.test(type)) throw new RangeError(`PNG chunk type must be four ASCII letters, got "${type}"`);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Returns a new PNG with the given serialised chunks placed immediately before IEND. */
export function insertChunksBeforeIend(png: Buffer, chunks: readonly Uint8Array[], name = 'PNG data'): Buffer {
  let iend = -1;
  for (const chunk of iterateChunks(png, name)) if (chunk.type === 'IEND') iend = chunk.offset;
  // iterateChunks throws when IEND is missing, so `iend` is set; bytes after IEND are dropped.
  return Buffer.concat([png.subarray(0, iend), ...chunks, png.subarray(iend, iend + 12)]);
}
