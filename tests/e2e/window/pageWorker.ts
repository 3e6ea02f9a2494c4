// Drives the app's own gradient worker (the built renderer/gpu/gradientWorker.ts) inside the page:
// the model's files come from the server's session-gated /window-model/ route, as the app reads them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { RENDERER_OUT, ROOT } from '../../../host/rendererBuild.ts';
import type { WindowBackend, WindowTerms } from '../../../engine/windowDevice/protocol.ts';

/** The worker's URL in the built renderer (its name carries a content hash). */
export function workerAsset(): string {
  const name = readdirSync(join(RENDERER_OUT, 'assets')).find((f) => /^gradientWorker-[\w-]+\.js$/.test(f));
  if (!name) throw new Error('dist/renderer has no gradientWorker bundle: is renderer/gpu/ still imported by main.ts?');
  return `/assets/${name}`;
}

export interface PageGradient {
  backend: string;
  adapter: { name: string; software: boolean };
  value: number;
  gradient: Float32Array;
  loadMs: number;
}

/** Loads the model in a fresh worker on `backend`, then computes one tile's gradient; or why the worker refused the backend. */
export async function pageGradient(page: Page, backend: WindowBackend, pixels: Float32Array, height: number, width: number, terms: WindowTerms): Promise<PageGradient | { refused: string }> {
  const result = await page.evaluate(
    async ({ url, backend: b, b64, height: h, width: w, terms: t }) => {
      const session = localStorage.getItem('reverie-session') ?? '';
      const headers = { 'x-reverie-session': session };
      const [jr, wr] = await Promise.all([fetch('/window-model/model.json', { headers }), fetch('/window-model/weights.bin', { headers })]);
      if (!jr.ok || !wr.ok) throw new Error(`model files: HTTP ${jr.status} / ${wr.status}`);
      const json = await jr.json();
      const weights = await wr.arrayBuffer();
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const worker = new Worker(url, { type: 'module' });
      const next = (): Promise<Record<string, unknown>> =>
        new Promise((resolve, reject) => {
          worker.onmessage = (e) => resolve(e.data as Record<string, unknown>);
          worker.onerror = (e) => reject(new Error(e.message));
        });
      worker.postMessage({ type: 'load', backend: b, modelId: 'inception_v3', json, weights }, [weights]);
      const ready = await next();
      if (ready['type'] !== 'ready') {
        worker.terminate();
        return { refused: String(ready['message']) };
      }
      worker.postMessage({ type: 'gradient', id: 1, height: h, width: w, terms: t, pixels: new Float32Array(bytes.buffer) });
      const res = await next();
      worker.terminate();
      if (res['type'] !== 'result') throw new Error(`gradient failed: ${JSON.stringify(res)}`);
      const g = new Uint8Array((res['gradient'] as Float32Array).buffer);
      let s = '';
      for (let i = 0; i < g.length; i += 0x8000) s += String.fromCharCode(...g.subarray(i, i + 0x8000));
      return { backend: String(res['backend']), adapter: ready['adapter'] as { name: string; software: boolean }, loadMs: Number(ready['loadMs']), value: Number(res['value']), gradient: btoa(s) };
    },
    { url: workerAsset(), backend, b64: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString('base64'), height, width, terms },
  );
  if (result.refused !== undefined) return { refused: result.refused };
  const done = result as Omit<PageGradient, 'gradient'> & { gradient: string };
  const bytes = Buffer.from(done.gradient, 'base64');
  return { ...done, gradient: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
}

/** The op table's gradient checks as one script for the page (injected; the test's context bypasses CSP). */
export async function opChecksScript(): Promise<string> {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    build: {
      write: false,
      lib: { entry: join(ROOT, 'tests', 'e2e', 'window', 'opChecksPage.ts'), formats: ['iife'], name: 'reverieOpChecks' },
      rollupOptions: { output: { inlineDynamicImports: true } },
      minify: false,
    },
  });
  const chunk = (Array.isArray(out) ? out[0]! : out as { output: unknown[] }).output[0] as { code: string };
  return chunk.code;
}
