// The browser-mode app end to end, with the real server, engine and model at small sizes, in
// Debian's chromium: drop or paste, dream with a live preview, save and read back the recipe, reopen from
// the gallery after a restart. Screenshots of each panel go to tests/artifacts/.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readDreamMetadata } from '../../engine/render/metadata.ts';
import { engineReady, dropFile, screenshot, smallPhoto, startApp, startServer, stopApp, type Browser, type RunningServer } from './harness.ts';

let dataDir: string;
let server: RunningServer;
let browser: Browser;
let savedPng: string;

beforeAll(async () => {
  ({ dataDir, server, browser } = await startApp('e2e'));
}, 180_000);
afterAll(() => stopApp(server, browser));

/** Records every live-preview URL the page shows, from before the dream starts. */
async function watchPreviews(): Promise<void> {
  await browser.page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { previews: string[] }).previews = seen;
    const note = (): void => {
      const img = document.querySelector<HTMLImageElement>('img[data-testid=preview]');
      if (img?.src.startsWith('data:') && seen.at(-1) !== img.src) seen.push(img.src);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
  });
}

describe('Reverie in the browser', () => {
  it('dreams a dropped image with a live preview, saves the PNG with its recipe, and lists it in the gallery', async () => {
    const { page } = browser;
    await page.goto(server.url);
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await engineReady(page, { server });
    // The engine says which route dreams: onnxruntime-node where it loads (a fresh install here).
    const badge = page.locator('[data-testid=engine-badge]');
    expect(await badge.textContent()).toContain('CPU');
    expect(await badge.getAttribute('title')).toMatch(/^inception_v3 dreams on the CPU \(onnxruntime-node [\d.]+, \d+ threads?\), loaded in/);
    await page.locator('[data-testid=layer-mixed9] .badge').filter({ hasText: 'fine-tuned' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    await screenshot(page, 'dream-empty');

    await dropFile(page, '[data-testid=stage]', 'notes.txt', 'text/plain', Buffer.from('not an image'));
    const error = page.locator('[data-testid=notice-error]');
    await expect.poll(() => error.textContent()).toContain('notes.txt');
    await screenshot(page, 'dream-error');
    await error.locator('button').click();

    const photo = await smallPhoto();
    await dropFile(page, '[data-testid=stage]', 'cat-small.jpg', 'image/jpeg', photo);
    await page.locator('[data-testid=shown-image]').waitFor();
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-steps').fill('2');
    await page.getByTestId('field-steps').press('Tab');
    await page.getByTestId('auto-octaves').uncheck(); // a fixed count (octaves follow the image size by default)
    await page.getByTestId('field-octaves').fill('2');
    await page.getByTestId('field-octaves').press('Tab');
    await screenshot(page, 'dream-ready');

    await watchPreviews();
    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=progress]').waitFor();
    await expect.poll(() => page.evaluate(() => (window as unknown as { previews: string[] }).previews.length), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'dream-running');
    await page.locator('[data-testid=compare]').waitFor({ timeout: 60_000 });
    const previews = await page.evaluate(() => (window as unknown as { previews: string[] }).previews);
    expect(previews.length).toBeGreaterThanOrEqual(2);
    expect(new Set(previews).size).toBe(previews.length);
    await expect.poll(() => page.getByTestId('result-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(128);
    await screenshot(page, 'dream-result');
    // The badge offers the native route; the dream must have run on it (a silent tfjs fallback fails here).
    const [entry] = await readdir(join(dataDir, 'gallery'));
    expect(JSON.parse(await readFile(join(dataDir, 'gallery', entry!, 'entry.json'), 'utf8'))).toMatchObject({ backend: 'wasm', route: 'onnxruntime' });

    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    expect(download.suggestedFilename()).toMatch(/^cat-small-dream-.+\.png$/);
    savedPng = join(dataDir, '..', `${download.suggestedFilename()}`);
    await download.saveAs(savedPng);
    const meta = await readDreamMetadata(savedPng);
    expect(meta.recipe).toMatchObject({ steps: 2, octaves: 2, layers: [{ name: 'mixed3', weight: 1 }] });
    expect(meta.input).toBe('cat-small.jpg');
    expect((await sharp(savedPng).metadata()).width).toBe(128);

    await page.getByTestId('preset-classic').click();
    expect(await page.getByTestId('field-steps').inputValue()).toBe('10');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('load-recipe').click()]);
    await chooser.setFiles(savedPng);
    await expect.poll(() => page.getByTestId('field-steps').inputValue()).toBe('2');
    expect(await page.getByTestId('field-octaves').inputValue()).toBe('2');

    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await screenshot(page, 'shortcuts');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    await page.getByTestId('nav-gallery').click();
    await page.getByTestId('panel-gallery').waitFor();

    // Pasting an image where no panel takes one brings it into Dream.
    const pasted = await sharp({ create: { width: 120, height: 90, channels: 3, background: '#3a6ea5' } }).png().toBuffer();
    await page.evaluate((b64) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'pasted.png', { type: 'image/png' }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
    }, pasted.toString('base64'));
    await page.getByTestId('panel-dream').waitFor();
    await expect.poll(() => page.locator('.toolbar .name').textContent()).toBe('pasted.png');

    await page.getByTestId('nav-gallery').click();
    await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(1);
    await page.locator('[data-testid=gallery-item] img').evaluate((img: HTMLImageElement) => (img.complete ? null : new Promise((r) => (img.onload = r))));
    await screenshot(page, 'gallery');
    expect(browser.problems).toEqual([]);
  }, 180_000);

  it('refuses the page without the token, the spent token, and a restarted server without the new one', async () => {
    const page = await browser.context.newPage();
    const bare = await page.goto(`${server.origin}/`);
    expect(bare?.status()).toBe(200); // this browser holds the cookie from the first visit
    // The printed address opened the first page once; from history or scrollback it opens nothing.
    const reused = await page.goto(server.url);
    expect(reused?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('already used');
    await page.context().clearCookies();
    expect((await page.goto(`${server.origin}/`))?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('token');
    await page.close();
  });

  it('reopens, re-runs and deletes gallery results after a server restart', async () => {
    const oldToken = server.token;
    await server.stop();
    server = await startServer(dataDir);
    expect(server.token).not.toBe(oldToken);
    const { page } = browser;
    await page.goto(`${server.origin}/?token=${oldToken}`);
    expect(await page.textContent('body')).toContain('token');
    await page.goto(server.url);
    // The old page's event socket failing while the server was down is expected; start afresh.
    browser.problems.length = 0;
    await page.getByTestId('nav-gallery').click();
    await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(1);
    await screenshot(page, 'gallery-after-restart');

    await page.getByTestId('gallery-open').click();
    await page.locator('[data-testid=compare]').waitFor();
    expect(await page.getByTestId('field-steps').inputValue()).toBe('2');
    expect(await page.getByTestId('result-image').getAttribute('src')).toMatch(/^\/files\/gallery\/.+\/result\.png$/);
    await expect.poll(() => page.getByTestId('result-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(128);
    await screenshot(page, 'dream-reopened');
    const same = await readFile(savedPng);
    expect(same.length).toBeGreaterThan(0);

    await page.getByTestId('nav-gallery').click();
    await engineReady(page, { server });
    await page.getByTestId('gallery-rerun').click();
    await page.locator('[data-testid=compare]').waitFor({ timeout: 60_000 });
    await page.getByTestId('nav-gallery').click();
    await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(2);

    await page.getByTestId('gallery-delete').first().click();
    await page.getByTestId('gallery-confirm-delete').click();
    await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(1);
    expect(browser.problems).toEqual([]);
  }, 180_000);
});
