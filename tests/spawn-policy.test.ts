// Spawned processes get argument arrays, never a shell: no exec/execSync, no `shell: true`, anywhere
// in the sources we ship or test with.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const folders = ['engine', 'cli', 'bench', 'tests', 'main', 'preload', 'server', 'renderer', 'contract', 'bin'];

function sources(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(sources(p));
    else if (/\.(ts|mts|js|mjs|svelte)$/.test(name)) out.push(p);
  }
  return out;
}

describe('spawn policy', () => {
  it('uses no shell to start processes', () => {
    const files = folders.flatMap((f) => {
      try {
        return sources(join(root, f));
      } catch {
        return [];
      }
    });
    expect(files.length).toBeGreaterThan(20);
    const offenders: string[] = [];
    const self = fileURLToPath(import.meta.url);
    for (const file of files) {
      if (file === self) continue;
      const text = readFileSync(file, 'utf8');
      // exec/execSync run a command line through a shell; `shell: true` makes spawn/execFile do so too.
      if (/import\s*\{[^}]*\bexec(Sync)?\b[^}]*\}\s*from\s*['"](node:)?child_process['"]/.test(text)) offenders.push(`${relative(root, file)}: imports exec`);
      if (/child_process['"]\)?\.exec(Sync)?\b|\bcp\.exec(Sync)?\(/.test(text)) offenders.push(`${relative(root, file)}: calls exec`);
      for (const [i, line] of text.split('\n').entries()) {
        if (/shell:\s*(true|['"])/.test(line)) offenders.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
