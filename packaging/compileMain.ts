// Compiles Electron main, the host it uses and the engine's utility-process entry to plain ES
// modules in dist/main/ (Vite's SSR build, as electron-vite does), so the packaged app runs
// JavaScript instead of transpiling TypeScript through tsx at every start. npm packages stay
// imports resolved from node_modules at run time: the native ones (sharp, onnxruntime-node) load
// their binaries from their own folders, tfjs and nsfwjs find their wasm and model files there.
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceRelativeUrls } from './sourceUrls.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MAIN_OUT = join(ROOT, 'dist', 'main');
/**
 * Entries, named as Electron and main.ts load them: package.json's "main", utilityProcess.fork's
 * file, and the gradient pool's worker thread (engine/parallel/gradientPool.ts starts it by name).
 */
export const MAIN_ENTRIES = { main: 'main/main.ts', engineProcess: 'main/engineProcess.ts', gradientWorker: 'engine/parallel/gradientWorker.ts' } as const;

/** Every dependency of package.json (and its subpaths), plus electron and Node's own modules, stays external. */
async function externals(): Promise<(id: string) => boolean> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const names = new Set(['electron', ...Object.keys(pkg['dependencies'] ?? {}), ...Object.keys(pkg['optionalDependencies'] ?? {})]);
  const builtins = new Set(builtinModules);
  return (id) => {
    if (id.startsWith('node:') || builtins.has(id)) return true;
    const name = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0]!;
    return names.has(name);
  };
}

export interface CompiledMain {
  main: string;
  engineProcess: string;
  /** The source files bundled into the output, relative to the root (to check what ships). */
  modules: string[];
}

/** Builds dist/main/{main,engineProcess}.mjs and their shared chunks (same folder). */
export async function compileMain(outDir = MAIN_OUT): Promise<CompiledMain> {
  const { build } = await import('vite');
  const external = await externals();
  const output = await build({
    configFile: false,
    root: ROOT,
    // Data files named with new URL(…, import.meta.url) stay where they are in the source tree.
    plugins: [sourceRelativeUrls(outDir)],
    logLevel: 'warn',
    // Node-only code: no browser shims, no .env files, no public folder copied.
    publicDir: false,
    envFile: false,
    build: {
      outDir,
      emptyOutDir: true,
      ssr: true,
      // Electron 38 ships Node 22; the start-up test runs the same files under Node 20.
      target: 'node20',
      minify: false,
      sourcemap: false,
      reportCompressedSize: false,
      rollupOptions: {
        input: Object.fromEntries(Object.entries(MAIN_ENTRIES).map(([name, file]) => [name, join(ROOT, file)])),
        external,
        output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
      },
    },
    ssr: { noExternal: [], target: 'node' },
  });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => ('output' in o ? o.output : []));
  const modules = new Set(chunks.flatMap((c) => (c.type === 'chunk' ? c.moduleIds : [])).map((id) => relative(ROOT, id).split(sep).join('/')));
  return { main: join(outDir, 'main.mjs'), engineProcess: join(outDir, 'engineProcess.mjs'), modules: [...modules].sort() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await compileMain();
  process.stdout.write(`Compiled ${out.main} and ${out.engineProcess}.\n`);
}
