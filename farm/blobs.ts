// Tile pixels and gradients as raw bytes in Redis, beside the jobs: a job carries the key, never the
// bytes in base64 inside JSON (a third larger, and an encode and a decode each way). A tile's key is
// the sha256 of its bytes, so the same tile sent again (a resumed run reattaching to its step) names
// the same key; keys expire after BLOB_TTL_MS whatever happens. A submitter's put counts (claims.ts):
// two submitters of the same tile share its key, and it goes when the last has read its step. A
// worker's gradient is keyed by its job instead, so it belongs to one step, which removes it when read.
// A worker reads only keys of this shape, of the size the job says.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FarmPayloadError, MAX_PAYLOAD_BYTES } from './kinds.ts';
import { FARM_PREFIX } from './queues.ts';

export const BLOB_PREFIX = `${FARM_PREFIX}:blob:`;
/** Long enough for a killed run to be resumed; a finished step's blobs go at once. */
export const BLOB_TTL_MS = 60 * 60 * 1000;
const KEY = new RegExp(`^${BLOB_PREFIX}[0-9a-f]{64}$`);

export const isBlobKey = (key: unknown): key is string => typeof key === 'string' && KEY.test(key);

/** A tile key's count of puts not yet released (claims.ts). */
export const refKey = (blob: string): string => `${FARM_PREFIX}:ref:${blob.slice(BLOB_PREFIX.length)}`;

/** The key is gone: expired, or its step was read and removed. Retrying the step with its tiles put again can help. */
export class BlobGoneError extends FarmPayloadError {
  override name = 'BlobGoneError';
}

export interface BlobStore {
  /**
   * Writes `bytes` under their hash. `counted`: a submitter's tile, whose count of puts goes up
   * (release it with unrefBlobs); `salt`: the key is the salt's hash instead (a worker's job id: the key is the job's own).
   */
  put(bytes: Uint8Array, options?: { counted?: boolean; salt?: string }): Promise<string>;
  /** The bytes under `key`, refused unless they are exactly `expected` long. */
  get(key: string, expected: number): Promise<Buffer>;
}

export function blobStore(redis: Redis, ttlMs = BLOB_TTL_MS): BlobStore {
  return {
    async put(bytes, options = {}) {
      const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      // A salted key is its job's, whatever the bytes (a rerun of the job writes the same key): no
      // need to hash 3 MB for it. A tile's key is its content, so a resumed run finds it again.
      const key = BLOB_PREFIX + (options.salt !== undefined ? createHash('sha256').update(`gradient\0${options.salt}`) : createHash('sha256').update(view)).digest('hex');
      if (!options.counted) await redis.set(key, view, 'PX', ttlMs);
      // One round trip, applied at once: the bytes and their count live and expire together.
      else await redis.multi().set(key, view, 'PX', ttlMs).incr(refKey(key)).pexpire(refKey(key), ttlMs).exec();
      return key;
    },
    async get(key, expected) {
      if (!isBlobKey(key)) throw new FarmPayloadError(`"${String(key).slice(0, 80)}" is not a tile key of this farm.`);
      if (expected > MAX_PAYLOAD_BYTES) throw new FarmPayloadError(`a tile of ${expected} bytes is larger than ${MAX_PAYLOAD_BYTES} bytes.`);
      const bytes = await redis.getBuffer(key);
      // Gone: expired, or its step was removed already. Only the submitter can bring it back (its step, again).
      if (bytes === null) throw new BlobGoneError(`tile ${key.slice(BLOB_PREFIX.length, BLOB_PREFIX.length + 12)} is no longer in Redis (expired, or its run ended).`);
      if (bytes.length !== expected) throw new FarmPayloadError(`tile ${key.slice(BLOB_PREFIX.length, BLOB_PREFIX.length + 12)} holds ${bytes.length} bytes, expected ${expected}.`);
      return bytes;
    },
  };
}

/**
 * Bytes as float32 values: a view when the bytes own their whole buffer (a large Redis reply does),
 * else an aligned copy (a small Buffer may sit at any offset of a shared pool).
 */
export function float32Of(bytes: Uint8Array): Float32Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.byteLength % 4 === 0) return new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
