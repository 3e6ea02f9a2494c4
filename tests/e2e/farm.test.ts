// The app's render farm end to end in Debian's chromium: a real redis-server on loopback, a real
// `reverie worker` process, the real browser-mode server and model. Settings → Farm tests the URL and
// lists the worker with its device and throughput; a dream sent to the farm shows "1 worker" and the
// tiles that worker computed, and equals the same dream made here; a zoom sent to the farm shows its
// worker too and its frames record the farm, and so does a Paint round; Inspect browses an atlas folder
// that `reverie atlas --farm` wrote into the data folder.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { readDreamMetadata } from '../../engine/render/metadata.ts';
import { runCli } from '../helpers/cli.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { startWorker, stopWorker, type TestWorker } from '../helpers/farmWorkers.ts';
import { engineReady, dropFile, screenshot, setNumber, smallPhoto, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';

let dataDir: string;
let server: RunningServer;
let browser: Browser;
let redis: TestRedis;
let worker: TestWorker;

beforeAll(async () => {
  redis = await startRedis();
  worker = startWorker(redis.url, ['--lock-ms', '12000']);
  ({ dataDir, server, browser } = await startApp('e2e-farm'));
  await worker.waitFor((e) => e.type === 'ready');
}, 180_000);
afterAll(async () => {
  await stopApp(server, browser);
  if (worker) await stopWorker(worker);
  await redis?.stop();
});

/** The gallery's dreamed results, as decoded pixels, newest last. */
async function galleryPixels(): Promise<Buffer[]> {
  const entries = await readdir(join(dataDir, 'gallery'));
  const dated = await Promise.all(entries.map(async (e) => ({ e, at: JSON.parse(await readFile(join(dataDir, 'gallery', e, 'entry.json'), 'utf8')).createdAt as string })));
  dated.sort((a, b) => a.at.localeCompare(b.at));
  return Promise.all(dated.map(({ e }) => sharp(join(dataDir, 'gallery', e, 'result.png')).raw().toBuffer()));
}

/** Where each gallery result says it was dreamed (its PNG's metadata), newest last. */
async function galleryDevices(): Promise<Array<{ device?: string; deviceLabel?: string }>> {
  const entries = await readdir(join(dataDir, 'gallery'));
  const dated = await Promise.all(entries.map(async (e) => ({ e, at: JSON.parse(await readFile(join(dataDir, 'gallery', e, 'entry.json'), 'utf8')).createdAt as string })));
  dated.sort((a, b) => a.at.localeCompare(b.at));
  return Promise.all(dated.map(({ e }) => readDreamMetadata(join(dataDir, 'gallery', e, 'result.png'))));
}

type Seen = { workers: string[]; labels: string[] };

/** Records each text a job bar (JobBar's `testid`) shows for its workers and its label, as the page changes. */
async function recordProgress(page: Page, testid: string): Promise<void> {
  await page.evaluate((id) => {
    const seen: Seen = { workers: [], labels: [] };
    Object.assign(window, { progressSeen: seen });
    new MutationObserver(() => {
      const workers = document.querySelector(`[data-testid=${id}-farm-workers]`)?.textContent;
      const label = document.querySelector(`[data-testid=${id}-label]`)?.textContent;
      if (workers && seen.workers.at(-1) !== workers) seen.workers.push(workers);
      if (label && seen.labels.at(-1) !== label) seen.labels.push(label);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, testid);
}

const recorded = (page: Page): Promise<Seen> => page.evaluate(() => (window as unknown as { progressSeen: Seen }).progressSeen);

describe('the farm in the app', () => {
  it('Settings → Farm refuses a bad URL, tests a good one and lists the worker with its device', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await engineReady(page, { server });
    await page.getByTestId('nav-models').click();
    await page.getByTestId('farm-url').fill('http://example.com');
    await page.getByTestId('farm-test').click();
    await expect.poll(() => page.getByTestId('farm-problem').textContent()).toMatch(/redis:\/\/ or rediss:\/\//);
    await page.getByTestId('farm-url').fill('redis://10.9.8.7:6379');
    await page.getByTestId('farm-test').click();
    await expect.poll(() => page.getByTestId('farm-problem').textContent()).toMatch(/no password/);

    await page.getByTestId('farm-url').fill(redis.url);
    await page.getByTestId('farm-test').click();
    await expect.poll(() => page.getByTestId('farm-online').textContent()).toBe('1 worker online');
    expect(await page.getByTestId('farm-server').textContent()).toMatch(/redis \d+\.\d+/);
    // The device is the worker's own report (its heartbeat): its route and this machine's CPU.
    expect(await page.getByTestId('farm-worker-device').textContent()).toMatch(/×\d+$/);
    expect(await page.getByTestId('farm-worker-throughput').textContent()).toBe('idle');
    await page.getByTestId('farm-save').click();
    await expect.poll(() => readFile(join(dataDir, 'config', 'settings.json'), 'utf8').then((t) => JSON.parse(t) as unknown, () => null)).toMatchObject({ farmUrl: redis.url, farmInsecure: false });
    await screenshot(page, 'farm-settings');
  });

  it('a dream sent to the farm shows its worker and tiles, and equals the same dream made here', async () => {
    const { page } = browser;
    await page.getByTestId('nav-dream').click();
    await dropFile(page, '[data-testid=stage]', 'cat.png', 'image/png', await smallPhoto(256, 192, 'png'));
    await page.locator('[data-testid=shown-image]').waitFor();
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('auto-octaves').uncheck(); // a fixed count (octaves follow the image size by default)
    for (const [field, value] of [['steps', '2'], ['octaves', '1'], ['tileSize', '128']] as const) {
      if (field === 'tileSize') await page.locator('details.advanced summary').click();
      await page.getByTestId(`field-${field}`).fill(value);
      await page.getByTestId(`field-${field}`).press('Tab');
    }
    await page.getByTestId('send-to-farm').check();
    // Every per-worker line the progress shows, as it changes (the overlay goes when the job ends).
    await page.evaluate(() => {
      const seen: string[] = [];
      const counts: string[] = [];
      Object.assign(window, { farmLines: seen, farmCounts: counts });
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid=farm-worker-tiles]')) if (seen.at(-1) !== el.textContent) seen.push(el.textContent ?? '');
        const count = document.querySelector('[data-testid=farm-workers-count]')?.textContent;
        if (count && counts.at(-1) !== count) counts.push(count);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.keyboard.press('Control+Enter');
    // 256x192 at 128 px tiles: 4 tiles a step, 2 steps; the progress names the worker and its tiles.
    // Recorded as the page changes: the job can end within a poll's interval.
    await expect.poll(async () => (await readdir(join(dataDir, 'gallery')).catch(() => [])).length, { timeout: 120_000 }).toBe(1);
    await page.locator('[data-testid=compare]').waitFor({ timeout: 120_000 });
    await screenshot(page, 'farm-dream-done');
    expect(await page.evaluate(() => (window as unknown as { farmCounts: string[] }).farmCounts)).toContain('1 worker');
    const tiles = worker.events.filter((e) => e.type === 'job-completed' && e.kind === 'dream-tile').length;
    expect(tiles).toBeGreaterThanOrEqual(8);
    // The worker's line names its process (host:pid, as its ready event says) and counts its tiles.
    const pid = (worker.events.find((e) => e.type === 'ready') as unknown as { pid: number }).pid;
    const lines = await page.evaluate(() => (window as unknown as { farmLines: string[] }).farmLines);
    const counts = lines.map((l) => Number(/:(\d+) · (\d+) tiles?$/.exec(l)?.[2] ?? -1));
    expect(lines.every((l) => l.includes(`:${pid} · `)), lines.join(' | ')).toBe(true);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(4);
    // Counted per tile as each comes back, not per step of 4: the count moved within a step.
    expect(counts.some((n) => n % 4 !== 0), lines.join(' | ')).toBe(true);

    // The worker's heartbeat counts them too: Settings shows its recent throughput.
    await page.getByTestId('nav-models').click();
    await expect.poll(() => page.getByTestId('farm-worker-throughput').textContent(), { timeout: 15_000 }).toMatch(/^\d+ jobs\/min · [\d.]+ s each$/);

    // The same dream here (farm unticked) gives the same pixels.
    await page.getByTestId('nav-dream').click();
    await page.getByTestId('send-to-farm').uncheck();
    await page.keyboard.press('Control+Enter');
    await expect.poll(async () => (await readdir(join(dataDir, 'gallery'))).length, { timeout: 120_000 }).toBe(2);
    await page.locator('[data-testid=compare]').waitFor({ timeout: 120_000 });
    const [farm, local] = await galleryPixels();
    expect(farm!.length).toBe(256 * 192 * 3);
    expect(farm!.equals(local!)).toBe(true);
    // The farm's result names the farm as where it was dreamed; the local one names this machine.
    expect((await galleryDevices()).map((d) => d.device)).toEqual(['farm', expect.not.stringMatching(/^farm$/)]);
    expect(worker.events.filter((e) => e.type === 'job-completed' && e.kind === 'dream-tile').length).toBe(tiles);
  });

  it('a zoom rendered with Send to farm shows its worker and tiles, and its frames record the farm', async () => {
    const { page } = browser;
    const before = worker.events.filter((e) => e.type === 'job-completed' && e.kind === 'dream-tile').length;
    await page.getByTestId('nav-zoom').click();
    await page.getByTestId('panel-zoom').waitFor();
    await dropFile(page, '[data-testid=zoom-stage]', 'cat.jpg', 'image/jpeg', await smallPhoto(384, 288));
    await page.getByTestId('zoom-source').waitFor();
    await setNumber(page, 'zoom-frames', 2);
    await setNumber(page, 'field-steps', 1);
    // 384x288 at the zoom's 256 px tiles: four tiles a step.
    await page.getByTestId('zoom-size').selectOption('384');
    await page.getByTestId('zoom-send-to-farm').check();
    // What the progress says, recorded as it changes (a short render can end between two polls).
    await recordProgress(page, 'zoom');
    await page.getByTestId('zoom-render').click();
    await page.getByTestId('zoom-progress').waitFor({ timeout: 60_000 }).catch(() => undefined);
    await screenshot(page, 'farm-zoom-running');
    await page.getByTestId('zoom-progress').waitFor({ state: 'detached', timeout: 180_000 });
    const seen = await recorded(page);
    expect(seen.workers).toContain('1 worker');
    expect(seen.labels.some((l) => /frame \d\/2 .*· 1 worker/.test(l)), seen.labels.join(' | ')).toBe(true);
    expect(await page.getByTestId('strip-frame').count()).toBe(2);
    const [project] = await readdir(join(dataDir, 'zoom'));
    const manifest = JSON.parse(await readFile(join(dataDir, 'zoom', project!, 'project', 'manifest.json'), 'utf8')) as { status: string; frames: Array<{ device?: string }> };
    expect(manifest.status).toBe('complete');
    expect(manifest.frames.map((f) => f.device)).toEqual(['farm', 'farm']);
    expect(worker.events.filter((e) => e.type === 'job-completed' && e.kind === 'dream-tile').length - before).toBeGreaterThanOrEqual(2 * 4);
  });

  it('a Paint round sent to the farm shows its worker, and its frame records the farm', async () => {
    const { page } = browser;
    const before = worker.events.filter((e) => e.type === 'job-completed' && e.kind === 'dream-tile').length;
    await page.getByTestId('nav-paint').click();
    // 384x288 at the round's 256 px tiles: four tiles a step.
    await page.getByTestId('paint-size').selectOption('384');
    await dropFile(page, '[data-testid=paint-stage]', 'cat.jpg', 'image/jpeg', await smallPhoto(384, 288));
    await page.getByTestId('paint-canvas').waitFor();
    await setNumber(page, 'paint-frames', 1);
    await setNumber(page, 'field-steps', 1);
    await page.getByTestId('paint-send-to-farm').check();
    await recordProgress(page, 'round');
    await page.getByTestId('paint-dream').click();
    await page.getByTestId('round-progress').waitFor({ timeout: 60_000 }).catch(() => undefined);
    await page.getByTestId('round-progress').waitFor({ state: 'detached', timeout: 180_000 });
    await expect.poll(() => page.getByTestId('timeline-frame').count()).toBe(1);
    const seen = await recorded(page);
    expect(seen.workers).toContain('1 worker');
    expect(seen.labels.some((l) => /round 1 · frame .*· 1 worker/.test(l)), seen.labels.join(' | ')).toBe(true);
    const [session] = await readdir(join(dataDir, 'sessions'));
    const manifest = JSON.parse(await readFile(join(dataDir, 'sessions', session!, 'session', 'rounds', '01', 'dream', 'manifest.json'), 'utf8')) as { frames: Array<{ device?: string }> };
    expect(manifest.frames.map((f) => f.device)).toEqual(['farm']);
    expect(worker.events.filter((e) => e.type === 'job-completed' && e.kind === 'dream-tile').length - before).toBeGreaterThanOrEqual(4);
    expect(browser.problems).toEqual([]);
  });

  it('Inspect opens an atlas folder made on the farm and browses it', async () => {
    const out = join(dataDir, 'atlases', 'mixed0-demo');
    const r = await runCli(['atlas', '-o', out, '--layers', 'mixed0', '--channels', '0-5', '--size', '32', '--steps', '2', '--backend', 'wasm', '--farm', redis.url]);
    expect(r.code, r.stderr).toBe(0);
    const { page } = browser;
    await page.getByTestId('nav-inspect').click();
    await page.getByTestId('inspect-atlas').click();
    await page.getByTestId('atlas-item').filter({ hasText: 'mixed0-demo' }).click();
    await expect.poll(() => page.getByTestId('atlas-tile').count()).toBe(6);
    // Every picture loads from the data folder (served like the gallery's).
    await expect.poll(() => page.locator('[data-testid=atlas-tile] img').evaluateAll((imgs: HTMLImageElement[]) => imgs.filter((i) => i.complete && i.naturalWidth === 32).length)).toBe(6);
    await page.getByTestId('atlas-search').fill('mixed0:4');
    await expect.poll(() => page.getByTestId('atlas-tile').count()).toBe(1);
    await page.getByTestId('atlas-tile').click();
    await expect.poll(() => page.getByTestId('atlas-picked').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(32);
    await screenshot(page, 'farm-atlas');
    await page.getByTestId('atlas-dream-with').click();
    await page.getByTestId('panel-dream').waitFor();
    expect(browser.problems).toEqual([]);
  });
});
