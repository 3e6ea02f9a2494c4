// The host with recipe version 2: fade and pattern size dream through a job (the saved PNG carries
// them), a guide image comes as an imported input, and a recipe naming a mask or guide that did not
// come with it is refused before queueing with a typed error that says what to use instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostEvent } from '../contract/channels.ts';
import type { InputImage, Recipe } from '../contract/types.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { readAssetsFromPng } from '../engine/io/assets.ts';
import type { Service } from '../host/service.ts';
import { writeTestImage } from './helpers/cli.ts';
import { tempDir, testService } from './appHelpers.ts';

let service: Service;
let dataDir: string;
let input: InputImage;
const events: HostEvent[] = [];

beforeAll(async () => {
  dataDir = await tempDir('artist');
  service = testService(dataDir);
  service.subscribe((e) => events.push(e));
  const png = join(dataDir, 'in.png');
  await writeTestImage(png, 120, 96);
  input = await service.handlers['image.import']({ name: 'in.png', data: await readFile(png) });
});
afterAll(async () => service.close());

const small: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed3', weight: 1 }], steps: 1, octaves: 1 };

describe('recipe version 2 in the app host', () => {
  it('refuses masks and guides before queueing, naming the CLI route', async () => {
    const hash = `sha256:${'a'.repeat(64)}`;
    for (const recipe of [{ ...small, mask: hash }, { ...small, guide: hash }, { ...small, layers: [{ name: 'mixed3', weight: 1, mask: hash }] }]) {
      await expect(service.handlers['dream.start']({ inputId: input.id, recipe, maxSide: 128 })).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringContaining('reverie dream --recipe-from') });
    }
    await expect(service.handlers['zoom.preview']({ inputId: input.id, recipe: { ...small, mask: hash }, settings: {} as never, maxSide: 64 })).rejects.toMatchObject({ name: 'BadRequestError' });
    expect(await service.handlers['job.list']({})).toEqual([]);
  });

  it('a mask for one term: refused for a term that is not there or a guide, named in the term otherwise', async () => {
    const bad = [
      { kind: 'mask', inputId: input.id, term: { list: 'layers', index: 1 } },
      { kind: 'mask', inputId: input.id, term: { list: 'outputs', index: 0 } },
      { kind: 'guide', inputId: input.id, term: { list: 'layers', index: 0 } },
      { kind: 'picture', inputId: input.id },
    ];
    for (const asset of bad) {
      await expect(service.handlers['dream.start']({ inputId: input.id, recipe: small, maxSide: 128, assets: [asset as never] })).rejects.toMatchObject({ name: 'BadRequestError' });
    }
    expect(await service.handlers['job.list']({})).toEqual([]);
    const { jobId } = await service.handlers['dream.start']({ inputId: input.id, recipe: small, maxSide: 128, assets: [{ kind: 'mask', inputId: input.id, term: { list: 'layers', index: 0 } }] });
    await expect.poll(() => events.some((e) => e.channel === 'job.state' && e.payload.jobId === jobId && e.payload.state === 'done'), { timeout: 120_000 }).toBe(true);
    const item = (await service.handlers['gallery.list']({})).find((g) => g.kind === 'dream' && g.recipe.layers[0]?.mask);
    expect(item?.recipe.layers[0]?.mask).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(item?.recipe.mask).toBeUndefined();
  }, 180_000);

  it('dreams with fade and a pattern size; the gallery item keeps them', async () => {
    const ticket = await service.handlers['dream.start']({ inputId: input.id, recipe: { ...small, version: 2, fade: 40, patternSize: 0.3 }, maxSide: 128 });
    await expect.poll(() => events.some((e) => e.channel === 'job.state' && e.payload.jobId === ticket.jobId && e.payload.state === 'done'), { timeout: 120_000 }).toBe(true);
    const items = await service.handlers['gallery.list']({});
    expect(items[0]!.recipe).toMatchObject({ version: 2, fade: 40, patternSize: 0.3 });
  }, 180_000);

  it('dreams toward an imported guide image: the recipe names it by hash and the PNG carries it', async () => {
    const guide = await service.handlers['image.import']({ name: 'coffee.jpg', data: await readFile(new URL('../assets/examples/coffee.jpg', import.meta.url)) });
    const ticket = await service.handlers['dream.start']({ inputId: input.id, recipe: { ...small, layers: [{ name: 'mixed4', weight: 1 }] }, maxSide: 128, guideInputId: guide.id });
    await expect.poll(() => events.some((e) => e.channel === 'job.state' && e.payload.jobId === ticket.jobId && e.payload.state === 'done'), { timeout: 120_000 }).toBe(true);
    const item = (await service.handlers['gallery.list']({})).find((i) => i.recipe.guide !== undefined)!;
    expect(item.recipe.guide).toMatch(/^sha256:[0-9a-f]{64}$/);
    const assets = await readAssetsFromPng(join(dataDir, 'gallery', item.id, 'result.png'));
    expect(assets.map((a) => [a.kind, a.hash])).toEqual([['guide', item.recipe.guide]]);
    await expect(service.handlers['dream.start']({ inputId: input.id, recipe: small, maxSide: 128, guideInputId: 'nope' })).rejects.toMatchObject({ name: 'NotFoundError' });
  }, 180_000);
});
