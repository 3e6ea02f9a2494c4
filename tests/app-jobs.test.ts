// The host service with the real engine in a worker thread and the real model at small sizes:
// imports, dream jobs with live previews, the queue, cancel, typed errors, and persistence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostEvent } from '../contract/channels.ts';
import type { InputImage, JobState, Recipe } from '../contract/types.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { readDreamMetadata } from '../engine/render/metadata.ts';
import type { Service } from '../host/service.ts';
import { writeTestImage } from './helpers/cli.ts';
import { tempDir, testService } from './appHelpers.ts';

const small: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed3', weight: 1 }], steps: 2, octaves: 2, seed: 7 };
let dataDir: string;
let service: Service;
let events: HostEvent[] = [];
let input: InputImage;

function finished(jobId: string): Promise<JobState> {
  return new Promise((resolve) => {
    const check = (e: HostEvent): void => {
      if (e.channel === 'job.state' && e.payload.jobId === jobId && ['done', 'failed', 'cancelled'].includes(e.payload.state)) {
        stop();
        resolve(e.payload);
      }
    };
    const stop = service.subscribe(check);
    events.forEach(check);
  });
}

beforeAll(async () => {
  dataDir = await tempDir('jobs');
  service = testService(dataDir);
  service.subscribe((e) => events.push(e));
  const png = join(dataDir, 'gradient.png');
  await writeTestImage(png, 120, 96);
  input = await service.handlers['image.import']({ name: 'gradient.png', data: await readFile(png) });
});
afterAll(async () => service.close());

describe('images in', () => {
  it('stores an import once, by content, with a display copy', async () => {
    expect(input).toMatchObject({ name: 'gradient.png', width: 120, height: 96 });
    expect(input.url).toBe(`/files/inputs/${input.id}/display.jpg`);
    const again = await service.handlers['image.import']({ name: 'renamed.png', data: await readFile(join(dataDir, 'gradient.png')) });
    expect(again.id).toBe(input.id);
    expect(await readdir(join(dataDir, 'inputs', input.id))).toEqual(expect.arrayContaining(['source', 'display.jpg', 'input.json']));
  });

  it('refuses what is not an image with a typed error and keeps nothing', async () => {
    const before = await readdir(join(dataDir, 'inputs'));
    await expect(service.handlers['image.import']({ name: 'notes.txt', data: new TextEncoder().encode('just words, not pixels') })).rejects.toMatchObject({
      name: 'UnsupportedImageError',
      message: expect.stringContaining('notes.txt'),
    });
    await expect(service.handlers['image.import']({ name: '../../evil.png', data: new Uint8Array() })).rejects.toMatchObject({ name: 'BadRequestError' });
    expect(await readdir(join(dataDir, 'inputs'))).toEqual(before);
  });
});

