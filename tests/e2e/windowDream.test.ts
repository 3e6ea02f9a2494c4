// The app window as a device for the host's dreams (browser mode, Debian's chromium, SwiftShader
// WebGL2 and WebGPU): the host's job loop sends each tile over /api/window to the page's gradient
// worker. A dream on window-webgl and one on window-webgpu each match the CPU route's within a stated
// tolerance, and say which backend ran; 'window' (auto) never picks SwiftShader, so its dream runs on
// the CPU and says why; reloading or closing the page mid-dream finishes the dream on the CPU route,
// complete, and the progress says so.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DEFAULT_RECIPE, type Recipe } from '../../engine/recipe/recipe.ts';
import type { EngineStatus, GalleryItem, InputImage } from '../../contract/types.ts';
import type { SettingsView } from '../../contract/models.ts';
import { engineReady, smallPhoto, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';
import { hostApi, type HostApi } from './window/hostApi.ts';

let server: RunningServer;
let browser: Browser;
let api: HostApi;
let input: InputImage;
/** The CPU route's dream, which both window backends' dreams are compared with. */
let cpuItem: GalleryItem;
const SIZE = 160;
const recipe = (steps: number): Recipe => ({ ...DEFAULT_RECIPE, layers: [{ name: 'mixed3', weight: 1 }], steps, octaves: 1, jitter: 16, seed: 7 });

beforeAll(async () => {
  ({ server, browser } = await startApp('window-dream', {}, { gpu: true }));
  await browser.page.goto(server.url);
  await engineReady(browser.page, { server, timeout: 120_000 });
  const session = await browser.page.evaluate(() => localStorage.getItem('reverie-session'));
  api = await hostApi(server.origin, session!);
  input = await api.call<InputImage>('image.import', { name: 'cat.png', data: new Uint8Array(await smallPhoto(SIZE, 120, 'png')) });
}, 300_000);

afterAll(async () => {
  api?.close();
  await stopApp(server, browser);
});

async function useDevice(device: string): Promise<EngineStatus> {
  await api.call('settings.update', { device });
  // Every window device is "window" in the engine's status; its accelerator names the backend asked for.
  return api.waitEngine(device.startsWith('window') ? 'window' : device);
}

async function dreamOn(steps: number): Promise<{ jobId: string; done: Promise<GalleryItem> }> {
  const { jobId } = await api.call<{ jobId: string }>('dream.start', { inputId: input.id, recipe: recipe(steps), maxSide: SIZE });
  return { jobId, done: api.waitJob(jobId, 900_000) };
}

/** Until a step of the job has run on the window. */
async function waitForWindowStep(jobId: string): Promise<void> {
  const end = Date.now() + 600_000;
  while (!(api.progress.get(jobId) ?? []).some((p) => p.label.includes("on the window's GPU"))) {
    if (Date.now() > end) throw new Error('no step ran on the window');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function pixels(item: GalleryItem): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(await api.bytes(item.resultUrl)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** A window dream against the CPU route's: the same size, and the same pixels up to float32 rounding. */
async function expectMatchesCpu(gpuItem: GalleryItem, what: string): Promise<void> {
  const a = await pixels(gpuItem);
  const b = await pixels(cpuItem);
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  let max = 0;
  let changed = 0;
  const original = await sharp(await smallPhoto(SIZE, 120, 'png')).removeAlpha().raw().toBuffer();
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    sum += d;
    max = Math.max(max, d);
    if (b.data[i] !== original[i]) changed++;
  }
  const mean = sum / a.data.length;
  console.log(`[${what} vs cpu] ${a.width}x${a.height}, 3 steps: mean |diff| ${mean.toFixed(4)}, max ${max} (of 255); the CPU dream changed ${changed} of ${a.data.length} values`);
  // The dream did something, and both devices did the same thing up to float32 rounding (the window's
  // gradient is within 3e-4 of the reference, the CPU's within 3e-7): measured mean 0.0008, max 1 level
  // of 255 here on webgl. Tolerance: a mean 60x that, and no value more than 2 levels apart.
  expect(changed).toBeGreaterThan(a.data.length / 2);
  expect(mean).toBeLessThan(0.05);
  expect(max).toBeLessThanOrEqual(2);
}

describe('the app window as a device', () => {
  it('a dream on window-webgl matches the CPU route and records that it ran on the window', async () => {
    // The Settings panel names the window's adapters (the page says what it offers on connecting).
    const notes = async (): Promise<string> =>
      (await api.call<SettingsView>('settings.get', {})).devices
        .filter((d) => d.choice.startsWith('window'))
        .map((d) => `${d.choice}: ${d.note}`)
        .join('\n');
    await expect.poll(notes, { timeout: 30_000 }).toMatch(/window-webgl: the app window's WebGL2: ANGLE .*SwiftShader.*, software GPU/);
    expect(await notes()).toMatch(/window-webgpu: the app window's WebGPU: .*swiftshader.*, software GPU/i);
    expect(await notes()).toMatch(/^window: the app window's best hardware GPU .*: none in this window, so the CPU;/);
    await useDevice('window-webgl');
    // The badge names the device that runs the steps.
    await engineReady(browser.page, { server, timeout: 60_000, hasText: 'window' });
    const onWindow = await dreamOn(3);
    const gpuItem = await onWindow.done;
    expect(gpuItem.route).toBe('window');
    expect(gpuItem.device).toBe('window');
    expect(gpuItem.deviceLabel).toMatch(/window's webgl on .*SwiftShader.*software GPU/);
    expect(await api.call<EngineStatus>('engine.status', {})).toMatchObject({ device: 'window', accelerator: expect.stringMatching(/^the app window's GPU \(WebGL2\), onnxruntime-node/) });
    const labels = (api.progress.get(onWindow.jobId) ?? []).map((p) => p.label);
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expect(l).toContain("on the window's GPU");

    await useDevice('cpu');
    cpuItem = await (await dreamOn(3)).done;
    expect(cpuItem.route).toBe('onnxruntime');
    expect(cpuItem.device).toBe('cpu');
    await expectMatchesCpu(gpuItem, 'window-webgl');
  }, 1_200_000);

  it('window-webgpu, chosen in the Settings panel, runs the dream on the page\'s WebGPU and matches the CPU route', async () => {
    const { page } = browser;
    await page.getByTestId('nav-models').click();
    const choice = page.getByTestId('devices').locator('label', { hasText: 'window-webgpu' });
    // The panel marks the window's adapter as the software GPU it is: the page relisted its devices
    // once the host heard its hello (the start-up list may predate it).
    await expect.poll(() => choice.textContent(), { timeout: 5_000 }).toMatch(/window's WebGPU: .*swiftshader.*, software GPU/i);
    await choice.locator('input[type=radio]').check();
    await expect
      .poll(async () => {
        const s = await api.call<EngineStatus>('engine.status', {});
        return s.state === 'ready' ? `${s.device}: ${s.accelerator}` : s.state;
      }, { timeout: 180_000 })
      .toMatch(/^window: the app window's GPU \(WebGPU\), onnxruntime-node/);
    const run = await dreamOn(3);
    const item = await run.done;
    expect(item.route).toBe('window');
    expect(item.device).toBe('window');
    expect(item.deviceLabel).toMatch(/window's webgpu on .*swiftshader.*software GPU/i);
    for (const l of (api.progress.get(run.jobId) ?? []).map((p) => p.label)) expect(l).toContain("on the window's GPU");
    await expectMatchesCpu(item, 'window-webgpu');
  }, 1_200_000);

  it("'window' (auto) never picks the page's software GPU: the dream runs on the CPU and says why", async () => {
    expect(await useDevice('window')).toMatchObject({ accelerator: expect.stringMatching(/^the app window's GPU \(WebGPU or WebGL2, a hardware GPU only\)/) });
    const item = await (await dreamOn(1)).done;
    expect(item.route).toBe('onnxruntime');
    expect(item.device).toBe('cpu');
    expect(item.deviceLabel).toMatch(/the window could not: The window offers only a software GPU \(WebGPU on .*; WebGL2 on .*SwiftShader.*\), which auto never picks/i);
  }, 600_000);

  it('reloading the page mid-dream finishes that dream on the CPU route; the next dream runs on the reloaded window', async () => {
    await useDevice('window-webgl');
    const { page } = browser;
    const run = await dreamOn(6);
    await waitForWindowStep(run.jobId);
    await page.reload();
    const item = await run.done;
    expect(item.device).toBe('window+cpu');
    expect(item.deviceLabel).toMatch(/\((The window closed or reloaded\.|No app window is open to compute on\.)\)$/);
    expect((api.progress.get(run.jobId) ?? []).map((p) => p.label)).toHaveLength(6);
    // The reloaded page links again and takes the next dream whole.
    await engineReady(page, { server, timeout: 60_000 });
    const again = await (await dreamOn(2)).done;
    expect(again.device).toBe('window');
    expect(again.route).toBe('window');
  }, 1_200_000);

  it('closing the page mid-dream finishes the dream on the CPU route, complete, and says so', async () => {
    await useDevice('window-webgl');
    const run = await dreamOn(6);
    await waitForWindowStep(run.jobId);
    await browser.page.close();
    const item = await run.done;
    const labels = (api.progress.get(run.jobId) ?? []).map((p) => p.label);
    console.log(`[window closed] ${item.deviceLabel}\n  ${labels.join('\n  ')}`);
    // The page may close while a tile is out (it fails) or between tiles (the next finds no window).
    const why = /(The window closed or reloaded\.|No app window is open to compute on\.)/;
    expect(labels.some((l) => l.includes('on the CPU (the window device stopped: ') && why.test(l))).toBe(true);
    expect(item.device).toBe('window+cpu');
    expect(item.route).toBe('onnxruntime');
    expect(item.deviceLabel).toMatch(/window's webgl .* for \d+ tiles?, then onnxruntime-node .* for \d+ tiles? \(/);
    expect(item.deviceLabel).toMatch(why);
    // Every step ran: six progress events, and a full-size result.
    expect(labels).toHaveLength(6);
    const result = await pixels(item);
    expect([result.width, result.height]).toEqual([SIZE, 120]);
    // The engine's status (the badge) names the route that ran last, and why.
    const status = await api.call<EngineStatus>('engine.status', {});
    expect(status).toMatchObject({ state: 'ready', device: 'cpu', accelerator: expect.stringMatching(/^onnxruntime-node .* \(the window device stopped: /) });
  }, 1_200_000);
});
