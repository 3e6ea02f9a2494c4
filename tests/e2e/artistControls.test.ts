// The Dream panel's version-2 controls in chromium, with the real server, engine and model: octaves
// from the image size by default (pattern size replaces the octave count; a fixed count on request) and fade; a fade of 100 % gives the
// original back, pixel for pixel, and the saved PNG's recipe carries both fields; and the Guide slot.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';
import { readDreamMetadata } from '../../engine/render/metadata.ts';
import { readAssetsFromPng } from '../../engine/io/assets.ts';
import { DEFAULT_PATTERN_SIZE } from '../../engine/recipe/octavePlan.ts';
import { engineReady, dropFile, screenshot, setNumber, smallPhoto, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';

let dataDir: string;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  ({ dataDir, server, browser } = await startApp('e2e-artist'));
}, 180_000);
afterAll(() => stopApp(server, browser));

describe('Dream panel: pattern size, fade and guide', () => {
  it('octaves follow the image size with a pattern size; fade 100 % gives the original back', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await engineReady(page, { server });
    const photo = await smallPhoto();
    await dropFile(page, '[data-testid=stage]', 'cat-small.jpg', 'image/jpeg', photo);
    await page.locator('[data-testid=shown-image]').waitFor();
    await page.getByTestId('preset-quick').click();
    await setNumber(page, 'field-steps', 2);

    // Size-aware by default (as the CLI): the octave count follows the image, and the panel says it.
    expect(await page.getByTestId('auto-octaves').isChecked()).toBe(true);
    await page.getByTestId('field-patternSize').waitFor();
    expect(await page.getByTestId('field-octaves').count()).toBe(0);
    expect(await page.getByTestId('field-patternSize').inputValue()).toBe(String(DEFAULT_PATTERN_SIZE));
    expect(await page.getByTestId('octaves-here').textContent()).toBe('1 for this image'); // 128x96 at 0.06
    await setNumber(page, 'field-patternSize', 0.3);
    expect(await page.getByTestId('octaves-here').textContent()).toBe('4 for this image');
    await setNumber(page, 'field-fade', 100);
    expect(await page.getByTestId('field-fade').inputValue()).toBe('100');
    await screenshot(page, 'dream-artist-fields');

    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=compare]').waitFor({ timeout: 90_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    const saved = join(dataDir, '..', `artist-${download.suggestedFilename()}`);
    await download.saveAs(saved);
    expect((await readDreamMetadata(saved)).recipe).toMatchObject({ version: 2, patternSize: 0.3, fade: 100, steps: 2 });
    const [out, input] = await Promise.all([sharp(saved).removeAlpha().raw().toBuffer(), sharp(photo).removeAlpha().raw().toBuffer()]);
    expect(out.equals(input)).toBe(true);

    // Unchecking brings the fixed octave count back (an option), and the recipe drops the pattern size.
    await page.getByTestId('auto-octaves').uncheck();
    await page.getByTestId('field-octaves').waitFor();
    expect(await page.getByTestId('octaves-here').count()).toBe(0);
    expect(browser.problems).toEqual([]);
  }, 240_000);

  it('the Guide slot takes an image; the dream names it in the recipe and the PNG carries it', async () => {
    const { page } = browser;
    await setNumber(page, 'field-fade', 0);
    await setNumber(page, 'field-octaves', 1);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('guide-pick').click()]);
    await chooser.setFiles(fileURLToPath(new URL('../../assets/examples/coffee.jpg', import.meta.url)));
    await page.getByTestId('guide-image').waitFor();
    await screenshot(page, 'dream-guide-slot');
    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=progress]').waitFor();
    await page.locator('[data-testid=compare]').waitFor({ timeout: 90_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    const saved = join(dataDir, '..', `guided-${download.suggestedFilename()}`);
    await download.saveAs(saved);
    const recipe = (await readDreamMetadata(saved)).recipe;
    expect(recipe.guide).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await readAssetsFromPng(saved)).map((a) => a.hash)).toEqual([recipe.guide]);
    await page.getByTestId('guide-clear').click();
    await page.getByTestId('guide-pick').waitFor();
    expect(browser.problems).toEqual([]);
  }, 240_000);

  it('the mask brush: painted areas dream, the rest stays the original pixel for pixel', async () => {
    const { page } = browser;
    await page.getByTestId('view-input').click();
    await page.getByTestId('mask-enable').check();
    const layer = page.getByTestId('mask-layer');
    await layer.waitFor();
    const box = (await layer.boundingBox())!;
    // One vertical stroke in the left tenth of the image (the brush is 12 % of the short side wide).
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * (0.15 + 0.07 * i));
    await page.mouse.up();
    await page.getByTestId('mask-visible').click();
    expect(await page.getByTestId('mask-visible').textContent()).toBe('Show');
    await page.getByTestId('mask-visible').click();
    await screenshot(page, 'dream-mask-painted');

    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=progress]').waitFor();
    await page.locator('[data-testid=compare]').waitFor({ timeout: 90_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    const saved = join(dataDir, '..', `masked-${download.suggestedFilename()}`);
    await download.saveAs(saved);
    const recipe = (await readDreamMetadata(saved)).recipe;
    expect(recipe.mask).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await readAssetsFromPng(saved)).map((a) => a.kind)).toEqual(['mask']);
    const [out, input] = await Promise.all([sharp(saved).removeAlpha().raw().toBuffer(), sharp(await smallPhoto()).removeAlpha().raw().toBuffer()]);
    let keptMax = 0;
    let strokeSum = 0;
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 128; x++) {
        for (let k = 0; k < 3; k++) {
          const i = (y * 128 + x) * 3 + k;
          if (x >= 40) keptMax = Math.max(keptMax, Math.abs(out[i]! - input[i]!));
          if (x >= 10 && x < 16 && y >= 30 && y < 70) strokeSum += Math.abs(out[i]! - input[i]!);
        }
      }
    }
    expect(keptMax).toBe(0);
    expect(strokeSum / (6 * 40 * 3)).toBeGreaterThan(1);
    expect(browser.problems).toEqual([]);
  }, 240_000);
});
