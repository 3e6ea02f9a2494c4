// The Inspect panel end to end in Debian's chromium, with the real server, engine and model at draft
// quality: layers marked ImageNet or fine-tuned, a grid that fills its space, "go to channel", a
// channel rendered large with its neighbours' pictures, grid pictures landing as they render (then
// cancelled), an image probe with a map over the image and its legend, and "dream with this
// channel" setting Dream's objective, shown as a chip. Screenshots go to tests/artifacts/.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineReady, dropFile, screenshot, smallPhoto, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  ({ server, browser } = await startApp('e2e-inspect'));
}, 180_000);
afterAll(() => stopApp(server, browser));

describe('Inspect in the browser', () => {
  it('renders a channel large, grid pictures as they land, probes an image and dreams with a channel', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await engineReady(page, { server });
    await page.getByTestId('nav-inspect').click();
    await page.getByTestId('panel-inspect').waitFor();
    await page.locator('[data-testid=inspect-layer-mixed9] .badge').filter({ hasText: 'fine-tuned' }).waitFor();
    expect(await page.locator('[data-testid=inspect-layer-mixed3] .badge').textContent()).toBe('ImageNet');
    await page.getByTestId('inspect-quality').selectOption('draft');
    // The page holds as many tiles as the grid's space does (more than the old fixed 12 at 1280x800).
    const pageSize = Number(await page.getByTestId('channel-grid').getAttribute('data-page-size'));
    expect(pageSize).toBeGreaterThan(12);
    await expect.poll(() => page.getByTestId('channel-tile').count()).toBe(pageSize);
    await screenshot(page, 'inspect-layer');

    await page.getByTestId('inspect-goto').fill('40');
    await page.getByTestId('inspect-goto').press('Enter');
    await page.locator('[data-testid=channel-tile][data-channel="40"]').waitFor();
    await page.locator('[data-testid=channel-large][data-final=yes]').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('channel-large').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(128);
    await expect.poll(() => page.locator('[data-testid=neighbours] button').count()).toBe(6);
    // Neighbours are pictures, not bare numbers, once rendered.
    await page.getByTestId('render-neighbours').click();
    await page.locator('[data-testid=neighbours] img').first().waitFor({ timeout: 90_000 });
    await page.getByTestId('inspect-grid-cancel').click();
    await page.getByTestId('inspect-grid-progress').waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByTestId('inspect-goto').fill('5');
    await page.getByTestId('inspect-goto').press('Enter');
    await page.locator('[data-testid=channel-large][data-final=yes]').waitFor({ timeout: 90_000 });

    await page.getByTestId('inspect-render').click();
    await page.getByTestId('inspect-grid-progress').waitFor();
    // Tiles grow in place while their batch renders, before any is finished.
    await page.locator('[data-testid=channel-tile][data-rendered=growing] img').first().waitFor({ timeout: 90_000 });
    await page.locator('[data-testid=channel-tile][data-rendered=yes]').first().waitFor({ timeout: 90_000 });
    await page.getByTestId('inspect-grid-cancel').click();
    await page.getByTestId('inspect-grid-progress').waitFor({ state: 'detached', timeout: 30_000 });
    const rendered = await page.locator('[data-testid=channel-tile][data-rendered=yes]').count();
    expect(rendered).toBeGreaterThanOrEqual(1);
    expect(rendered).toBeLessThan(pageSize);
    await expect
      .poll(() => page.locator('[data-testid=channel-tile][data-rendered=yes] img').evaluateAll((imgs: HTMLImageElement[]) => imgs.every((i) => i.complete && i.naturalWidth === 64)))
      .toBe(true);

    const photo = await smallPhoto(160, 120);
    await dropFile(page, '[data-testid=inspect-drop]', 'cat.jpg', 'image/jpeg', photo);
    await page.getByTestId('probe-map').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=probe-top] li').count()).toBe(8);
    await expect.poll(() => page.getByTestId('probe-map').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(160);
    expect(await page.getByTestId('probe-legend').textContent()).toMatch(/weak.*strong/);
    await screenshot(page, 'inspect-channel');

    await page.getByTestId('dream-with-channel').click();
    await page.getByTestId('panel-dream').waitFor();
    expect(await page.getByTestId('channel-chip').textContent()).toContain('mixed3 · channel 5');
    await page.locator('.advanced summary').click();
    expect(await page.getByRole('combobox', { name: 'Layer' }).inputValue()).toBe('mixed3');
    expect(await page.getByRole('spinbutton', { name: 'Channel' }).inputValue()).toBe('5');
    expect(await page.locator('[data-testid=layers] [role=switch][aria-checked=true]').count()).toBe(0);
    expect(browser.problems).toEqual([]);
  }, 170_000);
});
