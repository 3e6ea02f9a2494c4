// A Vite plugin for the main-process build: `new URL('./x', import.meta.url)` in a source module
// names a file beside that module, but after bundling import.meta.url is the chunk's URL in
// dist/main/. Data files and folders (package.json, engine/model/data/*.json, the app root) are
// re-pointed from the chunk folder to where they sit in the source tree, which ships with them.
// Code files (.ts, .mjs, .js) are left alone on purpose: `./engineProcess.mjs` beside main.ts is
// the tsx bootstrap in a checkout and the compiled entry beside main.mjs in dist/main/.
import { statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

const SOURCE_URL = /new URL\((['"])(\.{1,2}(?:\/[^'"]*)?)\1,\s*import\.meta\.url\)/g;
const CODE = /\.(?:[cm]?[jt]s|tsx?)$/;

function kindOf(path: string): 'file' | 'dir' | null {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

/** The URL literal that names `target` from a chunk in `outDir`. */
export function fromOutDir(outDir: string, target: string, isDir: boolean): string {
  const rel = relative(outDir, target).split(sep).join('/');
  return `${rel.startsWith('.') ? rel : `./${rel}`}${isDir ? '/' : ''}`;
}

export function sourceRelativeUrls(outDir: string): Plugin {
  return {
    name: 'reverie-source-relative-urls',
    transform(code, id) {
      if (id.includes(`${sep}node_modules${sep}`) || !code.includes('import.meta.url')) return null;
      let changed = false;
      const out = code.replace(SOURCE_URL, (whole, _quote: string, literal: string) => {
        const target = resolve(dirname(id), literal);
        const kind = kindOf(target);
        if (!kind || (kind === 'file' && CODE.test(target))) return whole;
        changed = true;
        return `new URL(${JSON.stringify(fromOutDir(outDir, target, kind === 'dir'))}, import.meta.url)`;
      });
      return changed ? { code: out, map: null } : null;
    },
  };
}
