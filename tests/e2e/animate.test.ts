// Zoom and Paint end to end in Debian's chromium, with the real server, engine, model (96-128 px,
// one step) and ffmpeg: set a zoom centre, preview, render 4 frames as they land, export an mp4
// that ffprobe accepts; cancel a render and resume it from the gallery; switch layers at a key and
// find the switch in the project's manifest and frames; paint strokes with undo,
// redo and the eyedropper, dream one ping-pong round, pick a frame and compile the session video.
// Screenshots of each step go to tests/artifacts/.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ZoomManifest } from '../../engine/project/manifest.ts';
import { probeVideo } from '../../engine/video/probe.ts';
import { engineReady, dropFile, screenshot, setNumber, smallPhoto, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';

let dataDir: string;
let server: RunningServer;
let browser: Browser;
let photo: Buffer;

beforeAll(async () => {
  [{ dataDir, server, browser }, photo] = await Promise.all([
    startApp('e2e-animate'),
    smallPhoto(),
  ]);
}, 180_000);
afterAll(() => stopApp(server, browser));

/** Waits until every image in the locator's subtree has loaded (so screenshots show them). */
async function imagesLoaded(page: Page, selector: string): Promise<void> {
  await expect
    .poll(() => page.locator(`${selector} img`).evaluateAll((imgs: HTMLImageElement[]) => imgs.every((i) => i.complete && i.naturalWidth > 0)), { timeout: 20_000 })
    .toBe(true);
}

/** RGBA of the paint layer at a canvas pixel. */
function layerPixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.getByTestId('paint-layer').evaluate((c: HTMLCanvasElement, [px, py]) => Array.from(c.getContext('2d')!.getImageData(px!, py!, 1, 1).data), [x, y]);
}

