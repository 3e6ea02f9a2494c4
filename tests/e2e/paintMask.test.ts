// Paint's mask brush in chromium with the real server, engine and model: the mask is painted over
// the painting (the paint layer is left alone), the session keeps it, and the round's frame keeps
// the painting where the mask is black (zoom 1, so the frame is not moved), pixel for pixel.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readSessionManifest } from '../../engine/project/store.ts';
import { engineReady, dropFile, screenshot, setNumber, smallPhoto, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';

let dataDir: string;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  ({ dataDir, server, browser } = await startApp('e2e-paint-mask'));
}, 180_000);
afterAll(() => stopApp(server, browser));

describe('Paint: the mask brush', () => {
  it('paints where rounds dream; the frame keeps the painting where the mask is black', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await engineReady(page, { server });
    await page.getByTestId('nav-paint').click();
    await page.getByTestId('paint-size').selectOption('128');
    await dropFile(page, '[data-testid=paint-stage]', 'cat-small.jpg', 'image/jpeg', await smallPhoto());
    await page.getByTestId('paint-canvas').waitFor();
    await page.getByTestId('paint-mask').getByTestId('mask-enable').check();
    const layer = page.getByTestId('mask-layer');
    await layer.waitFor();
    const box = (await layer.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.1);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * (0.1 + 0.08 * i));
    await page.mouse.up();
    // The stroke went to the mask, not into the painting.
    const painted = await page.getByTestId('paint-layer').evaluate((c: HTMLCanvasElement) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0));
    expect(painted).toBe(false);
    await screenshot(page, 'paint-mask-painted');

    await setNumber(page, 'paint-frames', 1);
    await setNumber(page, 'paint-zoom', 1);
    await setNumber(page, 'field-steps', 2);
    await page.getByTestId('paint-dream').click();
    await page.getByTestId('round-progress').waitFor();
    await page.getByTestId('round-progress').waitFor({ state: 'detached', timeout: 90_000 });
    await expect.poll(() => page.getByTestId('timeline-frame').count()).toBe(1);
    expect(await page.getByTestId('paint-mask').textContent()).toContain('dreams only where its mask is white');

    const [id] = await readdir(join(dataDir, 'sessions'));
    const dir = join(dataDir, 'sessions', id!, 'session');
    const manifest = await readSessionManifest(dir);
    expect(manifest.recipe.mask).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await readdir(join(dir, 'assets'))).length).toBe(1);
    const [frame, painting] = await Promise.all([
      sharp(join(dir, 'rounds', '01', 'dream', 'frame_00000.png')).removeAlpha().raw().toBuffer(),
      sharp(join(dir, 'rounds', '01', 'painting.png')).removeAlpha().raw().toBuffer(),
    ]);
    let [keptMax, dreamed] = [0, 0];
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 128; x++) {
        for (let k = 0; k < 3; k++) {
          const i = (y * 128 + x) * 3 + k;
          const d = Math.abs(frame[i]! - painting[i]!);
          if (x >= 45) keptMax = Math.max(keptMax, d);
          else if (x >= 16 && x < 22 && y >= 20 && y < 80) dreamed += d;
        }
      }
    }
    expect(keptMax).toBeLessThanOrEqual(1);
    expect(dreamed / (6 * 60 * 3)).toBeGreaterThan(1);
    await screenshot(page, 'paint-mask-round');
    expect(browser.problems).toEqual([]);
  }, 240_000);
});
