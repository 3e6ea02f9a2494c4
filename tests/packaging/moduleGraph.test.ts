// The module-graph walker the packaging test relies on, on a small archive made with
// @electron/asar: what it must follow, what it must report, and what it must not be fooled by.
import { describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import asar from '@electron/asar';
import { tempDir } from '../appHelpers.ts';
import { ArchiveView } from './archive.ts';
import { moduleGraph } from './moduleGraph.ts';

const APP: Record<string, string> = {
  'package.json': JSON.stringify({ type: 'module', optionalDependencies: { 'not-installed': '1' } }),
  'dist/main.mjs': [
    "import { a } from 'dual';",
    "import './chunk.mjs';",
    "const optional = () => import('not-installed');",
    "// require('in-a-comment') and import('in-a-comment') do not count",
    "const text = \"require('in-a-string')\";",
    "const data = new URL('../data/labels.json', import.meta.url);",
    "import { createRequire } from 'node:module';",
    "const require2 = createRequire(import.meta.url);",
    "try { require2('guarded-missing'); } catch {}",
    "export { a, optional, text, data };",
  ].join('\n'),
  'dist/chunk.mjs': "import 'electron';\nimport './missing-chunk.mjs';\n",
  'data/labels.json': '[]',
  'node_modules/dual/package.json': JSON.stringify({ name: 'dual', exports: { '.': { import: './esm/index.mjs', require: './cjs/index.js' } } }),
  'node_modules/dual/esm/index.mjs': "export const a = 1;\nimport 'legacy/sub.js';\nimport 'legacy/data';\n",
  'node_modules/dual/cjs/index.js': "module.exports = require('never-reached');\n",
  'node_modules/legacy/package.json': JSON.stringify({ name: 'legacy', main: 'lib/main' }),
  'node_modules/legacy/sub.js': "require('./lib/main');\nrequire('absent-package');\n",
  'node_modules/legacy/lib/main.js': "require('../data.json'); require('fs');\n",
  'node_modules/legacy/data.json': '{}',
  'node_modules/legacy/native.node': 'not really native',
};

async function archive(): Promise<ArchiveView> {
  const root = await tempDir('graph');
  const src = join(root, 'app');
  for (const [path, text] of Object.entries(APP)) {
    await mkdir(dirname(join(src, path)), { recursive: true });
    await writeFile(join(src, path), text);
  }
  await mkdir(join(root, 'resources'));
  await asar.createPackageWithOptions(src, join(root, 'resources', 'app.asar'), { unpack: '*.node' });
  return new ArchiveView(join(root, 'resources'));
}

describe('module graph over an asar archive', () => {
  it('follows exports conditions, main, extensions and relative files, and reports what is missing', async () => {
    const view = await archive();
    expect(view.isUnpacked('node_modules/legacy/native.node')).toBe(true);
    expect(view.isUnpacked('node_modules/legacy/sub.js')).toBe(false);
    const graph = await moduleGraph(view, ['dist/main.mjs']);
    expect([...graph.files].sort()).toEqual([
      'dist/chunk.mjs',
      'dist/main.mjs',
      'node_modules/dual/esm/index.mjs',
      'node_modules/legacy/data.json',
      'node_modules/legacy/lib/main.js',
      'node_modules/legacy/sub.js',
    ]);
    expect(graph.unresolved.map((e) => `${e.from} -> ${e.specifier}`).sort()).toEqual([
      'dist/chunk.mjs -> ./missing-chunk.mjs',
      'dist/main.mjs -> not-installed',
      'node_modules/dual/esm/index.mjs -> legacy/data', // an ES module must name data.json in full
      'node_modules/legacy/sub.js -> absent-package',
    ]);
    expect(graph.optional.map((e) => e.specifier)).toEqual(['guarded-missing']);
    expect([...graph.runtime]).toEqual(['electron']);
    expect(graph.urlTargets).toEqual([{ from: 'dist/main.mjs', target: 'data/labels.json' }]);
  });
});
