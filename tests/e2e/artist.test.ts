// What an artist meets first, end to end in Debian's chromium with the real server, engine and
// model (one step, one octave): Dream works at the image's own size unless asked, a loaded recipe
// brings its size back, saved presets show in every preset grid, Zoom's stage follows the render and says when
// the video is ready, an error goes once its cause is gone, and a server given --data-dir keeps
// its settings there, never in the user's config folder. Screenshots go to tests/artifacts/.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { LAUNCH_STATE_FILE } from '../../server/launchState.ts';
import sharp from 'sharp';
import { tempDir } from '../appHelpers.ts';
import { engineReady, dropFile, openBrowser, screenshot, setNumber, smallPhoto, startServer, stopApp, type Browser, type RunningServer } from './harness.ts';

let dataDir: string;
let server: RunningServer;
let browser: Browser;
/** Stands in for the user's ~/.config: a run with its own data folder must leave it alone. */
let userConfig: string;

beforeAll(async () => {
  [dataDir, userConfig] = await Promise.all([tempDir('e2e-artist'), tempDir('e2e-user-config')]);
  // No REVERIE_CONFIG_DIR here (the harness sets one): --data-dir alone must keep settings in the data folder.
  [server, browser] = await Promise.all([startServer(dataDir, { REVERIE_CONFIG_DIR: '', XDG_CONFIG_HOME: userConfig }), openBrowser()]);
}, 180_000);
afterAll(() => stopApp(server, browser));

