// Follows every import and require with a literal specifier from the given entries through a
// packaged app's archive (ArchiveView), resolving as Node does: relative files, packages found in
// node_modules folders up the tree, package.json "exports" (node + import|require conditions),
// "main", extensions and index files for CommonJS. What does not resolve is reported, not guessed.
import { isBuiltin } from 'node:module';
import { posix } from 'node:path';
import type { ArchiveView } from './archive.ts';
import { specifiersOf } from './specifiers.ts';

import type { ImportKind } from './specifiers.ts';

export interface Edge {
  from: string;
  specifier: string;
  kind: ImportKind;
}

export interface ModuleGraph {
  /** Every archive path reached, entries included. */
  files: Set<string>;
  unresolved: Edge[];
  /** Unresolved, but required inside a try block: the module copes without it. */
  optional: Edge[];
  /** Specifiers the runtime provides (electron). */
  runtime: Set<string>;
  /** `new URL('literal', import.meta.url)` targets, resolved from the module that names them. */
  urlTargets: Array<{ from: string; target: string }>;
}

const CJS_EXTENSIONS = ['.js', '.json', '.node'];

type Exports = string | null | Exports[] | { [key: string]: Exports };

export class Resolver {
  private readonly packages = new Map<string, Record<string, unknown> | null>();

  constructor(private readonly view: ArchiveView) {}

  packageJson(dir: string): Record<string, unknown> | null {
    if (!this.packages.has(dir)) {
      const path = dir ? `${dir}/package.json` : 'package.json';
      this.packages.set(dir, this.view.kind(path) === 'file' ? (JSON.parse(this.view.read(path).toString('utf8')) as Record<string, unknown>) : null);
    }
    return this.packages.get(dir)!;
  }

  /** ESM or CommonJS, as Node decides from the extension and the nearest package.json's "type". */
  moduleType(file: string): 'esm' | 'cjs' | 'leaf' {
    if (file.endsWith('.mjs')) return 'esm';
    if (file.endsWith('.cjs')) return 'cjs';
    if (!file.endsWith('.js')) return 'leaf';
    for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
      const here = dir === '.' ? '' : dir;
      const pkg = this.packageJson(here);
      if (pkg) return pkg['type'] === 'module' ? 'esm' : 'cjs';
      if (here === '') return 'cjs';
    }
  }

  private file(path: string): string | undefined {
    return this.view.kind(path) === 'file' ? path : undefined;
  }

  private cjsFile(base: string): string | undefined {
    return this.file(base) ?? CJS_EXTENSIONS.map((ext) => this.file(base + ext)).find(Boolean) ?? this.directory(base);
  }

  private directory(dir: string): string | undefined {
    if (this.view.kind(dir) !== 'dir') return undefined;
    const main = this.packageJson(dir)?.['main'];
    const fromMain = typeof main === 'string' ? this.cjsFile(posix.join(dir, main)) : undefined;
    return fromMain ?? CJS_EXTENSIONS.map((ext) => this.file(posix.join(dir, `index${ext}`))).find(Boolean);
  }

  private exportTarget(target: Exports, conditions: string[], star: string): string | undefined {
    if (typeof target === 'string') return target.replaceAll('*', star);
    if (target === null) return undefined;
    if (Array.isArray(target)) return target.map((t) => this.exportTarget(t, conditions, star)).find(Boolean);
    for (const [key, value] of Object.entries(target)) {
      if (key === 'default' || conditions.includes(key)) {
        const found = this.exportTarget(value, conditions, star);
        if (found) return found;
      }
    }
    return undefined;
  }

  private exportsEntry(exports: Exports, subpath: string, conditions: string[]): string | undefined {
    const map = typeof exports === 'object' && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.')) ? exports : { '.': exports };
    if (subpath in map) return this.exportTarget(map[subpath]!, conditions, '');
    for (const [key, value] of Object.entries(map)) {
      const [head, tail] = key.split('*') as [string, string | undefined];
      if (tail !== undefined && subpath.startsWith(head) && subpath.endsWith(tail) && subpath.length >= head.length + tail.length) {
        return this.exportTarget(value, conditions, subpath.slice(head.length, subpath.length - tail.length));
      }
    }
    return undefined;
  }

  private bare(from: string, specifier: string, kind: ImportKind): string | undefined {
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    const rest = specifier.slice(name.length);
    for (let dir = posix.dirname(from); ; dir = posix.dirname(dir)) {
      const here = dir === '.' ? '' : dir;
      if (!here.endsWith('node_modules')) {
        const pkgDir = here ? `${here}/node_modules/${name}` : `node_modules/${name}`;
        if (this.view.kind(pkgDir) === 'dir') {
          const pkg = this.packageJson(pkgDir);
          if (pkg && pkg['exports'] !== undefined) {
            const target = this.exportsEntry(pkg['exports'] as Exports, `.${rest}`, ['node', kind]);
            return target ? this.file(posix.join(pkgDir, target)) : undefined;
          }
          // Without "exports", ES modules name a package's files exactly; CommonJS may leave out the extension.
          if (rest) return kind === 'import' ? this.file(posix.join(pkgDir, rest)) : this.cjsFile(posix.join(pkgDir, rest));
          return this.directory(pkgDir);
        }
      }
      if (here === '') return undefined;
    }
  }

  resolve(from: string, specifier: string, kind: ImportKind): string | undefined {
    if (specifier.startsWith('./') || specifier.startsWith('../')) {
      const base = posix.normalize(posix.join(posix.dirname(from), specifier));
      return kind === 'import' ? this.file(base) : this.cjsFile(base);
    }
    return this.bare(from, specifier, kind);
  }
}

export async function moduleGraph(view: ArchiveView, entries: string[]): Promise<ModuleGraph> {
  const resolver = new Resolver(view);
  const graph: ModuleGraph = { files: new Set(), unresolved: [], optional: [], runtime: new Set(), urlTargets: [] };
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (graph.files.has(file)) continue;
    graph.files.add(file);
    const type = resolver.moduleType(file);
    if (type === 'leaf') continue;
    const source = view.read(file).toString('utf8');
    const { found, urls } = specifiersOf(source, type);
    for (const { specifier, kind, guarded } of found) {
      if (isBuiltin(specifier)) continue;
      if (specifier === 'electron') {
        graph.runtime.add(specifier);
        continue;
      }
      const resolved = resolver.resolve(file, specifier, kind);
      if (resolved) queue.push(resolved);
      else (guarded ? graph.optional : graph.unresolved).push({ from: file, specifier, kind });
    }
    for (const url of urls) graph.urlTargets.push({ from: file, target: posix.normalize(posix.join(posix.dirname(file), url)) });
  }
  return graph;
}
