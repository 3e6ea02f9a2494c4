// The stores behind the gallery: ids that cannot name paths, newest-first listing, entries that
// are either complete or ignored, and inputs stored once however often they are imported.
import { describe, expect, it, vi } from 'vitest';
import { crc32 } from 'node:zlib';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { Gallery, newGalleryId, type GalleryRecord } from '../host/gallery.ts';
import { InputStore } from '../host/inputs.ts';
import { decodeImage } from '../engine/io/image.ts';

// The real decoder, watched: importing must validate from the header, never decode to float pixels.
vi.mock('../engine/io/image.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../engine/io/image.ts')>();
  return { ...real, decodeImage: vi.fn(real.decodeImage) };
});

/** A PNG whose header claims width × height (its pixel data is a stub): enough for a header check. */
function pngHeader(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(16)), chunk('IEND', Buffer.alloc(0))]));
}
import { writeTestImage } from './helpers/cli.ts';
import { tempDir } from './appHelpers.ts';

const url = (relative: string): string => `/files/${relative}`;

function record(id: string, createdAt: string): GalleryRecord {
  return {
    version: 1,
    id,
    kind: 'dream',
    createdAt,
    input: { id: 'in1', name: 'cat.jpg', width: 10, height: 8, display: 'display.jpg' },
    recipe: DEFAULT_RECIPE,
    maxSide: 512,
    width: 10,
    height: 8,
    backend: 'wasm',
    elapsedMs: 1200,
  };
}

describe('Gallery', () => {
  it('makes sortable ids that are safe as folder names', () => {
    const id = newGalleryId(new Date('2030-04-05T06:07:08Z'));
    expect(id).toMatch(/^20300405-060708-[0-9a-f]{6}$/);
    expect(newGalleryId()).not.toBe(newGalleryId());
  });

  it('lists newest first with host URLs, reads back what it wrote, and deletes', async () => {
    const gallery = new Gallery(join(await tempDir('gallery'), 'gallery'), url);
    expect(await gallery.list()).toEqual([]);
    await gallery.add(record('20300101-000000-aaaaaa', '2030-01-01T00:00:00Z'), new Uint8Array([1]), new Uint8Array([2]));
    const newer = await gallery.add(record('20300102-000000-bbbbbb', '2030-01-02T00:00:00Z'), new Uint8Array([3]), new Uint8Array([4]));
    expect(newer).toMatchObject({ resultUrl: '/files/gallery/20300102-000000-bbbbbb/result.png', input: { url: '/files/inputs/in1/display.jpg' } });
    expect((await gallery.list()).map((i) => i.id)).toEqual(['20300102-000000-bbbbbb', '20300101-000000-aaaaaa']);
    expect(await readFile(gallery.resultPath(newer.id))).toEqual(Buffer.from([3]));
    expect(await gallery.remove('20300101-000000-aaaaaa')).toBe(true);
    expect((await gallery.list()).map((i) => i.id)).toEqual(['20300102-000000-bbbbbb']);
  });

  it('skips unfinished or foreign folders and refuses ids that could name a path', async () => {
    const dir = join(await tempDir('gallery'), 'gallery');
    const gallery = new Gallery(dir, url);
    await gallery.add(record('20300101-000000-aaaaaa', '2030-01-01T00:00:00Z'), new Uint8Array([1]), new Uint8Array([2]));
    await mkdir(join(dir, 'half-written'));
    await writeFile(join(dir, 'half-written', 'result.png'), 'x');
    await mkdir(join(dir, 'corrupt'));
    await writeFile(join(dir, 'corrupt', 'entry.json'), '{"version": 1, "id": "corr');
    await mkdir(join(dir, 'moved'));
    await writeFile(join(dir, 'moved', 'entry.json'), JSON.stringify(record('other-id', '2031-01-01T00:00:00Z')));
    expect((await gallery.list()).map((i) => i.id)).toEqual(['20300101-000000-aaaaaa']);
    for (const bad of ['../x', 'a/b', '.hidden', '', 'UPPER']) {
      await expect(gallery.get(bad)).rejects.toMatchObject({ name: 'BadRequestError' });
      await expect(gallery.remove(bad)).rejects.toMatchObject({ name: 'BadRequestError' });
    }
    await expect(gallery.get('20990101-000000-ffffff')).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await gallery.remove('20990101-000000-ffffff')).toBe(false);
  });
});

describe('InputStore', () => {
  it('stores concurrent imports of one image once, leaving no temporary folders', async () => {
    const dir = await tempDir('inputs');
    const png = join(dir, 'a.png');
    await writeTestImage(png, 40, 30);
    const store = new InputStore(join(dir, 'inputs'), url);
    const data = new Uint8Array(await readFile(png));
    const [a, b] = await Promise.all([store.import({ name: 'a.png', data }), store.import({ name: 'b.png', data })]);
    expect(a.id).toBe(b.id);
    expect(await readdir(join(dir, 'inputs'))).toEqual([a.id]);
    expect(await store.get(a.id)).toMatchObject({ width: 40, height: 30, url: `/files/inputs/${a.id}/display.jpg` });
    await expect(store.get('0000')).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(() => store.sourcePath('../../etc')).toThrow(/not a valid id/);
  });

  it('keeps transparency in the display copy (PNG) and refuses truncated files', async () => {
    const dir = await tempDir('inputs');
    const sharp = (await import('sharp')).default;
    const rgba = await sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
    const store = new InputStore(join(dir, 'inputs'), url);
    const img = await store.import({ name: 'clear.png', data: new Uint8Array(rgba) });
    expect(img.url.endsWith('/display.png')).toBe(true);
    await expect(store.import({ name: 'cut.png', data: new Uint8Array(rgba.subarray(0, 60)) })).rejects.toMatchObject({ name: 'ImageDecodeError' });
    expect(await readdir(join(dir, 'inputs'))).toEqual([img.id]);
  });

  it('validates from the header alone: too large is refused before any pixel is read, and nothing is decoded to floats', async () => {
    const dir = await tempDir('inputs');
    const store = new InputStore(join(dir, 'inputs'), url);
    vi.mocked(decodeImage).mockClear();
    await expect(store.import({ name: 'huge.png', data: pngHeader(9000, 8000) })).rejects.toMatchObject({ name: 'ImageTooLargeError' });
    // Within the limit but its pixel data is a stub: the display copy reads the pixels and refuses them, typed.
    await expect(store.import({ name: 'stub.png', data: pngHeader(300, 200) })).rejects.toMatchObject({ name: 'ImageDecodeError' });
    const png = join(dir, 'ok.png');
    await writeTestImage(png, 64, 48);
    expect(await store.import({ name: 'ok.png', data: new Uint8Array(await readFile(png)) })).toMatchObject({ width: 64, height: 48 });
    expect(decodeImage).not.toHaveBeenCalled();
    expect((await readdir(join(dir, 'inputs'))).length).toBe(1);
  });
});