async function dreamOnce(): Promise<number> {
  const { page } = browser;
  await page.keyboard.press('Control+Enter');
  await page.locator('[data-testid=progress]').waitFor();
  await page.locator('[data-testid=compare]').waitFor({ timeout: 90_000 });
  await expect.poll(() => page.getByTestId('result-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  return page.getByTestId('result-image').evaluate((img: HTMLImageElement) => img.naturalWidth);
}

describe('Dream for artists', () => {
  it('dreams at the image\'s own size by default, and a loaded recipe restores the size it was dreamed at', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await engineReady(page, { server });
    await dropFile(page, '[data-testid=stage]', 'wide.jpg', 'image/jpeg', await smallPhoto(600, 400));
    await page.locator('[data-testid=shown-image]').waitFor();
    await page.getByTestId('preset-quick').click();
    await setNumber(page, 'field-steps', 1);
    await page.getByTestId('auto-octaves').uncheck(); // a fixed count (octaves follow the image size by default)
    await setNumber(page, 'field-octaves', 1);
    expect(await page.locator('[data-testid=size] option:checked').textContent()).toBe('Original · 600×400');
    expect(await dreamOnce()).toBe(600);

    await page.getByTestId('size').selectOption('384');
    expect(await dreamOnce()).toBe(384);
    expect(await page.getByTestId('dims').textContent()).toBe('600×400 → 384×256');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    const saved = join(dataDir, '..', download.suggestedFilename());
    await download.saveAs(saved);
    expect((await sharp(saved).metadata()).width).toBe(384);

    await page.getByTestId('size').selectOption({ label: 'Original · 600×400' });
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('load-recipe').click()]);
    await chooser.setFiles(saved);
    await expect.poll(() => page.getByTestId('size').inputValue()).toBe('384');
    await screenshot(page, 'artist-recipe-size');
    expect(browser.problems).toEqual([]);
  }, 240_000);

  it('shows the result fitted, at 1:1 or zoomed, pans it in the result and before/after views, and copies it', async () => {
    const { page } = browser;
    const result = page.getByTestId('result-image');
    const width = async () => (await result.boundingBox())!.width;
    expect(await width()).toBeGreaterThan(500); // fitted: larger than the 384 px picture at 1280x800
    await page.getByTestId('view-1to1').click();
    expect(await page.getByTestId('view-scale').textContent()).toBe('100 %');
    expect(await width()).toBeCloseTo(384, 0);
    for (let i = 0; i < 3; i++) await page.getByTestId('view-zoom-in').click();
    expect(await page.getByTestId('view-scale').textContent()).toBe('338 %');
    const compare = (await page.getByTestId('compare').boundingBox())!;
    const leftOf = async () => (await result.boundingBox())!.x;
    const before = await leftOf();
    await page.mouse.move(compare.x + compare.width * 0.8, compare.y + compare.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(compare.x + compare.width * 0.8 - 120, compare.y + compare.height * 0.3, { steps: 4 });
    await page.mouse.up();
    expect(await leftOf()).toBeCloseTo(before - 120, 0);
    await page.getByTestId('view-result').click();
    const shown = page.getByTestId('shown-image');
    const x0 = (await shown.boundingBox())!.x;
    const stage = (await page.getByTestId('stage').boundingBox())!;
    await page.mouse.move(stage.x + stage.width / 2, stage.y + stage.height / 2);
    await page.mouse.down();
    await page.mouse.move(stage.x + stage.width / 2 + 60, stage.y + stage.height / 2, { steps: 3 });
    await page.mouse.up();
    expect((await shown.boundingBox())!.x).toBeCloseTo(x0 + 60, 0);
    await screenshot(page, 'artist-result-zoomed');

    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    await page.getByTestId('copy-result').click();
    await page.locator('[data-testid=notice-success]').filter({ hasText: 'Copied' }).waitFor();
    const copied = await page.evaluate(async () => {
      const [item] = await navigator.clipboard.read();
      const bitmap = await createImageBitmap(await item!.getType('image/png'));
      return [bitmap.width, bitmap.height];
    });
    expect(copied).toEqual([384, 256]);
    await page.getByTestId('view-fit').click();
    await page.getByTestId('view-compare').click();
  });

  it('keeps the settings a dream remembers in the data folder, not in the user\'s config folder', () => {
    // Every dream remembers its model and recipe as the last used (settings.json).
    expect(existsSync(join(dataDir, 'config', 'settings.json'))).toBe(true);
    expect(existsSync(join(userConfig, 'reverie'))).toBe(false);
  });

  it('offers a preset saved in Models in the preset grids of Dream, Zoom and Paint', async () => {
    const { page } = browser;
    await page.getByTestId('preset-textures').click();
    await setNumber(page, 'field-steps', 7);
    await page.getByTestId('layer-mixed4').click();
    await page.getByTestId('nav-models').click();
    await page.getByTestId('preset-name').fill('Woven');
    await page.getByTestId('preset-save').click();
    await page.getByTestId('user-preset').waitFor();
    await page.getByTestId('nav-dream').click();
    await page.getByTestId('preset-classic').click();
    await page.getByTestId('preset-saved:Woven').click();
    expect(await page.getByTestId('preset-saved:Woven').getAttribute('aria-checked')).toBe('true');
    expect(await page.getByTestId('field-steps').inputValue()).toBe('7');
    expect(await page.getByTestId('field-octaves').inputValue()).toBe('5');

    await page.getByTestId('nav-zoom').click();
    await page.getByTestId('zoom-preset-saved:Woven').click();
    // The look (layers) comes from the preset; Zoom keeps its light steps per frame.
    expect(await page.getByTestId('zoom-preset-saved:Woven').getAttribute('aria-checked')).toBe('true');
    expect(await page.getByTestId('field-steps').inputValue()).toBe('5');
    await page.getByTestId('zoom-preset-classic').click();
    expect(await page.getByTestId('zoom-preset-saved:Woven').getAttribute('aria-checked')).toBe('false');
    await page.getByTestId('nav-paint').click();
    await page.getByTestId('paint-preset-saved:Woven').waitFor();
    await screenshot(page, 'artist-paint-presets');
  });

  it('follows a zoom render\'s newest frame on the stage, ends on the last one, and says "Video ready" there', async () => {
    const { page } = browser;
    await page.getByTestId('nav-zoom').click();
    await dropFile(page, '[data-testid=zoom-stage]', 'cat.jpg', 'image/jpeg', await smallPhoto(128, 96));
    await page.getByTestId('zoom-source').waitFor();
    await setNumber(page, 'zoom-frames', 3);
    await setNumber(page, 'field-steps', 1);
    await page.getByTestId('zoom-size').selectOption('96');
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('zoom-frame').waitFor({ timeout: 60_000 });
    // Whatever has landed, the stage shows the newest of it.
    // Both read in one look at the page: two reads apart can straddle a frame landing.
    const shownAndMade = () =>
      page.evaluate(() => [document.querySelector('[data-testid=zoom-frame]')?.getAttribute('data-frame') ?? null, String(document.querySelectorAll('[data-testid=strip-frame]').length)]);
    const [shown, made] = await shownAndMade();
    expect(shown).toBe(made);
    await page.locator('[data-testid=zoom-status][data-status=complete]').waitFor({ timeout: 90_000 });
    expect(await shownAndMade()).toEqual(['3', '3']);

    await page.getByTestId('format-mp4').click();
    await setNumber(page, 'export-fps', 8);
    await page.getByTestId('export-start').click();
    const ready = page.getByTestId('video-ready');
    await ready.waitFor({ timeout: 60_000 });
    const box = (await ready.boundingBox())!;
    const stage = (await page.getByTestId('zoom-stage').boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(stage.y);
    expect(box.y + box.height).toBeLessThan(stage.y + stage.height / 2);
    await screenshot(page, 'artist-zoom-video-ready');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('video-ready-save').click()]);
    expect(download.suggestedFilename()).toMatch(/\.mp4$/);
    await ready.waitFor({ state: 'detached' });
  }, 180_000);

  it('takes an error away once its cause is gone', async () => {
    const { page } = browser;
    await page.getByTestId('nav-dream').click();
    await dropFile(page, '[data-testid=stage]', 'notes.txt', 'text/plain', Buffer.from('not an image'));
    const error = page.locator('[data-testid=notice-error]');
    await expect.poll(() => error.textContent()).toContain('notes.txt');
    await dropFile(page, '[data-testid=stage]', 'cat.jpg', 'image/jpeg', await smallPhoto(160, 120));
    await expect.poll(() => page.locator('.toolbar .name').textContent()).toBe('cat.jpg');
    await expect.poll(() => error.count()).toBe(0);
  });

  it('says what things do and are: one name for the engine, clamped values said, plural forms, the model in the gallery', async () => {
    const { page } = browser;
    await page.getByTestId('nav-dream').click();
    expect(await page.getByTestId('continue').getAttribute('title')).toContain('new input');
    expect(await page.getByTestId('continue').textContent()).toBe('Use as input');
    await setNumber(page, 'field-steps', 100000);
    expect(await page.getByTestId('field-steps').inputValue()).toBe('100');
    expect(await page.getByTestId('field-steps-note').textContent()).toBe('Steps: at most 100 (set to 100).');
    const title = (await page.getByTestId('engine-badge').getAttribute('title'))!;
    const name = (await page.getByTestId('engine-badge').textContent())!.trim();
    expect(title).toContain(name);
    if (name === 'CPU') expect(title).not.toContain('wasm');

    await page.getByTestId('nav-zoom').click();
    await setNumber(page, 'zoom-frames', 1);
    expect(await page.getByTestId('zoom-render').textContent()).toContain('Render 1 frame ');
    expect(await page.locator('[data-testid=export-size] option').first().textContent()).toBe('As frames');
    await page.getByTestId('nav-models').click();
    expect(await page.getByTestId('panel-models').textContent()).toContain('fine-tuned for nsfwjs from mixed6 onwards.');
    await page.getByTestId('nav-gallery').click();
    await expect.poll(() => page.getByTestId('gallery-item').first().textContent()).toMatch(/inception_v3\s·\smixed3/);
  });

  it('brings each panel\'s work back after a reload, and after a restart that forgot the tab tells it plainly what to do', async () => {
    const { page } = browser;
    await page.getByTestId('nav-dream').click();
    await setNumber(page, 'field-steps', 3);
    await page.getByTestId('nav-paint').click();
    await page.getByTestId('paint-blank').click();
    await setNumber(page, 'paint-frames', 5);
    await page.getByTestId('nav-dream').click();

    await page.reload();
    await engineReady(page, { server });
    await expect.poll(() => page.locator('.toolbar .name').textContent()).toBe('cat.jpg');
    await expect.poll(() => page.getByTestId('field-steps').inputValue()).toBe('3');
    await page.getByTestId('nav-zoom').click();
    await expect.poll(() => page.getByTestId('zoom-frame').getAttribute('data-frame')).toBe('1');
    expect(await page.getByTestId('strip-frame').count()).toBe(3);
    await page.getByTestId('nav-paint').click();
    await page.getByTestId('paint-canvas').waitFor();
    expect(await page.getByTestId('paint-frames').inputValue()).toBe('5');

    const port = Number(new URL(server.origin).port);
    await server.stop();
    // A data folder whose launch secret is gone (browser.json deleted) forgets the tabs it knew;
    // tests/e2e/restart.test.ts has the ordinary restart, which keeps them.
    await rm(join(dataDir, LAUNCH_STATE_FILE));
    server = await startServer(dataDir, { REVERIE_CONFIG_DIR: '', XDG_CONFIG_HOME: userConfig }, port);
    const refused = page.getByTestId('connection-refused');
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.textContent()).toContain('Open the address it printed');
    await screenshot(page, 'artist-restart-refused');
    await page.goto(server.url);
    browser.problems.length = 0; // the old page's socket failing while the server was down is expected
    await expect.poll(() => page.getByTestId('paint-frames').inputValue(), { timeout: 30_000 }).toBe('5');
    await page.getByTestId('nav-dream').click();
    await expect.poll(() => page.locator('.toolbar .name').textContent()).toBe('cat.jpg');
  }, 180_000);
});
