// The devices section's window rows (or alone: node --import tsx bench/windowDevices.ts [--size 299]
// [--steps 3]): the browser-mode server and Debian's chromium headless, as the e2e harness starts them,
// then the app's own gradient worker in the page on WebGL2 and on WebGPU, timing steady-state steps of
// mixed3+mixed5 (the first step, which compiles the shaders, apart). Chromium starts with a hardware GPU
// allowed; a backend it offers none for is timed again on SwiftShader, marked software. The figure is
// the worker's step as the page sees it; the host <-> page frame (~1 MB each way on loopback) is not in it.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import type { WindowBackend } from '../engine/windowDevice/protocol.ts';
import { SOFTWARE_GPU_ARGS, startServer, type RunningServer } from '../tests/e2e/harness.ts';
import { workerAsset } from '../tests/e2e/window/pageWorker.ts';

const CHROMIUM = '/usr/bin/chromium';
/** A real GPU where chromium finds one (WebGPU needs the flag on Linux); nothing forces a software one. */
const HARDWARE_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--ignore-gpu-blocklist'];
const LAYERS = ['mixed3', 'mixed5'];

export type WindowRow = Record<string, unknown> & { device: string };

/** One backend's timing in the page: the adapter, the model's load, the first step and the median of the rest; or why not. */
async function timeInPage(page: Page, backend: WindowBackend, size: number, steps: number): Promise<Record<string, unknown>> {
  return page.evaluate(
    async ({ url, backend: b, size: n, steps: k, layers }) => {
      const session = localStorage.getItem('reverie-session') ?? '';
      const headers = { 'x-reverie-session': session };
      const [jr, wr] = await Promise.all([fetch('/window-model/model.json', { headers }), fetch('/window-model/weights.bin', { headers })]);
      if (!jr.ok || !wr.ok) return { error: `model files: HTTP ${jr.status} / ${wr.status}` };
      const json = await jr.json();
      const weights = await wr.arrayBuffer();
      const worker = new Worker(url, { type: 'module' });
      const next = (): Promise<Record<string, unknown>> =>
        new Promise((resolve) => {
          worker.onmessage = (e) => resolve(e.data as Record<string, unknown>);
          worker.onerror = (e) => resolve({ type: 'error', message: e.message });
        });
      try {
        worker.postMessage({ type: 'load', backend: b, modelId: 'inception_v3', json, weights }, [weights]);
        const ready = await next();
        if (ready['type'] !== 'ready') return { error: String(ready['message']) };
        const pixels = Float32Array.from({ length: n * n * 3 }, (_, i) => Math.sin(i * 12.9898) * 0.9);
        const times: number[] = [];
        for (let s = 0; s <= k; s++) {
          const started = performance.now();
          worker.postMessage({ type: 'gradient', id: s + 1, height: n, width: n, terms: { layers: layers.map((name) => ({ name, weight: 1 })), channels: [] }, pixels: pixels.slice() });
          const res = await next();
          if (res['type'] !== 'result') return { error: String(res['message']) };
          times.push(performance.now() - started);
        }
        const rest = times.slice(1).sort((x, y) => x - y);
        return { adapter: ready['adapter'], loadMs: ready['loadMs'], firstStepMs: Math.round(times[0]!), stepMs: Math.round(rest[Math.floor(rest.length / 2)]!) };
      } finally {
        worker.terminate();
      }
    },
    { url: workerAsset(), backend, size, steps, layers: LAYERS },
  );
}

/** Opens the app in chromium with `args` and times each backend that has no row yet. */
async function pass(server: RunningServer, args: string[], backends: WindowBackend[], size: number, steps: number): Promise<Map<WindowBackend, Record<string, unknown>>> {
  const profile = await mkdtemp(join(tmpdir(), 'reverie-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', ...args, '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const rows = new Map<WindowBackend, Record<string, unknown>>();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url);
    // The engine has loaded (the badge is ready), so its start does not share the CPU with the timing.
    await page.locator('[data-testid=engine-badge][data-state=ready]').waitFor({ timeout: 300_000 });
    // tsx names the functions it compiles with a __name helper that the page lacks.
    await page.evaluate('globalThis.__name ??= (f) => f');
    for (const backend of backends) rows.set(backend, await timeInPage(page, backend, size, steps));
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
  return rows;
}

/** The window rows: window-webgl and window-webgpu, or the reason there are none. */
export async function windowDeviceRows(size: number, steps: number): Promise<{ rows: WindowRow[] } | { skipped: string }> {
  if (!existsSync(CHROMIUM)) return { skipped: `Debian's chromium (${CHROMIUM}) is not installed: the window device is timed in it` };
  const dataDir = await mkdtemp(join(tmpdir(), 'reverie-bench-window-'));
  const server = await startServer(dataDir);
  try {
    const backends: WindowBackend[] = ['webgl', 'webgpu'];
    const hardware = await pass(server, HARDWARE_ARGS, backends, size, steps);
    // A backend chromium offered nothing for without help is timed on SwiftShader, which it always has.
    const missing = backends.filter((b) => hardware.get(b)?.['error'] !== undefined);
    const software = missing.length ? await pass(server, SOFTWARE_GPU_ARGS, missing, size, steps) : new Map<WindowBackend, Record<string, unknown>>();
    return {
      rows: backends.map((b) => {
        const r = software.get(b) ?? hardware.get(b)!;
        const adapter = r['adapter'] as { name: string; software: boolean } | undefined;
        const row: WindowRow = { device: `window-${b}`, available: !r['error'], software: adapter?.software ?? false, adapter: adapter?.name ?? null };
        if (r['error']) return { ...row, why: r['error'], ...(software.has(b) ? { withoutSwiftShader: hardware.get(b)!['error'] } : {}) };
        return { ...row, loadMs: r['loadMs'], firstStepMs: r['firstStepMs'], stepMs: r['stepMs'], ...(software.has(b) ? { note: `no adapter without forcing SwiftShader: ${String(hardware.get(b)!['error'])}` } : {}) };
      }),
    };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { size: { type: 'string' }, steps: { type: 'string' } } });
  const size = Number(values.size ?? 299);
  const steps = Number(values.steps ?? 3);
  process.stdout.write(`${JSON.stringify({ size, layers: LAYERS, steps, window: await windowDeviceRows(size, steps) })}\n`);
}
