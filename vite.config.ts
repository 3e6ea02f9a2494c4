// Renderer build: renderer/ → dist/renderer, relative URLs (served at / in browser mode and at
// reverie://app/ in Electron), no inline assets or scripts, so the strict CSP holds.
// `vitest --config vite.config.ts` runs the renderer's unit tests (state classes need the Svelte compiler).
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('./renderer', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  // The window's gradient worker (renderer/gpu/) loads its GPU backend on demand: ES module workers split.
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  test: { include: ['**/*.test.ts'], environment: 'node' },
});
