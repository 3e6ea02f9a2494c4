// The data folder belongs to its user alone, and uploads never pass through the shared /tmp.
import { afterEach, describe, expect, it } from 'vitest';
import { watch } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { prepareDataDir } from '../host/dataDir.ts';
import { InputStore } from '../host/inputs.ts';
import { recipeFromPngBytes } from '../host/pngRecipe.ts';
import { assetsText, readGuide, readMask } from '../engine/io/assets.ts';
import { addPngTexts } from '../engine/io/pngText.ts';
import { metadataText } from '../engine/render/metadata.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { writeTestImage } from './helpers/cli.ts';
import { tempDir } from './appHelpers.ts';

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
const savedTmp = process.env['TMPDIR'];
afterEach(() => {
  if (savedTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmp;
});

describe('the data folder', () => {
  it('is created 0700, and one made 0755 by an older version is tightened', async () => {
    const root = await tempDir('datadir');
    await prepareDataDir(join(root, 'fresh', 'reverie'));
    expect(await modeOf(join(root, 'fresh', 'reverie'))).toBe(0o700);
    await mkdir(join(root, 'old'), { mode: 0o755 });
    await prepareDataDir(join(root, 'old'));
    expect(await modeOf(join(root, 'old'))).toBe(0o700);
  });

  it('keeps imported pictures 0600, their folder 0700', async () => {
    const dir = await tempDir('inputs-mode');
    const png = join(dir, 'a.png');
    await writeTestImage(png, 32, 24);
    const store = new InputStore(join(dir, 'inputs'), (r) => `/files/${r}`);
    const img = await store.import({ name: 'a.png', data: new Uint8Array(await readFile(png)) });
    const folder = join(dir, 'inputs', img.id);
    expect(await modeOf(folder)).toBe(0o700);
    for (const f of ['source', 'display.jpg', 'input.json']) expect(await modeOf(join(folder, f)), f).toBe(0o600);
  });
});

const noImport = async (): Promise<never> => {
  throw new Error('nothing to import');
};

describe('a recipe read from an uploaded PNG', () => {
  it('is read in memory: nothing is written to the temporary folder', async () => {
    const tmp = await tempDir('tmpdir-watch');
    process.env['TMPDIR'] = tmp;
    const src = join(tmp, '..', `${tmp.split('/').pop()}-src.png`);
    await writeTestImage(src, 16, 16);
    const meta = { app: 'reverie' as const, appVersion: '0.0.0', backend: 'wasm', input: 'cat.jpg', createdAt: '2026-01-01T00:00:00Z', recipe: DEFAULT_RECIPE };
    const png = addPngTexts(await readFile(src), metadataText(meta));
    const seen: string[] = [];
    const watcher = watch(tmp, (_event, name) => seen.push(String(name)));
    try {
      const loaded = await recipeFromPngBytes({ name: 'dream.png', data: new Uint8Array(png) }, noImport);
      expect(loaded.recipe).toEqual(DEFAULT_RECIPE);
      await expect(recipeFromPngBytes({ name: 'plain.png', data: new Uint8Array(await readFile(src)) }, noImport)).rejects.toMatchObject({ name: 'RecipeError', message: expect.stringContaining('plain.png') });
      await new Promise((r) => setTimeout(r, 50)); // let pending watch events arrive
    } finally {
      watcher.close();
    }
    expect(seen).toEqual([]);
  });

  it('gives back the mask and guide the PNG carries, imported, under the hashes the recipe names', async () => {
    const dir = await tempDir('png-assets');
    const src = join(dir, 'dream.png');
    await writeTestImage(src, 16, 16);
    const mask = await readMask(await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).png().toBuffer());
    const guide = await readGuide(await sharp({ create: { width: 20, height: 10, channels: 3, background: '#336699' } }).png().toBuffer());
    const recipe = { ...DEFAULT_RECIPE, version: 2 as const, mask: mask.hash, guide: guide.hash };
    const meta = { app: 'reverie' as const, appVersion: '0.0.0', backend: 'wasm', input: 'cat.jpg', createdAt: '2026-01-01T00:00:00Z', recipe };
    const png = addPngTexts(await readFile(src), { ...metadataText(meta), ...(await assetsText([mask, guide])) });
    const imported: Buffer[] = [];
    const loaded = await recipeFromPngBytes({ name: 'dream.png', data: new Uint8Array(png) }, async (file) => {
      imported.push(Buffer.from(file.data));
      return { id: `in${imported.length}`, name: file.name, width: 1, height: 1, url: '/u' };
    });
    expect(loaded.recipe).toEqual(recipe);
    expect(loaded.assets?.map((a) => [a.kind, a.hash, a.image.id])).toEqual([['mask', mask.hash, 'in1'], ['guide', guide.hash, 'in2']]);
    // What was imported reads back under the same hashes, so a dream with it reproduces the recipe.
    expect((await readMask(imported[0]!)).hash).toBe(mask.hash);
    expect((await readGuide(imported[1]!)).hash).toBe(guide.hash);
  });
});