describe('dream jobs', () => {
  it('runs a dream with progress, live previews and ETA, then keeps the result with its recipe', async () => {
    events = [];
    const ticket = await service.handlers['dream.start']({ inputId: input.id, recipe: small, maxSide: 100 });
    expect(ticket.position).toBe(0);
    const end = await finished(ticket.jobId);
    expect(end.state).toBe('done');
    const mine = events.filter((e) => (e.channel === 'job.state' || e.channel === 'job.progress') && e.payload.jobId === ticket.jobId);
    const states = mine.filter((e) => e.channel === 'job.state').map((e) => (e.payload as JobState).state);
    expect(states).toEqual(['queued', 'running', 'done']);
    const progress = mine.flatMap((e) => (e.channel === 'job.progress' ? [e.payload] : []));
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4]);
    expect(progress.at(-1)).toMatchObject({ total: 4, label: expect.stringMatching(/^octave 2\/2 · step 2\/2 · 100×80$/) });
    expect(progress.every((p) => p.preview === undefined || p.preview.startsWith('data:image/jpeg;base64,'))).toBe(true);
    expect(progress.filter((p) => p.preview).length).toBeGreaterThanOrEqual(2);
    expect(events.some((e) => e.channel === 'gallery.changed')).toBe(true);

    if (end.state !== 'done' || end.item?.kind !== 'dream') throw new Error('unreachable');
    const item = end.item;
    expect(item).toMatchObject({ width: 100, height: 80, maxSide: 100, recipe: small, backend: 'wasm', input: { id: input.id, name: 'gradient.png' } });
    const meta = await readDreamMetadata(join(dataDir, 'gallery', item.id, 'result.png'));
    expect(meta.recipe).toEqual(small);
    expect(meta.input).toBe('gradient.png');
    expect((await service.handlers['gallery.list']({})).map((i) => i.id)).toContain(item.id);
    const loaded = await service.handlers['recipe.fromPng']({ name: 'mine.png', data: await readFile(join(dataDir, 'gallery', item.id, 'result.png')) });
    expect(loaded).toMatchObject({ recipe: small, input: 'gradient.png', appVersion: '0.0.0-test', width: 100, height: 80 });
  });

  it('queues jobs in order and cancels a queued one and the running one; neither reaches the gallery', async () => {
    const before = (await service.handlers['gallery.list']({})).length;
    const long = { ...small, steps: 40, octaves: 1 };
    const a = await service.handlers['dream.start']({ inputId: input.id, recipe: long, maxSide: 100 });
    const b = await service.handlers['dream.start']({ inputId: input.id, recipe: long, maxSide: 100 });
    expect(b.position).toBe(1);
    expect((await service.handlers['job.list']({})).map((j) => [j.jobId, j.state])).toEqual([
      [a.jobId, 'running'],
      [b.jobId, 'queued'],
    ]);
    expect(await service.handlers['job.cancel']({ jobId: b.jobId })).toEqual({ cancelled: true });
    expect((await finished(b.jobId)).state).toBe('cancelled');
    await new Promise<void>((resolve) => {
      const stop = service.subscribe((e) => {
        if (e.channel === 'job.progress' && e.payload.jobId === a.jobId) {
          stop();
          resolve();
        }
      });
    });
    expect(await service.handlers['job.cancel']({ jobId: a.jobId })).toEqual({ cancelled: true });
    expect((await finished(a.jobId)).state).toBe('cancelled');
    expect(await service.handlers['job.cancel']({ jobId: a.jobId })).toEqual({ cancelled: false });
    expect(await service.handlers['job.list']({})).toEqual([]);
    expect((await service.handlers['gallery.list']({})).length).toBe(before);
  });

  it('reports engine failures as typed job errors', async () => {
    const bad = { ...small, layers: [{ name: 'mixed33', weight: 1 }] };
    const t = await service.handlers['dream.start']({ inputId: input.id, recipe: bad, maxSide: 100 });
    const end = await finished(t.jobId);
    expect(end).toMatchObject({ state: 'failed', error: { name: 'UnknownLayerError', message: expect.stringContaining('mixed33') } });
  });

  it('refuses bad requests before queueing anything', async () => {
    await expect(service.handlers['dream.start']({ inputId: input.id, recipe: { ...small, steps: -1 }, maxSide: 100 })).rejects.toMatchObject({ name: 'RecipeError' });
    await expect(service.handlers['dream.start']({ inputId: input.id, recipe: small, maxSide: 10 })).rejects.toMatchObject({ name: 'BadRequestError' });
    await expect(service.handlers['dream.start']({ inputId: 'ffffffffffffffffffffffff', recipe: small, maxSide: 100 })).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(service.handlers['recipe.fromPng']({ name: 'photo.png', data: await readFile(join(dataDir, 'gradient.png')) })).rejects.toMatchObject({
      name: 'RecipeError',
      message: expect.stringContaining('photo.png: this PNG carries no Reverie recipe'),
    });
    expect(await service.handlers['job.list']({})).toEqual([]);
  });

  it('lists the model blocks with their training', async () => {
    const layers = await service.handlers['model.layers']({});
    expect(layers.map((l) => l.name)).toEqual(['mixed0', 'mixed1', 'mixed2', 'mixed3', 'mixed4', 'mixed5', 'mixed6', 'mixed7', 'mixed8', 'mixed9', 'mixed10']);
    expect(layers.find((l) => l.name === 'mixed3')?.training).toBe('imagenet');
    expect(layers.find((l) => l.name === 'mixed9')?.training).toBe('fine-tuned');
    expect(await service.handlers['engine.status']({})).toMatchObject({ state: 'ready', backend: 'wasm', modelId: 'inception_v3', accelerator: expect.stringMatching(/^onnxruntime-node /) });
  });
});

describe('persistence', () => {
  it('finds results again after a restart, and deletes them for good', async () => {
    const [item] = await service.handlers['gallery.list']({});
    expect(item).toBeDefined();
    const restarted = testService(dataDir);
    try {
      const again = await restarted.handlers['gallery.list']({});
      expect(again[0]).toEqual(item);
      expect(await restarted.handlers['gallery.delete']({ id: item!.id })).toEqual({ deleted: true });
      expect(await restarted.handlers['gallery.delete']({ id: item!.id })).toEqual({ deleted: false });
      expect((await restarted.handlers['gallery.list']({})).map((i) => i.id)).not.toContain(item!.id);
      await expect(restarted.handlers['result.save']({ id: item!.id })).rejects.toMatchObject({ name: 'NotFoundError' });
    } finally {
      await restarted.close();
    }
  });

  it('ignores a gallery folder whose entry was never finished', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dataDir, 'gallery', '20990101-000000-abcdef'), { recursive: true });
    await writeFile(join(dataDir, 'gallery', '20990101-000000-abcdef', 'result.png'), 'half written');
    expect((await service.handlers['gallery.list']({})).map((i) => i.id)).not.toContain('20990101-000000-abcdef');
  });
});
