// Tiles as raw bytes under their own Redis keys, with a real redis-server: a tile flow through an
// in-process worker whose handler echoes the tile (float32 bytes out equal bytes in), in pipelined
// flows of a few tiles, the keys gone once the step is read, a poisoned tile failing its flow alone; the store refuses keys of another shape, wrong sizes and expired tiles.
import { describe, expect, it } from 'vitest';
import { useTestRedis } from '../tests/helpers/useRedis.ts';
import { farmTilePool } from '../host/farm/tilePool.ts';
import { BLOB_PREFIX, blobStore, float32Of } from './blobs.ts';
import { checkPayload, FarmPayloadError, tileFloat32, type GradientResult, type ModelRef, type TileImage } from './kinds.ts';
import { parseFarmUrl } from './url.ts';
import { startWorkers, type JobHandlers } from './worker.ts';

const served = useTestRedis();
const model: ModelRef = { id: 'echo', sha256: 'f'.repeat(64) };

describe('raw tile bytes in Redis', () => {
  it('a tile flow sends float32 bytes under sha256 keys, gets the gradient back exactly, and leaves no key', async () => {
    const connection = parseFarmUrl(served.redis.url);
    const seen: TileImage[] = [];
    // The echo handler returns the tile's values doubled, as the bytes a real handler returns.
    const handlers = {
      'dream-tile': async (p: { tile: TileImage }): Promise<GradientResult> => {
        seen.push(p.tile);
        if (tileFloat32(p.tile)[0] === -99) throw new FarmPayloadError('poisoned tile');
        const doubled = tileFloat32(p.tile).map((v) => v * 2);
        return { value: 1, gradient: { width: p.tile.width, height: p.tile.height, bytes: new Uint8Array(doubled.buffer) } };
      },
    } as unknown as JobHandlers;
    const worker = startWorkers(connection, [{ model, handlers }], { concurrency: 4 });
    await worker.ready;
    // Seven tiles in flows of three: three flows pipelined, each result back in its own tile's place.
    const pool = farmTilePool(connection, model, undefined, { chunk: 3 });
    const tiles = [0, 1, 2, 3, 4, 5, 6].map((k) => Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => i * 0.5 - k));
    const results = await Promise.all(tiles.map((t) => pool.gradient(t, 4, 5, { layers: [{ name: 'mixed3', weight: 1 }], channels: [] })));
    results.forEach((r, k) => expect([...r.gradient]).toEqual([...tiles[k]!].map((v) => v * 2)));
    // The handler saw bytes read from Redis (never base64), and every key is gone.
    expect(seen.every((t) => 'bytes' in t)).toBe(true);
    expect(await served.client.keys(`${BLOB_PREFIX}*`)).toEqual([]);
    // A poisoned tile fails its flow's tiles only; the other flows' tiles come back, and no key stays.
    const again = tiles.map((t, k) => (k === 1 ? Float32Array.from(t, (v, i) => (i === 0 ? -99 : v)) : t.map((v) => v + 1)));
    const settled = await Promise.allSettled(again.map((t) => pool.gradient(t, 4, 5, { layers: [{ name: 'mixed3', weight: 1 }], channels: [] })));
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/poisoned tile/);
    expect([...(settled[6] as PromiseFulfilledResult<{ gradient: Float32Array }>).value.gradient]).toEqual([...again[6]!].map((v) => v * 2));
    expect(await served.client.keys(`${BLOB_PREFIX}*`)).toEqual([]);
    await pool.close();
    await worker.close();
  });

  it('equal tiles in different flows of a step share a key that stays until the whole step is read', async () => {
    const connection = parseFarmUrl(served.redis.url);
    // One slow worker: the first flow is read while the later flows' jobs still wait for their tiles.
    const handlers = {
      'dream-tile': async (p: { tile: TileImage }): Promise<GradientResult> => {
        await new Promise((r) => setTimeout(r, 30));
        return { value: 1, gradient: { width: p.tile.width, height: p.tile.height, bytes: new Uint8Array(tileFloat32(p.tile).map((v) => v * 2).buffer) } };
      },
    } as unknown as JobHandlers;
    const worker = startWorkers(connection, [{ model, handlers }], { concurrency: 1 });
    await worker.ready;
    const pool = farmTilePool(connection, model, undefined, { chunk: 2 });
    const tile = Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => i * 0.25);
    const same = await Promise.all(Array.from({ length: 6 }, () => pool.gradient(tile.slice(), 4, 5, { layers: [{ name: 'mixed3', weight: 1 }], channels: [] })));
    for (const r of same) expect([...r.gradient]).toEqual([...tile].map((v) => v * 2));
    expect(await served.client.keys(`${BLOB_PREFIX}*`)).toEqual([]);
    await pool.close();
    await worker.close();
  });

  it('hears each tile as it completes, with its worker, before the step it belongs to ends', async () => {
    const connection = parseFarmUrl(served.redis.url);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The tile whose first value is 0 waits for the gate; the others answer at once.
    const handlers = {
      'dream-tile': async (p: { tile: TileImage }): Promise<GradientResult> => {
        if (tileFloat32(p.tile)[0] === 0) await gate;
        return { value: 1, gradient: { width: p.tile.width, height: p.tile.height, bytes: new Uint8Array(tileFloat32(p.tile).buffer.slice(0)) } };
      },
    } as unknown as JobHandlers;
    const worker = startWorkers(connection, [{ model, handlers }], { concurrency: 3, name: 'echo-worker' });
    await worker.ready;
    const heard: string[] = [];
    const pool = farmTilePool(connection, model, undefined, { chunk: 3, onTile: (w) => heard.push(w) });
    const tiles = [0, 1, 2].map((k) => Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => i + k));
    const step = Promise.all(tiles.map((t) => pool.gradient(t, 4, 5, { layers: [{ name: 'mixed3', weight: 1 }], channels: [] })));
    // Two of the flow's three tiles are heard while the third still computes.
    while (heard.length < 2) await new Promise((r) => setTimeout(r, 20));
    expect(heard).toEqual(['echo-worker', 'echo-worker']);
    expect(pool.tilesByWorker.get('echo-worker')).toBe(2);
    release();
    await step;
    expect(heard).toHaveLength(3);
    expect(pool.tilesByWorker.get('echo-worker')).toBe(3);
    await pool.close();
    await worker.close();
  });

  it('refuses other keys, wrong sizes and tiles no longer in Redis', async () => {
    const store = blobStore(served.client, 200);
    const key = await store.put(new Uint8Array([1, 2, 3, 4]));
    expect(key).toMatch(/^reverie:blob:[0-9a-f]{64}$/);
    expect([...(await store.get(key, 4))]).toEqual([1, 2, 3, 4]);
    await expect(store.get(key, 8)).rejects.toMatchObject({ name: 'FarmPayloadError', message: expect.stringContaining('holds 4 bytes, expected 8') });
    await expect(store.get('reverie:model-abc:1', 4)).rejects.toMatchObject({ name: 'FarmPayloadError', message: expect.stringContaining('not a tile key') });
    expect(() => checkPayload('dream-tile', { model, terms: {}, tile: { width: 2, height: 2, blob: 'reverie:steps:1' } })).toThrow(/tile key of this farm/);
    expect(() => checkPayload('dream-tile', { model, terms: {}, tile: { width: 2, height: 2, blob: key } })).not.toThrow();
    expect(() => checkPayload('dream-tile', { model, terms: {}, tile: { width: 2, height: 2, bytes: new Uint8Array(47) } })).toThrow(/float32 RGB/);
    await new Promise((r) => setTimeout(r, 400));
    const gone = await store.get(key, 4).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(FarmPayloadError);
    expect(gone).toMatchObject({ name: 'BlobGoneError', message: expect.stringContaining('no longer in Redis') });
  });

  it('reads float32 from bytes in place when they own their buffer, else from an aligned copy', () => {
    const values = Float32Array.from([1.5, -2, 3.25]);
    const own = Buffer.from(values.buffer);
    expect(float32Of(own).buffer).toBe(values.buffer);
    const shifted = new Uint8Array(13);
    shifted.set(new Uint8Array(values.buffer), 1);
    const unaligned = shifted.subarray(1);
    expect([...float32Of(unaligned)]).toEqual([1.5, -2, 3.25]);
    expect(float32Of(unaligned).buffer).not.toBe(shifted.buffer);
  });
});
