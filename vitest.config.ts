import { defineConfig } from 'vitest/config';

// One config for the whole monorepo: every package's *.test.ts and the
// end-to-end tests in test/. The `source` condition makes workspace imports
// resolve to TypeScript sources, so unit tests never need a build.
export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    include: ['packages/*/src/**/*.test.{ts,tsx}', 'apps/*/src/**/*.test.{ts,tsx}', 'bench/src/**/*.test.ts', 'test/**/*.test.ts'],
    globals: true,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
