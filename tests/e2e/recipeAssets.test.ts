// A loaded recipe brings its mask, guide and per-term masks back into the Dream panel (chromium,
// real server, engine and model): the PNG carries them, the page shows them in their slots, and
// dreaming again names the same images by the same hashes, with masked-off pixels left as they were.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { assetsText, readAssetsFromPng, readGuide, readMask } from '../../engine/io/assets.ts';
import { addPngTexts } from '../../engine/io/pngText.ts';
import { metadataText, readDreamMetadata } from '../../engine/render/metadata.ts';
import { DEFAULT_RECIPE, type Recipe } from '../../engine/recipe/recipe.ts';
import { engineReady, dropFile, screenshot, setNumber, smallPhoto, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';

let dataDir: string;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  ({ dataDir, server, browser } = await startApp('e2e-recipe-assets'));
}, 180_000);
afterAll(() => stopApp(server, browser));

/** A 128x96 grey mask: white where `dreams(x, y)`, black elsewhere. */
function maskImage(dreams: (x: number, y: number) => boolean): Promise<Buffer> {
  const px = Buffer.alloc(128 * 96);
  for (let y = 0; y < 96; y++) for (let x = 0; x < 128; x++) px[y * 128 + x] = dreams(x, y) ? 255 : 0;
  return sharp(px, { raw: { width: 128, height: 96, channels: 1 } }).png().toBuffer();
}

describe('a loaded recipe restores its mask and guide', () => {
  it('puts the mask, guide and a per-term mask back, and dreaming again reproduces their hashes', async () => {
    const { page } = browser;
    const photo = await smallPhoto();
    const mask = await readMask(await maskImage((x) => x < 64)); // the left half dreams
    const termMask = await readMask(await maskImage((_x, y) => y < 48)); // mixed3 only in the top half
    const guide = await readGuide(fileURLToPath(new URL('../../assets/examples/coffee.jpg', import.meta.url)));
    const recipe: Recipe = { ...DEFAULT_RECIPE, version: 2, layers: [{ name: 'mixed3', weight: 1, mask: termMask.hash }], steps: 2, octaves: 1, mask: mask.hash, guide: guide.hash };
    const meta = { app: 'reverie' as const, appVersion: '0.0.0', backend: 'wasm', input: 'cat-small.jpg', createdAt: '2026-01-01T00:00:00Z', recipe };
    const carrier = join(dataDir, '..', 'recipe-with-assets.png');
    await writeFile(carrier, addPngTexts(await sharp(photo).png().toBuffer(), { ...metadataText(meta), ...(await assetsText([mask, termMask, guide])) }));

    await page.goto(server.url);
    await engineReady(page, { server });
    await dropFile(page, '[data-testid=stage]', 'cat-small.jpg', 'image/jpeg', photo);
    await page.locator('[data-testid=shown-image]').waitFor();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('load-recipe').click()]);
    await chooser.setFiles(carrier);

    await page.getByTestId('guide-image').waitFor();
    await page.getByTestId('mask-loaded').waitFor();
    expect(await page.getByTestId('mask-enable').isChecked()).toBe(true);
    await page.getByTestId('mask-layer').waitFor();
    // The loaded mask is drawn over the picture: tinted on the left (dreams), clear on the right.
    const tint = await page.getByTestId('mask-layer').evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const alpha = (fx: number) => ctx.getImageData(Math.floor(c.width * fx), Math.floor(c.height / 2), 1, 1).data[3]!;
      return [alpha(0.2), alpha(0.8)];
    });
    expect(tint[0]).toBeGreaterThan(50);
    expect(tint[1]).toBe(0);
    await screenshot(page, 'dream-recipe-assets-restored');

    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=compare]').waitFor({ timeout: 90_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    const saved = join(dataDir, '..', `again-${download.suggestedFilename()}`);
    await download.saveAs(saved);
    const again = (await readDreamMetadata(saved)).recipe;
    expect(again).toMatchObject({ mask: mask.hash, guide: guide.hash, layers: [{ name: 'mixed3', weight: 1, mask: termMask.hash }] });
    expect((await readAssetsFromPng(saved)).map((a) => a.hash).sort()).toEqual([mask.hash, termMask.hash, guide.hash].sort());

    // The recipe's mask keeps the right half: the input, bit for bit. mixed3's own mask (top half)
    // moves the top far more than the bottom (its gradient reaches a little past the edge).
    const [out, input] = await Promise.all([sharp(saved).removeAlpha().raw().toBuffer(), sharp(photo).removeAlpha().raw().toBuffer()]);
    let keptMax = 0;
    let [top, bottom] = [0, 0];
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 128; x++) {
        for (let k = 0; k < 3; k++) {
          const i = (y * 128 + x) * 3 + k;
          const d = Math.abs(out[i]! - input[i]!);
          if (x >= 64) keptMax = Math.max(keptMax, d);
          else if (y < 40) top += d;
          else if (y >= 64) bottom += d;
        }
      }
    }
    expect(keptMax).toBe(0);
    expect(top / (64 * 40 * 3)).toBeGreaterThan(1);
    expect(top / (64 * 40)).toBeGreaterThan((2 * bottom) / (64 * 32));
    expect(browser.problems).toEqual([]);
  }, 240_000);

  it('paints a mask for one layer term only: the recipe names it in that term, and the PNG carries it', async () => {
    const { page } = browser;
    await page.getByTestId('guide-clear').click();
    await page.getByTestId('mask-clear').click(); // the loaded whole-dream mask
    await page.getByTestId('preset-classic').click(); // mixed3 + mixed5, no term masks
    await setNumber(page, 'field-steps', 2);
    await setNumber(page, 'field-octaves', 1);
    await page.getByTestId('view-input').click();
    await page.getByTestId('mask-target').selectOption('layer:mixed5');
    const layer = page.getByTestId('mask-layer');
    await layer.waitFor();
    const box = (await layer.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * (0.2 + 0.07 * i));
    await page.mouse.up();
    await screenshot(page, 'dream-term-mask-painted');

    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=progress]').waitFor();
    await page.locator('[data-testid=compare]').waitFor({ timeout: 90_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    const saved = join(dataDir, '..', `term-${download.suggestedFilename()}`);
    await download.saveAs(saved);
    const recipe = (await readDreamMetadata(saved)).recipe;
    expect(recipe.mask).toBeUndefined();
    expect(recipe.guide).toBeUndefined();
    expect(recipe.layers[0]).toEqual({ name: 'mixed3', weight: 1 });
    expect(recipe.layers[1]).toMatchObject({ name: 'mixed5', weight: 1, mask: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    const carried = await readAssetsFromPng(saved);
    expect(carried.map((a) => [a.kind, a.hash])).toEqual([['mask', recipe.layers[1]!.mask]]);
    // The term's mask is the painted stroke: white near x = 0.2 of the width, black on the right.
    const m = carried[0]!;
    expect(m.pixels[Math.round(m.height * 0.5) * m.width + Math.round(m.width * 0.2)]).toBeGreaterThan(200);
    expect(m.pixels[Math.round(m.height * 0.5) * m.width + Math.round(m.width * 0.8)]).toBe(0);
    expect(browser.problems).toEqual([]);
  }, 240_000);
});
