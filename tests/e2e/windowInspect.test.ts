// Feature visualization on the app window's GPU (browser mode, Debian's chromium, SwiftShader): a page
// of channel pictures on window-webgl and window-webgpu, each image's gradient computed in the page's
// worker, agrees with the CPU route's pictures within a stated tolerance; each picture's cache entry
// names the device its steps ran on, so a window picture never answers for the CPU, nor the reverse.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { ChannelPicture } from '../../contract/inspect.ts';
import { engineReady, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';
import { hostApi, type HostApi } from './window/hostApi.ts';

let server: RunningServer;
let browser: Browser;
let api: HostApi;
const page = { layer: 'mixed3', channels: [4, 9], quality: 'draft' as const };

beforeAll(async () => {
  ({ server, browser } = await startApp('window-inspect', {}, { gpu: true }));
  await browser.page.goto(server.url);
  await engineReady(browser.page, { server, timeout: 120_000 });
  const session = await browser.page.evaluate(() => localStorage.getItem('reverie-session'));
  api = await hostApi(server.origin, session!);
}, 300_000);

afterAll(async () => {
  api?.close();
  await stopApp(server, browser);
});

async function useDevice(device: string): Promise<void> {
  await api.call('settings.update', { device });
  await api.waitEngine(device.startsWith('window') ? 'window' : device);
}

/** The page of channels rendered on the current device: its pictures' URLs (by channel) and progress labels. */
async function render(): Promise<{ urls: string[]; labels: string[] }> {
  const { jobId } = await api.call<{ jobId: string }>('inspect.render', page);
  const done = await api.waitDone(jobId, 900_000);
  return { urls: done.frames ?? [], labels: (api.progress.get(jobId) ?? []).map((p) => p.label) };
}

const cachedUrls = async (): Promise<string[]> => (await api.call<ChannelPicture[]>('inspect.cached', page)).sort((a, b) => a.channel - b.channel).map((c) => c.url);
const pixels = async (url: string): Promise<Buffer> => sharp(await api.bytes(url)).removeAlpha().raw().toBuffer();

describe('feature visualization on the app window', () => {
  it('channel pictures on window-webgl and window-webgpu agree with the CPU route, each cached under its own device', async () => {
    await useDevice('cpu');
    const cpu = await render();
    expect(cpu.urls).toHaveLength(2);
    for (const url of cpu.urls) expect(url).toMatch(/\/features\/inception_v3\/mixed3\/\d+-[0-9a-f]{16}\.png/);
    expect(await cachedUrls()).toEqual(cpu.urls);
    // How far apart two different channels' pictures are: the scale the devices' agreement is judged on.
    const [four, nine] = [await pixels(cpu.urls[0]!), await pixels(cpu.urls[1]!)];
    let apart = 0;
    for (let k = 0; k < four.length; k++) apart += Math.abs(four[k]! - nine[k]!);
    apart /= four.length;

    for (const backend of ['webgl', 'webgpu'] as const) {
      await useDevice(`window-${backend}`);
      // The CPU's pictures do not answer for the window.
      expect(await cachedUrls()).toEqual([]);
      const gpu = await render();
      // Where each picture ran is in its cache key: a silent fallback would store it as cpu or window+cpu.
      expect(gpu.urls).toHaveLength(2);
      for (const url of gpu.urls) expect(url).toMatch(new RegExp(`/\\d+-[0-9a-f]{16}-window-${backend}\\.png`));
      expect(gpu.labels.length).toBeGreaterThan(0);
      for (const l of gpu.labels.filter((l) => l.includes('step'))) expect(l).toContain("on the window's GPU");
      expect(await cachedUrls()).toEqual(gpu.urls);

      let sum = 0;
      let max = 0;
      let n = 0;
      for (const [i, url] of gpu.urls.entries()) {
        const [a, b] = [await pixels(url), await pixels(cpu.urls[i]!)];
        expect(a.length).toBe(64 * 64 * 3);
        for (let k = 0; k < a.length; k++) {
          const d = Math.abs(a[k]! - b[k]!);
          sum += d;
          max = Math.max(max, d);
          n++;
        }
      }
      const mean = sum / n;
      console.log(`[inspect window-${backend} vs cpu] mixed3 channels 4, 9 at 64 px, 32 Adam steps: mean |diff| ${mean.toFixed(4)}, max ${max} (of 255); channel 4 vs 9 on the CPU: mean ${apart.toFixed(2)}`);
      // Adam's steps are normalised per pixel, so float32 differences in the gradient (window 3e-4 of the
      // reference, CPU 3e-7) grow over the steps: onnxruntime vs tfjs, both on the CPU, already differ by
      // mean 0.77, max 9 here; window-webgl vs CPU measured mean 3.4, max 50. Tolerance: a mean under 6
      // levels, and the same channel on two devices under a quarter as far apart as two channels are.
      expect(mean).toBeLessThan(6);
      expect(mean).toBeLessThan(apart / 4);
    }
    // And back on the CPU, its own pictures answer, not the window's.
    await useDevice('cpu');
    expect(await cachedUrls()).toEqual(cpu.urls);
  }, 1_800_000);
});
