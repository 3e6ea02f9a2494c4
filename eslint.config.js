import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'renderer/**', '**/*.svelte', 'coverage/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
);
