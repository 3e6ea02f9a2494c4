import { defineConfig } from 'vitest/config';

// One `vitest run` covers both projects: the engine, CLI, server and e2e tests in Node, and the
// renderer's state classes through the Svelte compiler (vite.config.ts).
export default defineConfig({
  test: {
    // The model-backed tests are CPU-heavy: run files in forks, two at a time (2-core machines).
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          // tests/testFiles.test.ts fails if a test file lies where neither project looks.
          include: ['engine/**/*.test.ts', 'cli/**/*.test.ts', 'farm/**/*.test.ts', 'host/**/*.test.ts', 'server/**/*.test.ts', 'contract/**/*.test.ts', 'tests/**/*.test.ts'],
        },
      },
      {
        extends: './vite.config.ts',
        test: { name: 'renderer', root: './renderer' },
      },
    ],
  },
});
