// `reverie filters`, `maps` and `kernels` end to end with the real model at small sizes.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sheetLayout } from '../engine/inspect/sheet.ts';
import { readPngTexts } from '../engine/io/image.ts';
import { runCli } from './helpers/cli.ts';

const CAT = new URL('../assets/examples/cat.jpg', import.meta.url).pathname;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-inspect-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const size = async (path: string): Promise<[number, number]> => {
  const m = await sharp(path).metadata();
  return [m.width!, m.height!];
};
const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

describe('reverie filters', () => {
  it('writes a labelled contact sheet, then serves it from the cache', async () => {
    const out = join(dir, 'sheet.png');
    const args = ['filters', '--layer', 'mixed3', '--channels', '0-3', '--size', '64', '--steps', '2', '--columns', '2', '--cache-dir', join(dir, 'cache'), '--backend', 'wasm', '-o', out];
    const first = await runCli([...args, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const layout = sheetLayout(4, { cellSize: 64, columns: 2, title: 'mixed3  64px 2 steps' }); // the CLI's title
    expect(await size(out)).toEqual([layout.width, layout.height]);
    const done = lastJson(first.stdout);
    expect(done['type']).toBe('done');
    expect(done['fineTuned']).toBe(false);
    expect((done['channels'] as Array<{ cached: boolean }>).map((c) => c.cached)).toEqual([false, false, false, false]);
    const meta = JSON.parse(readPngTexts(await readFile(out))['reverie-feature']!) as { layer: string; channels: number[] };
    expect(meta).toMatchObject({ layer: 'mixed3', channels: [0, 1, 2, 3] });
    const second = await runCli(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/4 of 4 from the cache/);
  });

  it('renders one channel as a picture of the requested size', async () => {
    const out = join(dir, 'one.png');
    const r = await runCli(['filters', '--layer', 'mixed3', '--channels', '97', '--size', '96', '--steps', '2', '--no-cache', '--backend', 'wasm', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(await size(out)).toEqual([96, 96]);
  });

  it('marks the channels of fine-tuned layers in its output and on the sheet', async () => {
    const out = join(dir, 'mixed6.png');
    const r = await runCli(['filters', '--layer', 'mixed6', '--channels', '0-1', '--size', '64', '--steps', '1', '--no-cache', '--backend', 'wasm', '--json', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const done = lastJson(r.stdout);
    expect(done).toMatchObject({ fineTuned: true, training: 'fine-tuned' });
    expect(String(done['message'])).toMatch(/fine-tuned/);
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    let orange = 0;
    for (let i = 0; i < data.length; i += info.channels) if (data[i] === 0xff && data[i + 1] === 0x8c && data[i + 2] === 0x1a) orange++;
    expect(orange).toBeGreaterThan(100);
  });

  it('refuses an out-of-range channel or a missing output, writing nothing', async () => {
    const out = join(dir, 'never.png');
    const bad = await runCli(['filters', '--layer', 'mixed3', '--channels', '760-800', '--backend', 'wasm', '-o', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/0-767/);
    expect((await runCli(['filters', '--layer', 'mixed3'])).code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

describe('reverie maps', () => {
  it("lists and draws a photo's top channels", async () => {
    const out = join(dir, 'maps.png');
    const r = await runCli(['maps', CAT, '--layer', 'mixed3', '--top', '5', '--max-side', '160', '--cell', '32', '--backend', 'wasm', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const ranks = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+[\d.]+$/.test(l));
    expect(ranks).toHaveLength(5);
    const means = ranks.map((l) => Number(l.trim().split(/\s+/)[2]));
    expect([...means].sort((a, b) => b - a)).toEqual(means);
    const json = await runCli(['maps', CAT, '--layer', 'mixed3', '--top', '5', '--max-side', '160', '--cell', '32', '--backend', 'wasm', '--json', '-o', out]);
    const result = lastJson(json.stdout) as { width: number; height: number; top: Array<{ channel: number }> };
    expect(result.top.map((t) => t.channel)).toEqual(ranks.map((l) => Number(l.trim().split(/\s+/)[1])));
    expect(await size(out)).toEqual([result.width, result.height]);
    expect(result.height).toBe(sheetLayout(5, { cellSize: 32, title: 'x' }).height);
  });
});

describe('reverie kernels', () => {
  it("draws the first convolution's 32 filters as a sheet of the expected size", async () => {
    const out = join(dir, 'kernels.png');
    const r = await runCli(['kernels', '--cell', '24', '--backend', 'wasm', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/32 filters of conv2d_1/);
    const layout = sheetLayout(32, { cellSize: 24, title: 'conv2d_1: 32 filters 3x3x3' });
    expect([layout.columns, layout.rows]).toEqual([6, 6]);
    expect(await size(out)).toEqual([layout.width, layout.height]);
  });

  it('applies a seed filter to any image, keeping its size, and refuses unknown filters', async () => {
    const out = join(dir, 'sobel.png');
    const r = await runCli(['kernels', '--apply', 'sobel-y', CAT, '--backend', 'wasm', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(await size(out)).toEqual(await size(CAT));
    const bad = await runCli(['kernels', '--apply', 'emboss', CAT, '-o', join(dir, 'x.png')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sobel-x, sobel-y, sharpen, blur/);
  });
});
