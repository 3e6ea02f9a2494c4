// `npm start` must work right after `npm install`: the renderer is built with Vite into
// dist/renderer when that is missing or older than its sources. Concurrent starts share one build.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RENDERER_OUT = join(ROOT, 'dist', 'renderer');
/** What the renderer bundle is made from. */
// The browser-safe engine is bundled too (recipes in the UI, the window's gradient worker).
const SOURCES = ['renderer', 'contract', 'vite.config.ts', ...['recipe', 'shared', 'graph', 'ops', 'objectives', 'windowDevice', 'model/keras', 'video'].map((f) => join('engine', f))];
const STAMP = '.sources-mtime';
const LOCK = join(ROOT, 'dist', '.renderer-build.lock');

async function newestMtime(path: string): Promise<number> {
  let s;
  try {
    s = await stat(path);
  } catch {
    return 0;
  }
  if (!s.isDirectory()) return s.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.filter((e) => e !== 'node_modules' && !e.endsWith('.test.ts')).map((e) => newestMtime(join(path, e))));
  return Math.max(s.mtimeMs, ...times);
}

export async function sourcesMtime(root = ROOT): Promise<number> {
  return Math.max(...(await Promise.all(SOURCES.map((s) => newestMtime(join(root, s))))));
}

export async function isRendererFresh(outDir = RENDERER_OUT): Promise<boolean> {
  try {
    await stat(join(outDir, 'index.html'));
    const built = Number(await readFile(join(outDir, STAMP), 'utf8'));
    return built >= (await sourcesMtime());
  } catch {
    return false;
  }
}

async function takeLock(): Promise<boolean> {
  await mkdir(join(ROOT, 'dist'), { recursive: true });
  try {
    await mkdir(LOCK);
    return true;
  } catch {
    // A lock older than two minutes belongs to a build that died.
    const age = Date.now() - (await stat(LOCK).then((s) => s.mtimeMs, () => 0));
    if (age > 120_000) {
      await rm(LOCK, { recursive: true, force: true });
      return takeLock();
    }
    return false;
  }
}

/** Builds the renderer unless it is fresh; returns the folder to serve. */
export async function ensureRendererBuilt(log: (line: string) => void = () => undefined): Promise<string> {
  while (!(await isRendererFresh())) {
    if (!(await takeLock())) {
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (await isRendererFresh()) break;
      log('Building the interface (first start or changed sources)…');
      const mtime = await sourcesMtime();
      const tmp = join(ROOT, 'dist', `.renderer-${process.pid}-${Date.now()}`);
      let build: typeof import('vite').build;
      try {
        ({ build } = await import('vite'));
      } catch {
        throw new Error('The interface is not built and Vite is missing: run "npm install" (with dev dependencies) first.');
      }
      await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } });
      await writeFile(join(tmp, STAMP), String(mtime));
      await rm(RENDERER_OUT, { recursive: true, force: true });
      await rename(tmp, RENDERER_OUT);
    } finally {
      await rm(LOCK, { recursive: true, force: true });
    }
  }
  return RENDERER_OUT;
}