describe('Zoom in the browser', () => {
  it('sets the centre, previews, renders 4 frames as they land and exports an mp4 ffprobe accepts', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await engineReady(page, { server });
    await page.getByTestId('nav-zoom').click();
    await page.getByTestId('panel-zoom').waitFor();
    await screenshot(page, 'zoom-empty');

    await dropFile(page, '[data-testid=zoom-stage]', 'cat-small.jpg', 'image/jpeg', photo);
    const source = page.getByTestId('zoom-source');
    await source.waitFor();
    const box = (await source.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.6);
    const marker = async () => (await page.getByTestId('zoom-marker').getAttribute('style'))!.match(/[\d.]+/g)!.map(Number);
    await expect.poll(marker).toEqual([expect.closeTo(30, 0), expect.closeTo(60, 0)]);
    await setNumber(page, 'zoom-frames', 4);
    await setNumber(page, 'zoom-zoom', 1.08);
    await setNumber(page, 'zoom-rotate', 2);
    await setNumber(page, 'field-steps', 1);
    await page.getByTestId('zoom-size').selectOption('96');
    await page.getByTestId('keyframes-toggle').click();
    await page.getByTestId('add-key').click();
    await expect.poll(() => page.getByTestId('key-row').count()).toBe(1);
    await screenshot(page, 'zoom-ready');

    await page.getByTestId('zoom-preview').click();
    await page.getByTestId('zoom-progress').waitFor();
    await expect.poll(() => page.getByTestId('strip-frame').count(), { timeout: 60_000 }).toBe(3);
    await page.getByTestId('zoom-progress').waitFor({ state: 'detached' });
    await imagesLoaded(page, '[data-testid=frame-strip]');
    await screenshot(page, 'zoom-preview');

    await page.keyboard.press('Control+Enter');
    await page.getByTestId('zoom-progress').waitFor();
    await expect.poll(() => page.getByTestId('strip-frame').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'zoom-rendering');
    await page.locator('[data-testid=zoom-status][data-status=complete]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('strip-frame').count()).toBe(4);
    await page.getByTestId('strip-frame').nth(3).click();
    await expect.poll(() => page.getByTestId('zoom-frame').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);
    await imagesLoaded(page, '[data-testid=frame-strip]');
    await screenshot(page, 'zoom-rendered');

    await page.getByTestId('format-mp4').click();
    await setNumber(page, 'export-fps', 8);
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('export-result').textContent()).toContain('4 frames');
    await screenshot(page, 'zoom-exported');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
    expect(download.suggestedFilename()).toMatch(/^reverie-zoom-.+\.mp4$/);
    const video = join(dataDir, '..', download.suggestedFilename());
    await download.saveAs(video);
    expect(await probeVideo(video)).toMatchObject({ frames: 4, codec: 'h264', width: 96 });
    expect(browser.problems).toEqual([]);
  }, 150_000);

  it('cancels a render, resumes it from the gallery, and deletes it', async () => {
    const { page } = browser;
    await setNumber(page, 'zoom-frames', 12);
    await page.getByTestId('zoom-render').click();
    await expect.poll(() => page.getByTestId('zoom-status').textContent(), { timeout: 60_000 }).toMatch(/^[1-9]\d*\/12 frames · rendering$/);
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=zoom-status][data-status=cancelled]').waitFor({ timeout: 30_000 });
    await page.getByTestId('zoom-resume').waitFor();
    await screenshot(page, 'zoom-cancelled');

    await page.getByTestId('nav-gallery').click();
    await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(2);
    await imagesLoaded(page, '[data-testid=gallery-grid]');
    await screenshot(page, 'gallery-zoom');
    await page.locator('[data-kind=zoom]:has([data-testid=gallery-resume])').getByTestId('gallery-resume').click();
    await page.getByTestId('panel-zoom').waitFor();
    await page.locator('[data-testid=zoom-status][data-status=complete]').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('strip-frame').count()).toBe(12);

    await page.getByTestId('nav-gallery').click();
    const card = page.locator('[data-kind=zoom]').filter({ hasText: '12/12 frames' });
    await card.getByTestId('gallery-delete').click();
    await card.getByTestId('gallery-confirm-delete').click();
    await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(1);
    expect(browser.problems).toEqual([]);
  }, 150_000);

  it('switches layers at a key (picked from the model\'s layers, shown on the timeline) and the render records the switch', async () => {
    const { page } = browser;
    await page.getByTestId('nav-zoom').click();
    await setNumber(page, 'zoom-frames', 3);
    const key = page.getByTestId('key-row').first();
    await key.getByTestId('key-frame').fill('2');
    await key.getByTestId('key-frame').press('Tab');
    await key.getByTestId('key-switch-add').click();
    // The switch starts from the recipe's layers: turn those off, mixed4 on at half weight.
    const onLayers = key.locator('[data-testid^=key-layer-][aria-checked=true]');
    expect(await onLayers.count()).toBeGreaterThan(0);
    while ((await onLayers.count()) > 0) await onLayers.first().click();
    await expect.poll(() => page.getByTestId('key-problem').textContent()).toContain('names no layer');
    expect(await page.getByTestId('zoom-render').isDisabled()).toBe(true);
    await key.getByTestId('key-layer-mixed4').click();
    await key.getByTestId('key-weight-mixed4').fill('0.5');
    await key.getByTestId('key-weight-mixed4').press('Tab');
    const switchSpan = page.getByTestId('timeline-switch');
    await expect.poll(() => switchSpan.getAttribute('data-frame')).toBe('2');
    expect(await switchSpan.textContent()).toContain('mixed4 ×0.5');
    expect(await page.getByTestId('key-problem').count()).toBe(0);
    await screenshot(page, 'zoom-layer-switch');

    const before = new Set(await readdir(join(dataDir, 'zoom')));
    await page.getByTestId('zoom-render').click();
    await expect.poll(() => page.getByTestId('zoom-status').textContent(), { timeout: 60_000 }).toBe('3/3 frames · complete');
    expect(await page.getByTestId('strip-frame').count()).toBe(3);
    const [id] = (await readdir(join(dataDir, 'zoom'))).filter((d) => !before.has(d) && !d.startsWith('.'));
    const manifest = JSON.parse(await readFile(join(dataDir, 'zoom', id!, 'project', 'manifest.json'), 'utf8')) as ZoomManifest;
    expect(manifest.status).toBe('complete');
    expect(manifest.settings.keyframes?.keys).toEqual([expect.objectContaining({ frame: 2, layers: [{ name: 'mixed4', weight: 0.5 }], channels: [] })]);
    // What the engine dreamed each frame with: the recipe's layers, then the switch's.
    const used = manifest.frames.map((f) => f.params.layers);
    expect(manifest.recipe.layers.map((l) => l.name)).not.toContain('mixed4');
    expect(used).toEqual([manifest.recipe.layers, manifest.recipe.layers, [{ name: 'mixed4', weight: 0.5 }]]);
    expect(browser.problems).toEqual([]);
  }, 120_000);
});

