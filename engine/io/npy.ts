// NumPy .npy reader/writer for float tensors (versions 1.0–3.0 read, 1.0 written).
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
import { endianness } from 'node:os';
import { NpyFormatError } from './errors.ts';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const ARRAY_ALIGN = 64;
/** numpy leaves this much room after the header dict so arrays can grow in place; we match it. */
const GROWTH_AXIS_MAX_DIGITS = 21;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

const FIX = "save it with np.save(path, np.ascontiguousarray(a, dtype='<f4'))";

export function readNpy(buf: Buffer, name = '.npy data'): { shape: number[]; data: Float32Array } {
  const fail = (why: string): NpyFormatError => new NpyFormatError(name, why);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) {
    throw fail('not a .npy file: it does not start with the \\x93NUMPY magic string');
  }
  const major = buf[6] as number;
  const minor = buf[7] as number;
  if (major < 1 || major > 3) throw fail(`.npy format version ${major}.${minor} is not supported (1.0–3.0 are)`);
  const lenBytes = major === 1 ? 2 : 4;
  if (buf.length < 8 + lenBytes) throw fail('file is truncated inside the header');
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > buf.length) throw fail('file is truncated inside the header');
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', 8 + lenBytes, dataStart);

  const { descr, fortran, shape } = parseHeader(header, fail);
  if (fortran) throw fail(`array is stored in Fortran order; only C order is supported — ${FIX}`);
  const itemSize = descr === '<f4' ? 4 : descr === '<f8' ? 8 : 0;
  if (itemSize === 0) throw fail(`dtype '${descr}' is not supported, only '<f4' (or '<f8') — ${FIX}`);

  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * itemSize;
  const found = buf.length - dataStart;
  if (!Number.isSafeInteger(expected)) throw fail(`shape (${shape.join(', ')}) is too large`);
  if (found < expected) {
    throw fail(`file is truncated: shape (${shape.join(', ')}) needs ${expected} data bytes but ${found} remain`);
  }
  if (found > expected) {
    const dims = shape.join(', ');
    throw fail(`size mismatch: shape (${dims}) needs ${expected} data bytes but ${found} follow the header`);
  }
  return { shape, data: decodeFloats(buf.subarray(dataStart), count, itemSize) };
}

interface NpyHeader {
  descr: string;
  fortran: boolean;
  shape: number[];
}

/** Parses the Python dict literal numpy writes, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }. */
function parseHeader(header: string, fail: (why: string) => NpyFormatError): NpyHeader {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  if (descr === undefined) {
    const structured = /['"]descr['"]\s*:\s*\[/.test(header);
    throw fail(structured ? `structured arrays are not supported — ${FIX}` : "header has no 'descr' (dtype) entry");
  }
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran === undefined) throw fail("header has no valid 'fortran_order' entry");
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw fail("header has no valid 'shape' entry");
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const shape = parts.map((p) => (/^\d+L?$/.test(p) ? Number.parseInt(p, 10) : NaN));
  if (shape.some((d) => !Number.isSafeInteger(d))) throw fail(`header shape (${shapeText}) is not a tuple of sizes`);
  return { descr, fortran: fortran === 'True', shape };
}

function decodeFloats(bytes: Buffer, count: number, itemSize: number): Float32Array {
  if (itemSize === 4 && LITTLE_ENDIAN_HOST) {
    // Copy into a fresh, aligned buffer: the source offset need not be a multiple of 4.
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * itemSize);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = itemSize === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
  return out;
}

/** Serialises a C-order float32 array as .npy v1.0, byte-for-byte as np.save would. */
export function writeNpy(shape: readonly number[], data: Float32Array): Buffer {
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new RangeError(`shape [${shape.join(', ')}] must hold non-negative integers`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new RangeError(`shape [${shape.join(', ')}] holds ${count} values but data has ${data.length}`);
  }
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${tuple}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  // numpy pads with 1–64 spaces plus '\n' so the data starts on a 64-byte boundary.
  const pad = ARRAY_ALIGN - ((MAGIC.length + 2 + 2 + dict.length + 1) % ARRAY_ALIGN);
  const header = `${dict}${' '.repeat(pad)}\n`;
  if (header.length > 0xffff) throw new RangeError('shape is too long for a .npy v1.0 header');

  const out = Buffer.alloc(10 + header.length + data.length * 4);
  MAGIC.copy(out, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  const body = out.subarray(10 + header.length);
  if (LITTLE_ENDIAN_HOST) body.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else for (let i = 0; i < data.length; i++) body.writeFloatLE(data[i] as number, i * 4);
  return out;
}
