// The window's gradient engine in Debian's chromium on its software GPU (SwiftShader): the app's own
// gradient worker, fed the model's files by the server's /window-model/ route, computes the 299x299
// gradient of mixed3+mixed5, compared with the float64 PyTorch reference (tools/reference); and every
// op of the table passes its gradient check in the page. Each result says which tfjs backend ran it,
// and the test asserts that backend: a silent fallback fails.
/// <reference lib="dom" />
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../../engine/io/npy.ts';
import { ROOT } from '../../host/rendererBuild.ts';
import { relL2 } from '../helpers/numeric.ts';
import { engineReady, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';
import { opChecksScript, pageGradient } from './window/pageWorker.ts';
import type { OpCheck } from '../helpers/opCases.ts';

const execFileP = promisify(execFile);
const python = process.env.REVERIE_PYTHON ?? '/usr/bin/python3';
const refDir = join(ROOT, 'tools', 'reference');
const TERMS = { layers: [{ name: 'mixed3', weight: 1 }, { name: 'mixed5', weight: 1 }], channels: [] };

let server: RunningServer;
let browser: Browser;
let dir = '';
let reference: Promise<{ input: Float32Array; gradient: Float32Array }>;
/** The webgl route's gradient, which the webgpu route is compared with too. */
let webglGradient: Float32Array | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-window-grad-'));
  // The reference starts at once: it takes a while on two cores, and the page needs it only at the end.
  reference = (async () => {
    const input = join(dir, 'x.npy');
    const ref = join(dir, 'ref.npy');
    await execFileP(python, [join(refDir, 'make_input.py'), '--out', input, '--size', '299', '--seed', '0'], { cwd: ROOT });
    await execFileP(python, [join(refDir, 'keras_inception_torch.py'), '--input', input, '--layers', 'mixed3,mixed5', '--out', ref, '--dtype', 'float64'], { cwd: ROOT, timeout: 900_000 });
    return { input: readNpy(await readFile(input)).data, gradient: readNpy(await readFile(ref)).data };
  })();
  reference.catch(() => undefined); // reported by the test that awaits it
  ({ server, browser } = await startApp('window-grad', {}, { gpu: true, bypassCSP: true }));
  await browser.page.goto(server.url);
  await engineReady(browser.page, { server, timeout: 120_000 });
}, 300_000);

afterAll(async () => {
  await stopApp(server, browser);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the window computes gradients on its GPU', () => {
  it('each op of the table passes its gradient check in the page on webgl', async () => {
    await browser.page.addScriptTag({ content: await opChecksScript() });
    const run = await browser.page.evaluate(() => (globalThis as unknown as { runOpChecks(b: string): Promise<{ backend: string; adapter: string; checks: OpCheck[] }> }).runOpChecks('webgl'));
    expect(run.backend).toBe('webgl');
    console.log(`[window ops] webgl on ${run.adapter}: ${run.checks.map((c) => `${c.op} ${c.relL2.toExponential(2)}`).join(', ')}`);
    expect(run.checks.length).toBeGreaterThanOrEqual(11);
    for (const c of run.checks) {
      expect(c.shape, c.op).toEqual(c.expectedShape);
      // wasm gives < 1e-5; float32 textures round a little differently (measured below 1e-6 here).
      expect(c.relL2, c.op).toBeLessThan(1e-4);
      expect(c.leaked, `${c.op} leaked tensors`).toBe(0);
    }
  }, 300_000);

  it('the 299x299 gradient of mixed3+mixed5 on webgl matches the float64 PyTorch reference', async () => {
    const { input, gradient: ref } = await reference;
    const ours = await pageGradient(browser.page, 'webgl', input, 299, 299, TERMS);
    if ('refused' in ours) throw new Error(`the worker refused webgl: ${ours.refused}`);
    expect(ours.backend).toBe('webgl');
    expect(ours.adapter.name).toMatch(/swiftshader/i);
    expect(ours.adapter.software).toBe(true);
    expect(ours.gradient.length).toBe(299 * 299 * 3);
    const err = relL2(ours.gradient, ref);
    console.log(`[window webgl] ${ours.adapter.name}: relL2 vs reference ${err.toExponential(3)} (model load ${ours.loadMs} ms)`);
    webglGradient = ours.gradient;
    // Measured 2.8e-4 here, as the tfjs executor on wasm (float32 accumulation order).
    expect(err).toBeLessThan(1e-3);
  }, 1_200_000);

  // Chromium here offers a WebGPU adapter (SwiftShader) with the software-GPU flags. tfjs-backend-
  // webgpu's synchronous read-back returns zeros on it, so the worker prepares the model on the cpu
  // backend and reads webgpu only asynchronously; its read-back check refuses the backend otherwise.
  it('the 299x299 gradient of mixed3+mixed5 on webgpu matches the float64 PyTorch reference', async () => {
    const { input, gradient: ref } = await reference;
    const adapter = await browser.page.evaluate(async () => {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu ? (await gpu.requestAdapter()) !== null : false;
    });
    expect(adapter, 'chromium offers no WebGPU adapter with SOFTWARE_GPU_ARGS').toBe(true);
    const ours = await pageGradient(browser.page, 'webgpu', input, 299, 299, TERMS);
    if ('refused' in ours) throw new Error(`the worker refused webgpu: ${ours.refused}`);
    expect(ours.backend).toBe('webgpu');
    expect(ours.adapter.name).toMatch(/swiftshader/i);
    expect(ours.adapter.software).toBe(true);
    const err = relL2(ours.gradient, ref);
    const vsWebgl = webglGradient ? relL2(ours.gradient, webglGradient) : Number.NaN;
    console.log(`[window webgpu] ${ours.adapter.name}: relL2 vs reference ${err.toExponential(3)}, vs webgl ${vsWebgl.toExponential(3)} (model load and preparation ${ours.loadMs} ms)`);
    // Measured 2.8e-4, as on webgl and wasm.
    expect(err).toBeLessThan(1e-3);
  }, 1_200_000);
});