describe('Paint (ping-pong) in the browser', () => {
  it('paints with undo, redo and the eyedropper, dreams a round, picks a frame and compiles the session video', async () => {
    const { page } = browser;
    await page.getByTestId('nav-paint').click();
    await page.getByTestId('panel-paint').waitFor();
    await screenshot(page, 'paint-empty');
    await page.getByTestId('paint-size').selectOption('128');
    await dropFile(page, '[data-testid=paint-stage]', 'cat-small.jpg', 'image/jpeg', photo);
    await page.getByTestId('paint-canvas').waitFor();
    await expect.poll(() => page.getByTestId('paint-base').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await page.getByTestId('paint-layer').evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([128, 96]);

    const box = (await page.getByTestId('paint-canvas').boundingBox())!;
    const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
    await page.getByTestId('brush-colour').fill('#00ff66');
    await page.mouse.move(...at(0.2, 0.5));
    await page.mouse.down();
    for (const fx of [0.3, 0.4, 0.5, 0.6, 0.7]) await page.mouse.move(...at(fx, 0.5 + (fx - 0.45) / 4));
    await page.mouse.up();
    const painted = await layerPixel(page, Math.round(128 * 0.4), Math.round(96 * 0.49));
    expect(painted[1]).toBeGreaterThan(200);
    expect(painted[3]).toBeGreaterThan(150);
    await page.keyboard.press('Control+z');
    expect((await layerPixel(page, Math.round(128 * 0.4), Math.round(96 * 0.49)))[3]).toBe(0);
    await page.keyboard.press('Control+Shift+z');
    expect(await layerPixel(page, Math.round(128 * 0.4), Math.round(96 * 0.49))).toEqual(painted);

    await page.keyboard.press('i');
    await page.mouse.click(...at(0.5, 0.15));
    await expect.poll(() => page.getByTestId('brush-colour').inputValue()).not.toBe('#00ff66');
    expect(await page.getByTestId('tool-brush').getAttribute('aria-checked')).toBe('true');
    await screenshot(page, 'paint-stroke');

    await setNumber(page, 'paint-frames', 2);
    await setNumber(page, 'field-steps', 1);
    await page.getByTestId('paint-dream').click();
    await page.getByTestId('round-progress').waitFor();
    await screenshot(page, 'paint-dreaming');
    await page.getByTestId('round-progress').waitFor({ state: 'detached', timeout: 60_000 });
    await expect.poll(() => page.getByTestId('timeline-frame').count()).toBe(2);
    await imagesLoaded(page, '[data-testid=timeline]');
    await screenshot(page, 'paint-round');

    await page.getByTestId('timeline-frame').nth(1).click();
    await expect.poll(() => page.getByTestId('paint-base').getAttribute('src')).toMatch(/\/rounds\/01\/dream\/frame_00001\.png$/);
    await page.mouse.move(...at(0.5, 0.2));
    await page.mouse.down();
    await page.mouse.move(...at(0.55, 0.8));
    await page.mouse.up();
    await screenshot(page, 'paint-picked');

    await page.getByTestId('export-crossfade').fill('2');
    await page.locator('#export-hold').fill('1');
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    // One painting held 1 frame, frames 0-1 (picked 1), 2 blended frames at the one cut.
    expect(await page.getByTestId('export-result').textContent()).toContain('5 frames');
    await screenshot(page, 'paint-video');

    await page.getByTestId('nav-gallery').click();
    await expect.poll(() => page.locator('[data-kind=session]').count()).toBe(1);
    await imagesLoaded(page, '[data-testid=gallery-grid]');
    await screenshot(page, 'gallery-projects');
    expect(browser.problems).toEqual([]);
  }, 150_000);
});
