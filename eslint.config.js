import js from '@eslint/js';
import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';

// Who may import whom (see README, "How it works"). Each folder lists the top-level folders it must
// not reach; a relative import that climbs into one of them fails `npm run lint`.
const TOP = ['farm', 'engine', 'contract', 'host', 'server', 'main', 'preload', 'cli', 'launch', 'packaging', 'renderer', 'tests', 'bench'];
// `typesFrom` folders may be reached by `import type` only (the contract names the engine's types).
function onlyImports(folder, allowed, typesFrom = []) {
  const banned = TOP.filter((f) => f !== folder && !allowed.includes(f) && !typesFrom.includes(f));
  const message = `${folder}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing outside itself'}${typesFrom.length ? ` (and types from ${typesFrom.join(', ')})` : ''} (README, "How it works").`;
  const pattern = (names, allowTypeImports) => ({ regex: `^(\\.\\./)+(${names.join('|')})/`, message, allowTypeImports });
  return {
    files: [`${folder}/**/*.ts`, `${folder}/**/*.mjs`],
    ignores: [`${folder}/**/*.test.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [pattern(banned, false), ...(typesFrom.length ? [pattern(typesFrom, true)] : [])],
      }],
    },
  };
}

// The browser-safe part of the engine: what the window (renderer/) and, for GPU work, a Web Worker may
// load. These modules import nothing Node-only (node: builtins, sharp, onnxruntime-node, tfjs-node).
// windowDevice/ is the gradient engine of the window's worker; it builds the graph with model/keras/.
const BROWSER_SAFE_FOLDERS = ['recipe', 'shared', 'graph', 'ops', 'objectives', 'windowDevice'];
// Parts of Node-side folders that are browser-safe: files, or subfolders (ending in '/').
const BROWSER_SAFE_PARTS = ['video/args.ts', 'video/plan.ts', 'video/size.ts', 'video/errors.ts', 'model/keras/'];
const SPLIT_FOLDERS = [...new Set(BROWSER_SAFE_PARTS.map((p) => p.split('/')[0]))];
const escape = (s) => s.replace(/[.]/g, '\\.');
/** Matches a path (from engine/) that is one of the browser-safe parts. */
const PARTS_REGEX = BROWSER_SAFE_PARTS.map((p) => (p.endsWith('/') ? escape(p) : `${escape(p)}$`)).join('|');
const NODE_ONLY = {
  regex: '^(node:.*|(fs|path|os|url|crypto|child_process|worker_threads|stream|http|https|module|util)(/.*)?|sharp|onnxruntime-node|@tensorflow/tfjs-node)$',
  message: 'The browser-safe engine (README, "How it works") imports nothing Node-only: the window and Web Workers load it.',
};
/** Engine folders that are Node-side (sharp, ffmpeg, files, threads); video/ and model/ are split. */
function nodeSideEngine() {
  return readdirSync(new URL('./engine', import.meta.url), { withFileTypes: true })
    .filter((d) => d.isDirectory() && ![...BROWSER_SAFE_FOLDERS, ...SPLIT_FOLDERS].includes(d.name))
    .map((d) => d.name);
}
/** engine/backend.ts and the like: Node-side too. */
function engineRootFiles() {
  return readdirSync(new URL('./engine', import.meta.url)).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
}
function browserSafeEngine() {
  const outside = TOP.filter((f) => f !== 'engine');
  const message = 'The browser-safe engine imports only browser-safe engine modules (README, "How it works").';
  const rules = (extra) => ({
    '@typescript-eslint/no-restricted-imports': ['error', {
      patterns: [
        { regex: `^(\\.\\./)+(${outside.join('|')})/`, message: 'engine/ may import only nothing outside itself (README, "How it works").' },
        { regex: `^(\\.\\./)+((${nodeSideEngine().join('|')})/|(${engineRootFiles().join('|')})\\.ts$|(?!(${PARTS_REGEX}))(${SPLIT_FOLDERS.join('|')})/)`, message },
        ...extra,
        NODE_ONLY,
      ],
    }],
  });
  return [
    {
      files: [...BROWSER_SAFE_FOLDERS.map((f) => `engine/${f}/**/*.ts`), ...BROWSER_SAFE_PARTS.filter((p) => !p.endsWith('/')).map((f) => `engine/${f}`)],
      ignores: ['engine/**/*.test.ts'],
      rules: rules([]),
    },
    // A browser-safe subfolder sits one level deeper: one '../' reaches its Node-side siblings.
    ...BROWSER_SAFE_PARTS.filter((p) => p.endsWith('/')).map((p) => ({
      files: [`engine/${p}**/*.ts`],
      ignores: ['engine/**/*.test.ts'],
      rules: rules([{ regex: '^\\.\\./(?!\\.\\./)', message }]),
    })),
  ];
}
// renderer/ imports contract/ and the browser-safe engine only.
function rendererImports() {
  const banned = TOP.filter((f) => f !== 'renderer' && f !== 'contract' && f !== 'engine');
  const message = 'renderer/ may import only contract and the browser-safe engine (README, "How it works").';
  return {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    ignores: ['renderer/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { regex: `^(\\.\\./)+(${banned.join('|')})/`, message },
          { regex: `^(\\.\\./)+engine/(?!(${BROWSER_SAFE_FOLDERS.join('|')})/|${PARTS_REGEX})`, message },
          NODE_ONLY,
        ],
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'renderer/public/**', 'renderer/node_modules/**', 'coverage/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.base,
  // <script lang="ts"> in components: the TypeScript parser inside svelte-eslint-parser.
  { files: ['**/*.svelte', '**/*.svelte.ts'], languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } }, rules: { 'no-undef': 'off' } },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  onlyImports('engine', []),
  onlyImports('contract', [], ['engine']),
  onlyImports('host', ['engine', 'contract']),
  onlyImports('server', ['host', 'contract']),
  onlyImports('main', ['host', 'contract']),
  onlyImports('preload', ['contract']),
  onlyImports('cli', ['engine', 'host', 'farm']),
  // farm/ is the BullMQ layer (queues, job kinds, submit, work): engine-free, so the CLI binds it.
  onlyImports('farm', []),
  onlyImports('launch', ['main', 'server']),
  // Packaging builds what main loads (preload, renderer) and compiles main; it runs none of it.
  onlyImports('packaging', ['main']),
  ...browserSafeEngine(),
  rendererImports(),
);
