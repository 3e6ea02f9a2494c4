// What an artist meets first, end to end in Debian's chromium with the real server, engine and
// model (one step, one octave): Dream works at the image's own size unless asked, a loaded recipe
// brings its size back, and an error goes once its cause is gone. Screenshots go to tests/artifacts/.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import { dropFile, screenshot, setNumber, smallPhoto, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';

let dataDir: string;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  ({ dataDir, server, browser } = await startApp('e2e-artist'));
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
    await page.locator('[data-testid=engine-badge][data-state=ready]').waitFor({ timeout: 90_000 });
    await dropFile(page, '[data-testid=stage]', 'wide.jpg', 'image/jpeg', await smallPhoto(600, 400));
    await page.locator('[data-testid=shown-image]').waitFor();
    await page.getByTestId('preset-quick').click();
    await setNumber(page, 'field-steps', 1);
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

  it('takes an error away once its cause is gone', async () => {
    const { page } = browser;
    await dropFile(page, '[data-testid=stage]', 'notes.txt', 'text/plain', Buffer.from('not an image'));
    const error = page.locator('[data-testid=notice-error]');
    await expect.poll(() => error.textContent()).toContain('notes.txt');
    await dropFile(page, '[data-testid=stage]', 'cat.jpg', 'image/jpeg', await smallPhoto(160, 120));
    await expect.poll(() => page.locator('.toolbar .name').textContent()).toBe('cat.jpg');
    await expect.poll(() => error.count()).toBe(0);
  });
});
