// The closed list of job kinds a farm runs, with their payload and result shapes, checked on both
// sides: the submitter checks before a job enters Redis, the worker before it runs one, the submitter
// again on each result. Payloads are data only (numbers, names, pixels); nothing in them is a path,
// a URL or code, and a worker resolves model ids only among the models it was started with.

export class FarmPayloadError extends Error {
  override name = 'FarmPayloadError';
}

/** The largest payload or result a job may carry (a 4K RGB image is 25 MB raw, 33 MB as base64). */
export const MAX_PAYLOAD_BYTES = 48 * 1024 * 1024;
/** Recipes and objective terms are small JSON; anything bigger is not a recipe. */
const MAX_RECIPE_BYTES = 64 * 1024;
const MAX_SIDE = 16384;

export interface ModelRef {
  id: string;
  sha256: string;
}
export interface RawImage {
  width: number;
  height: number;
  /** base64 of the pixels (uint8 RGB for images, float32 RGB for tiles and gradients) */
  data: string;
}
export interface FeaturePayload {
  model: ModelRef;
  layer: string;
  channel: number;
  recipe: Record<string, unknown>;
}
export interface DreamImagePayload {
  model: ModelRef;
  recipe: Record<string, unknown>;
  image: RawImage;
}
/** Float32 pixels kept in Redis under their own key (farm/blobs.ts): the job carries the key only. */
export interface BlobImage {
  width: number;
  height: number;
  blob: string;
}
/** The same pixels in this process (a worker's handler reads and returns them so; never sent). */
export interface BytesImage {
  width: number;
  height: number;
  bytes: Uint8Array;
}
/** A tile or gradient: base64 in the job (small farms, old submitters), a Redis key, or bytes in hand. */
export type TileImage = RawImage | BlobImage | BytesImage;
export interface DreamTilePayload {
  model: ModelRef;
  terms: Record<string, unknown>;
  tile: TileImage;
}
export interface GradientResult {
  value: number;
  gradient: TileImage;
}

export interface JobKinds {
  /** One channel's feature visualization (atlas, filters): uint8 RGB back. */
  feature: { payload: FeaturePayload; result: RawImage };
  /** One whole image through a dream recipe (batch): uint8 RGB back. */
  'dream-image': { payload: DreamImagePayload; result: RawImage };
  /** One tile's objective value and input gradient (one big frame): float32 back. */
  'dream-tile': { payload: DreamTilePayload; result: GradientResult };
}
export type JobKind = keyof JobKinds;
export const JOB_KINDS: readonly JobKind[] = ['feature', 'dream-image', 'dream-tile'];

