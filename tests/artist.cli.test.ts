// The CLI's artist options end to end with the real embedded models at small sizes: the chosen
// model's curated default with no layers named, size-aware octaves, --fade, --mask (and per-term masks
// in recipe JSON), --guide, and reproduction of each from the PNG's recipe with --recipe-from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { BIN, writeTestImage, type CliResult } from './helpers/cli.ts';
import { readRecipeFromPng } from '../engine/render/metadata.ts';
import { readAssetsFromPng } from '../engine/io/assets.ts';
import { readZoomManifest } from '../engine/project/store.ts';

let dir: string;
let input: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-artist-'));
  // A settings folder of its own: the built-in default recipe, whatever the user saved.
  env = { ...process.env, REVERIE_CONFIG_DIR: join(dir, 'config') };
  input = join(dir, 'in.png');
  await writeTestImage(input, 120, 96);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 300_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const pixels = (path: string) => sharp(path).removeAlpha().raw().toBuffer();
const small = ['--steps', '2', '--backend', 'wasm'];

/** A mask PNG: white left of `edge` (fraction of the width), black right of it. */
async function writeMask(path: string, edge: number, width = 120, height = 96): Promise<void> {
  const grey = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) grey[y * width + x] = x < edge * width ? 255 : 0;
  await sharp(grey, { raw: { width, height, channels: 1 } }).png().toFile(path);
}

describe('--model without --layers', () => {
  it('dream and zoom use MobileNetV2s curated default recipe (the real embedded model)', async () => {
    const out = join(dir, 'mobile.png');
    const r = await run(['dream', input, '-o', out, '--model', 'mobilenet_v2', ...small, '--octaves', '1']);
    expect(r.stderr).not.toMatch(/not a layer/);
    expect(r.code).toBe(0);
    const recipe = await readRecipeFromPng(out);
    expect(recipe.model).toBe('mobilenet_v2');
    expect(recipe.layers.map((l) => l.name)).toEqual(['block_6_expand_relu', 'block_10_expand_relu']);
    const project = join(dir, 'mobile-zoom');
    const z = await run(['zoom', input, '-o', project, '--frames', '1', '--model', 'mobilenet_v2', ...small]);
    expect(z.code).toBe(0);
    expect((await readZoomManifest(project)).recipe.layers.map((l) => l.name)).toEqual(['block_6_expand_relu', 'block_10_expand_relu']);
  }, 300_000);
});

