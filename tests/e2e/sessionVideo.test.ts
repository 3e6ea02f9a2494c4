// The Paint panel's session video export at a typed size, end to end in Debian's chromium with the
// real server, engine, model (128x96 painting, one step, one frame) and ffmpeg: a width alone gives the
// height from the painting's aspect ratio, an odd width for MP4 is refused in the page, and the saved
// video's size is what ffprobe reads. Screenshots go to tests/artifacts/.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { probeVideo } from '../../engine/video/probe.ts';
import { engineReady, dropFile, screenshot, setNumber, smallPhoto, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';

let dataDir: string;
let server: RunningServer;
let browser: Browser;
let photo: Buffer;

beforeAll(async () => {
  [{ dataDir, server, browser }, photo] = await Promise.all([
    startApp('e2e-session-video'),
    smallPhoto(),
  ]);
}, 180_000);
afterAll(() => stopApp(server, browser));

describe('Session video size in the browser', () => {
  it('exports a ping-pong session at a typed width, the height following the painting, as ffprobe reads it', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await engineReady(page, { server });
    await page.getByTestId('nav-paint').click();
    await page.getByTestId('panel-paint').waitFor();
    await page.getByTestId('paint-size').selectOption('128');
    await dropFile(page, '[data-testid=paint-stage]', 'cat-small.jpg', 'image/jpeg', photo);
    await page.getByTestId('paint-canvas').waitFor();
    await setNumber(page, 'paint-frames', 1);
    await setNumber(page, 'field-steps', 1);
    await page.getByTestId('paint-dream').click();
    await page.getByTestId('round-progress').waitFor();
    await page.getByTestId('round-progress').waitFor({ state: 'detached', timeout: 60_000 });
    await expect.poll(() => page.getByTestId('timeline-frame').count()).toBe(1);

    // The painting's own size until one is typed.
    await expect.poll(() => page.getByTestId('export-out-size').textContent()).toBe('Video 128×96');
    await setNumber(page, 'export-width', 65);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('H.264 (mp4) needs an even width; 65 is odd. Try 64 or 66.');
    expect(await page.getByTestId('export-start').isDisabled()).toBe(true);
    await setNumber(page, 'export-width', 64);
    await expect.poll(() => page.getByTestId('export-out-size').textContent()).toBe('Video 64×48');
    expect(await page.getByTestId('export-height').getAttribute('placeholder')).toBe('48');
    await page.getByTestId('export-crossfade').fill('0');
    await page.locator('#export-hold').fill('1');
    await screenshot(page, 'session-video-size');

    await page.getByTestId('export-start').click();
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    // The painting held 1 frame, then the round's one frame.
    expect(await page.getByTestId('export-result').textContent()).toContain('2 frames · 0.1 s · 64×48');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
    expect(download.suggestedFilename()).toMatch(/\.mp4$/);
    const video = join(dataDir, '..', download.suggestedFilename());
    await download.saveAs(video);
    expect(await probeVideo(video)).toMatchObject({ frames: 2, codec: 'h264', pixFmt: 'yuv420p', width: 64, height: 48 });
    expect(browser.problems).toEqual([]);
  }, 150_000);
});
