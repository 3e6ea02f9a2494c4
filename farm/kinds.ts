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
export interface DreamTilePayload {
  model: ModelRef;
  terms: Record<string, unknown>;
  tile: RawImage;
}
export interface GradientResult {
  value: number;
  gradient: RawImage;
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
    checkRaw(kind, p['tile'], 'tile', 12);
  }
}

/** Throws FarmPayloadError unless `result` is what a `kind` job returns. */
export function checkResult(kind: JobKind, result: unknown): void {
  if (kind === 'dream-tile') {
    const r = exactKeys(kind, result, 'result', ['value', 'gradient']);
    if (typeof r['value'] !== 'number') fail(kind, 'result.value must be a number.');
    checkRaw(kind, r['gradient'], 'result.gradient', 12);
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