const fail = (kind: string, what: string): never => {
  throw new FarmPayloadError(`${kind} job: ${what}`);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const NAME = /^[A-Za-z0-9_.:+-]{1,120}$/;

function exactKeys(kind: string, v: unknown, where: string, keys: readonly string[]): Record<string, unknown> {
  if (!isObject(v)) return fail(kind, `${where} must be an object.`);
  const extra = Object.keys(v).filter((k) => !keys.includes(k));
  if (extra.length) fail(kind, `${where} has unknown field(s) ${extra.join(', ')}.`);
  for (const k of keys) if (!(k in v)) fail(kind, `${where} lacks "${k}".`);
  return v;
}

function checkModel(kind: string, v: unknown): void {
  const m = exactKeys(kind, v, 'model', ['id', 'sha256']);
  if (typeof m['id'] !== 'string' || !NAME.test(m['id'])) fail(kind, 'model.id must be a model name (letters, digits, _ . : + -), not a path or URL.');
  if (typeof m['sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(m['sha256'])) fail(kind, 'model.sha256 must be 64 hex digits.');
}

function checkJson(kind: string, v: unknown, where: string): void {
  if (!isObject(v)) fail(kind, `${where} must be an object.`);
  if (JSON.stringify(v).length > MAX_RECIPE_BYTES) fail(kind, `${where} is larger than ${MAX_RECIPE_BYTES} bytes.`);
}

/** A tile: base64 (checkRaw), a blob key of this farm, or bytes in this process of the right length. */
function checkTile(kind: string, v: unknown, where: string): void {
  if (isObject(v) && 'blob' in v) {
    const r = exactKeys(kind, v, where, ['width', 'height', 'blob']);
    checkSides(kind, r, where);
    if (typeof r['blob'] !== 'string' || !/^reverie:blob:[0-9a-f]{64}$/.test(r['blob'])) fail(kind, `${where}.blob must be a tile key of this farm.`);
    if ((r['width'] as number) * (r['height'] as number) * 12 > MAX_PAYLOAD_BYTES) fail(kind, `${where} is larger than ${MAX_PAYLOAD_BYTES} bytes.`);
  } else if (isObject(v) && 'bytes' in v) {
    const r = exactKeys(kind, v, where, ['width', 'height', 'bytes']);
    checkSides(kind, r, where);
    if (!(r['bytes'] instanceof Uint8Array) || r['bytes'].byteLength !== (r['width'] as number) * (r['height'] as number) * 12) fail(kind, `${where}.bytes must hold ${String(r['width'])}x${String(r['height'])} float32 RGB.`);
  } else {
    checkRaw(kind, v, where, 12);
  }
}

function checkSides(kind: string, r: Record<string, unknown>, where: string): void {
  for (const side of ['width', 'height'] as const) {
    const n = r[side];
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_SIDE) fail(kind, `${where}.${side} must be a whole number from 1 to ${MAX_SIDE}.`);
  }
}

function checkRaw(kind: string, v: unknown, where: string, bytesPerPixel: number): void {
  const r = exactKeys(kind, v, where, ['width', 'height', 'data']);
  for (const side of ['width', 'height'] as const) {
    const n = r[side];
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_SIDE) fail(kind, `${where}.${side} must be a whole number from 1 to ${MAX_SIDE}.`);
  }
  if (typeof r['data'] !== 'string') fail(kind, `${where}.data must be base64.`);
  const data = r['data'] as string;
  if (data.length > (MAX_PAYLOAD_BYTES * 4) / 3) fail(kind, `${where} is larger than ${MAX_PAYLOAD_BYTES} bytes.`);
  // Characters checked at the ends and in a sample (a full regex costs ~25 ms per 4 MB tile); a stray
  // character elsewhere only shortens the decoded buffer, which its users check against the size.
  const sample = data.length <= 4096 ? data : data.slice(0, 2048) + data.slice(-2048);
  if (data.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(sample)) fail(kind, `${where}.data must be base64.`);
  const bytes = (data.length / 4) * 3 - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
  const want = (r['width'] as number) * (r['height'] as number) * bytesPerPixel;
  if (bytes !== want) fail(kind, `${where} holds ${bytes} bytes; ${r['width']}x${r['height']} needs ${want}.`);
}

/** Throws FarmPayloadError unless `payload` is exactly what `kind` takes. */
export function checkPayload(kind: unknown, payload: unknown): asserts kind is JobKind {
  if (typeof kind !== 'string' || !(JOB_KINDS as readonly string[]).includes(kind)) throw new FarmPayloadError(`Unknown job kind "${String(kind).slice(0, 40)}"; a farm runs only ${JOB_KINDS.join(', ')}.`);
  if (kind === 'feature') {
    const p = exactKeys(kind, payload, 'payload', ['model', 'layer', 'channel', 'recipe']);
    checkModel(kind, p['model']);
    if (typeof p['layer'] !== 'string' || !NAME.test(p['layer'])) fail(kind, 'layer must be a layer name.');
    if (!Number.isInteger(p['channel']) || (p['channel'] as number) < 0 || (p['channel'] as number) > 1e6) fail(kind, 'channel must be a whole number from 0.');
    checkJson(kind, p['recipe'], 'recipe');
  } else if (kind === 'dream-image') {
    const p = exactKeys(kind, payload, 'payload', ['model', 'recipe', 'image']);
    checkModel(kind, p['model']);
    checkJson(kind, p['recipe'], 'recipe');
    checkRaw(kind, p['image'], 'image', 3);
  } else {
    const p = exactKeys(kind, payload, 'payload', ['model', 'terms', 'tile']);
    checkModel(kind, p['model']);
    checkJson(kind, p['terms'], 'terms');
    checkTile(kind, p['tile'], 'tile');
  }
}

/** Throws FarmPayloadError unless `result` is what a `kind` job returns. */
export function checkResult(kind: JobKind, result: unknown): void {
  if (kind === 'dream-tile') {
    const r = exactKeys(kind, result, 'result', ['value', 'gradient']);
    if (typeof r['value'] !== 'number') fail(kind, 'result.value must be a number.');
    checkTile(kind, r['gradient'], 'result.gradient');
  } else {
    checkRaw(kind, result, 'result', 3);
  }
}

export const encodeBytes = (bytes: Uint8Array | Float32Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
export function decodeUint8(data: string, expected?: number): Uint8Array {
  const b = new Uint8Array(Buffer.from(data, 'base64'));
  if (expected !== undefined && b.length !== expected) throw new FarmPayloadError(`pixel data decodes to ${b.length} bytes, expected ${expected}.`);
  return b;
}
export function decodeFloat32(data: string, expected?: number): Float32Array {
  const b = Buffer.from(data, 'base64');
  if (expected !== undefined && b.length !== expected * 4) throw new FarmPayloadError(`float data decodes to ${b.length / 4} values, expected ${expected}.`);
  // Copy into an aligned buffer: Buffer.from may hand back a slice of a shared pool at any offset.
  const out = new Float32Array(b.length / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** A tile's float32 values from base64 or bytes in hand (a blob is read by the worker first). */
export function tileFloat32(tile: TileImage): Float32Array {
  const n = tile.width * tile.height * 3;
  if ('data' in tile) return decodeFloat32(tile.data, n);
  if ('bytes' in tile) {
    if (tile.bytes.byteLength !== n * 4) throw new FarmPayloadError(`tile holds ${tile.bytes.byteLength} bytes, expected ${n * 4}.`);
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(tile.bytes);
    return out;
  }
  throw new FarmPayloadError('tile is still in Redis: read its blob first.');
}
