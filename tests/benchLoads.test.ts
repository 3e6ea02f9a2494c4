// `npm run bench` runs outside vitest, so nothing else notices when a module a bench imports cannot
// load there (a test helper that imports vitest did once). Each bench's imports, and the benches that
// are libraries (no work at load), are loaded in one plain node process, as `npm run bench` would.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = join(ROOT, 'bench');

/** A bench that does its work when loaded (top-level await): only its imports are loaded. */
const runsOnLoad = (source: string): boolean => /^(await |const [^=]+= await |for await )/m.test(source);

async function modulesToLoad(): Promise<string[]> {
  const found = new Set<string>();
  for (const name of (await readdir(BENCH)).filter((n) => n.endsWith('.ts'))) {
    const source = await readFile(join(BENCH, name), 'utf8');
    if (!runsOnLoad(source)) found.add(join(BENCH, name));
    for (const [, spec] of source.matchAll(/^import [^;]*? from '([^']+)';/gm)) {
      if (spec!.startsWith('.')) found.add(resolve(BENCH, spec!));
    }
  }
  return [...found].sort();
}

describe('the benches', () => {
  it('load their modules outside vitest', async () => {
    const modules = await modulesToLoad();
    expect(modules.some((m) => m.endsWith(join('tests', 'helpers', 'redis.ts')))).toBe(true);
    expect(modules.some((m) => m.endsWith(join('bench', 'farmPipeline.ts')))).toBe(true);
    const script = `${modules.map((m) => `await import(${JSON.stringify(pathToFileURL(m).href)});`).join('\n')}\nconsole.log('loaded ${modules.length}');`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST'))) });
    expect(stdout.trim()).toBe(`loaded ${modules.length}`);
  });
});
