// Every test file runs: one that lies where neither vitest project looks would pass CI by never
// running (a host/ test did, until host/ was added to the node project's folders).
import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import config from '../vitest.config.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', 'release', '.git']);

async function testFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await testFiles(path)));
    else if (entry.name.endsWith('.test.ts')) found.push(relative(ROOT, path).split(sep).join('/'));
  }
  return found;
}

describe('test files', () => {
  it('each lies in a folder one of the vitest projects runs', async () => {
    const projects = config.test?.projects as Array<{ test: { name: string; include?: string[]; root?: string } }>;
    const node = projects.find((p) => p.test.name === 'node')!.test.include!;
    const renderer = projects.find((p) => p.test.name === 'renderer')!.test.root!.replace(/^\.\//, '');
    // The node project's patterns are all "<folder>/**/*.test.ts"; the renderer's root takes every test under it.
    expect(node.every((p) => /^[\w-]+\/\*\*\/\*\.test\.ts$/.test(p))).toBe(true);
    const folders = [...node.map((p) => p.split('/')[0]!), renderer];
    const files = await testFiles(ROOT);
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => !folders.includes(f.split('/')[0]!))).toEqual([]);
  });
});