describe('size-aware defaults and --fade', () => {
  it('the default recipe carries a pattern size; --octaves fixes the count instead; both is an error', async () => {
    const out = join(dir, 'default.png');
    expect((await run(['dream', input, '-o', out, '--layers', 'mixed3', ...small, '--json'])).code).toBe(0);
    expect((await readRecipeFromPng(out)).patternSize).toBeGreaterThan(0);
    // info says how many octaves this size got, not the recipe's unused fixed count.
    expect((await run(['info', out])).stdout).toMatch(/steps +(\d+\+)*\d+ over \d+ octaves? \(from the image size, pattern size /);
    const fixed = join(dir, 'fixed.png');
    expect((await run(['dream', input, '-o', fixed, '--layers', 'mixed3', ...small, '--octaves', '2'])).code).toBe(0);
    expect(await readRecipeFromPng(fixed)).toMatchObject({ version: 1, octaves: 2 });
    expect((await run(['info', fixed])).stdout).toMatch(/steps +\d+ x 2 octaves/);
    const both = await run(['dream', input, '-o', join(dir, 'x.png'), '--octaves', '2', '--pattern-size', '0.1']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/--octaves .* or --pattern-size .*not both/);
  }, 300_000);

  it('--fade 100 gives the input back; --fade 50 lies half way', async () => {
    const full = join(dir, 'fade0.png');
    const half = join(dir, 'fade50.png');
    const none = join(dir, 'fade100.png');
    const args = ['--layers', 'mixed3', ...small, '--octaves', '1'];
    for (const [out, fade] of [[full, '0'], [half, '50'], [none, '100']] as const) expect((await run(['dream', input, '-o', out, ...args, '--fade', fade])).code).toBe(0);
    const [a, b, c, i] = await Promise.all([full, half, none, input].map(pixels));
    expect(c!.equals(i!)).toBe(true);
    let worst = 0;
    for (let k = 0; k < i!.length; k++) worst = Math.max(worst, Math.abs(b![k]! - (a![k]! + i![k]!) / 2));
    expect(worst).toBeLessThanOrEqual(1);
    expect(a!.equals(i!)).toBe(false);
    expect((await readRecipeFromPng(half)).fade).toBe(50);
  }, 300_000);
});

describe('--mask, per-term masks and --guide', () => {
  it('keeps black areas of the mask exactly, dreams white ones, and --recipe-from reproduces it', async () => {
    const mask = join(dir, 'mask.png');
    await writeMask(mask, 0.5);
    const out = join(dir, 'masked.png');
    expect((await run(['dream', input, '-o', out, '--mask', mask, '--layers', 'mixed3', ...small, '--octaves', '1'])).code).toBe(0);
    const [o, i] = await Promise.all([pixels(out), pixels(input)]);
    let keptDiff = 0;
    let dreamDiff = 0;
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 120; x++) {
        for (let k = 0; k < 3; k++) {
          const at = (y * 120 + x) * 3 + k;
          if (x >= 62) keptDiff = Math.max(keptDiff, Math.abs(o[at]! - i[at]!));
          if (x < 58) dreamDiff += Math.abs(o[at]! - i[at]!);
        }
      }
    }
    expect(keptDiff).toBe(0);
    expect(dreamDiff / (96 * 58 * 3)).toBeGreaterThan(1);
    const recipe = await readRecipeFromPng(out);
    expect(recipe.mask).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await readAssetsFromPng(out)).map((a) => a.hash)).toEqual([recipe.mask]);
    const again = join(dir, 'masked-again.png');
    expect((await run(['dream', input, '-o', again, '--recipe-from', out, '--backend', 'wasm'])).code).toBe(0);
    expect((await pixels(again)).equals(o)).toBe(true);
  }, 300_000);

  it('per-term masks in recipe JSON (paths beside the file) dream and reproduce from the PNG', async () => {
    await writeMask(join(dir, 'left.png'), 0.5);
    await writeMask(join(dir, 'right.png'), 0);
    const recipeFile = join(dir, 'terms.json');
    const json = { version: 2, octaves: 1, steps: 2, layers: [{ name: 'mixed3', weight: 1, mask: 'left.png' }], channels: [{ layer: 'mixed4', index: 7, weight: 1, mask: 'right.png' }] };
    await writeFile(recipeFile, JSON.stringify(json));
    const out = join(dir, 'terms.png');
    const r = await run(['dream', input, '-o', out, '--recipe', recipeFile, '--backend', 'wasm']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const recipe = await readRecipeFromPng(out);
    expect(recipe.layers[0]!.mask).toMatch(/^sha256:/);
    expect(recipe.channels[0]!.mask).toMatch(/^sha256:/);
    expect(recipe.layers[0]!.mask).not.toBe(recipe.channels[0]!.mask);
    expect(await readAssetsFromPng(out)).toHaveLength(2);
    const again = join(dir, 'terms-again.png');
    expect((await run(['dream', input, '-o', again, '--recipe-from', out, '--backend', 'wasm'])).code).toBe(0);
    expect((await pixels(again)).equals(await pixels(out))).toBe(true);
  }, 300_000);

  it('--guide dreams toward an image and reproduces; zoom keeps the mask in its project; errors are clear', async () => {
    const guide = new URL('../assets/examples/coffee.jpg', import.meta.url).pathname;
    const out = join(dir, 'guided.png');
    expect((await run(['dream', input, '-o', out, '--guide', guide, '--layers', 'mixed4', ...small, '--octaves', '1'])).code).toBe(0);
    const recipe = await readRecipeFromPng(out);
    expect(recipe.guide).toMatch(/^sha256:/);
    const again = join(dir, 'guided-again.png');
    expect((await run(['dream', input, '-o', again, '--recipe-from', out, '--backend', 'wasm'])).code).toBe(0);
    expect((await pixels(again)).equals(await pixels(out))).toBe(true);

    const project = join(dir, 'masked-zoom');
    expect((await run(['zoom', input, '-o', project, '--frames', '2', '--mask', join(dir, 'mask.png'), '--layers', 'mixed3', ...small])).code).toBe(0);
    const m = await readZoomManifest(project);
    expect(m.recipe.mask).toMatch(/^sha256:/);
    expect((await run(['resume', project, '--frames', '3', '--backend', 'wasm'])).code).toBe(0);

    const wrong = join(dir, 'square.png');
    await writeMask(wrong, 0.5, 50, 50);
    const bad = await run(['dream', input, '-o', join(dir, 'bad.png'), '--mask', wrong, '--layers', 'mixed3', ...small, '--octaves', '1']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/mask is 50x50 but the image is 120x96/);
    const missing = await run(['dream', input, '-o', join(dir, 'bad.png'), '--mask', join(dir, 'nope.png')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/nope\.png/);
  }, 300_000);

  it('a preset refuses a mask (its image would not travel with it)', async () => {
    const mask = join(dir, 'preset-mask.png');
    await writeMask(mask, 0.5);
    const r = await run(['presets', 'save', 'masked', '--mask', mask]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/preset keeps no mask or guide image/);
  });
});
