// Builds what Electron loads and cannot run from TypeScript sources: the sandboxed preload
// (one CommonJS file; only 'electron' stays external) and the renderer. Main itself runs via tsx.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRendererBuilt } from '../host/rendererBuild.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PRELOAD_OUT = join(ROOT, 'dist', 'preload');

export async function buildPreload(outDir = PRELOAD_OUT): Promise<string> {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'chrome120',
      lib: { entry: join(ROOT, 'preload', 'preload.ts'), formats: ['cjs'], fileName: () => 'preload.cjs' },
      rollupOptions: { external: ['electron'] },
    },
  });
  return join(outDir, 'preload.cjs');
}

export async function buildApp(log: (line: string) => void = () => undefined): Promise<void> {
  await buildPreload();
  await ensureRendererBuilt(log);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildApp((line) => process.stdout.write(`${line}\n`));
  process.stdout.write('Built dist/preload and dist/renderer.\n');
}
