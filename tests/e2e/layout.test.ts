// Every panel at the window sizes artists use (1024x700, 1440x900, 1920x1080, 2560x1440), with an image
// open where a panel takes one: no control lies outside the window, is cut off, or covers another
// (tests/e2e/layoutCheck.ts). Screenshots go to tests/artifacts/layout-<panel>-<size>.png.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineReady, dropFile, screenshot, setNumber, smallPhoto, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';
import { layoutProblems } from './layoutCheck.ts';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  ({ server, browser } = await startApp('e2e-layout'));
}, 180_000);
afterAll(() => stopApp(server, browser));

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
  { width: 2560, height: 1440 },
] as const;
const PANELS = ['dream', 'zoom', 'paint', 'inspect', 'gallery', 'models'] as const;

describe('Layout at every window size', () => {
  it('keeps every control of every panel inside the window, uncut and apart', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await engineReady(page, { server });
    const photo = await smallPhoto(320, 200);
    // A long file name is what clipped the Dream header and pushed Save PNG off screen.
    await dropFile(page, '[data-testid=stage]', 'a-rather-long-holiday-photo-name-from-the-camera-2026-07-14.jpg', 'image/jpeg', photo);
    await page.locator('[data-testid=shown-image]').waitFor();
    // A finished dream puts the view switch and the view controls on the stage too.
    await page.getByTestId('preset-quick').click();
    await setNumber(page, 'field-steps', 1);
    await page.getByTestId('auto-octaves').uncheck(); // a fixed count (octaves follow the image size by default)
    await setNumber(page, 'field-octaves', 1);
    await page.getByTestId('size').selectOption('256');
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('view-fit').waitFor({ timeout: 90_000 });
    await page.getByTestId('nav-zoom').click();
    await dropFile(page, '[data-testid=zoom-stage]', 'cat.jpg', 'image/jpeg', photo);
    await page.getByTestId('zoom-source').waitFor();
    await page.getByTestId('nav-paint').click();
    await dropFile(page, '[data-testid=paint-stage]', 'cat.jpg', 'image/jpeg', photo);
    await page.getByTestId('paint-canvas').waitFor();
    await page.getByTestId('nav-inspect').click();
    await page.locator('[data-testid=channel-tile]').first().waitFor();

    // Notices are passing overlays (4 s); the layout is judged without them.
    await expect.poll(() => page.locator('[data-testid^=notice-]').count(), { timeout: 20_000 }).toBe(0);
    const found: string[] = [];
    for (const size of SIZES) {
      await page.setViewportSize(size);
      for (const panel of PANELS) {
        await page.getByTestId(`nav-${panel}`).click();
        await page.getByTestId(`panel-${panel}`).waitFor();
        await page.waitForTimeout(150); // let ResizeObserver-driven frames settle
        await screenshot(page, `layout-${panel}-${size.width}x${size.height}`);
        for (const p of await layoutProblems(page)) found.push(`${size.width}x${size.height} ${panel}: ${p}`);
      }
    }
    expect(found).toEqual([]);
    expect(browser.problems).toEqual([]);
  }, 240_000);
});
