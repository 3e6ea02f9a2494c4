// Masks and guides by content hash: stable across re-encoding, checked on the way back in, carried
// by PNGs and project folders, and a clear error for a missing or altered one.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { assetPng, assetsText, dreamAssets, loadAssets, readAssetsFromPng, readGuide, readMask, saveAssets, GUIDE_MAX_SIDE } from './assets.ts';
import { encodePng } from './image.ts';
import { RecipeError } from '../recipe/recipe.ts';

async function maskFile(dir: string, name: string, format: 'png' | 'webp' = 'png'): Promise<string> {
  const grey = Buffer.alloc(40 * 30);
  for (let i = 0; i < grey.length; i++) grey[i] = i % 40 < 20 ? 255 : i % 7;
  const path = join(dir, name);
  const img = sharp(grey, { raw: { width: 40, height: 30, channels: 1 } });
  await (format === 'png' ? img.png() : img.webp({ lossless: true })).toFile(path);
  return path;
}

describe('assets', () => {
  it('hashes pixels, not files: the same mask as PNG or lossless WebP has one hash; a guide is shrunk first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reverie-assets-'));
    const a = await readMask(await maskFile(dir, 'm.png'));
    const b = await readMask(await maskFile(dir, 'm.webp', 'webp'));
    expect(a.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    expect((await readMask(await assetPng(a))).hash).toBe(a.hash);
    const big = join(dir, 'g.png');
    await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#804020' } }).png().toFile(big);
    const g = await readGuide(big);
    expect([g.width, g.height]).toEqual([GUIDE_MAX_SIDE, GUIDE_MAX_SIDE / 2]);
    expect((await readGuide(await assetPng(g))).hash).toBe(g.hash);
    const d = dreamAssets([a, g]);
    expect(d.masks?.get(a.hash)?.data[0]).toBe(1);
    expect(d.guides?.get(g.hash)?.rgb[0]).toBe(0x80);
  });

  it('round-trips through a PNG text chunk and a project folder; an altered or missing one is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reverie-assets-'));
    const a = await readMask(await maskFile(dir, 'm.png'));
    const png = join(dir, 'dream.png');
    const img = { width: 2, height: 2, rgb: new Float32Array(12), alpha: null };
    await writeFile(png, await encodePng(img, await assetsText([a])));
    expect((await readAssetsFromPng(png)).map((x) => x.hash)).toEqual([a.hash]);
    await writeFile(join(dir, 'plain.png'), await encodePng(img));
    expect(await readAssetsFromPng(join(dir, 'plain.png'))).toEqual([]);

    const project = join(dir, 'project');
    await saveAssets(project, [a]);
    expect(await readdir(join(project, 'assets'))).toEqual([`mask-${a.hash.slice(7)}.png`]);
    expect((await loadAssets(project, [a.hash]))[0]!.hash).toBe(a.hash);
    const other = `sha256:${'0'.repeat(64)}`;
    await expect(loadAssets(project, [other])).rejects.toThrow(/names sha256:0+, which is not in its assets\/ folder/);

    // A stored mask whose pixels were changed no longer matches its hash.
    const changed = await readMask(await assetPng({ ...a, pixels: a.pixels.map((v, i) => (i === 0 ? 7 : v)) }));
    await writeFile(join(project, 'assets', `mask-${a.hash.slice(7)}.png`), await assetPng(changed));
    await expect(loadAssets(project, [a.hash])).rejects.toThrow(RecipeError);
    await expect(loadAssets(project, [a.hash])).rejects.toThrow(/does not match its hash/);
  });
});
