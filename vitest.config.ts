import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

// Tests import packages by name and run against their TypeScript sources, so
// a test run never depends on a stale dist/.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@vehicle-perf\/core\/testing$/, replacement: source('./packages/core/src/testing.ts') },
      { find: /^@vehicle-perf\/core\/packed-rows$/, replacement: source('./packages/core/src/packed-rows.ts') },
      { find: /^@vehicle-perf\/core\/spilled-run$/, replacement: source('./packages/core/src/spilled-run.ts') },
      { find: /^@vehicle-perf\/core$/, replacement: source('./packages/core/src/index.ts') },
      { find: /^@vehicle-perf\/adapter-sqlite$/, replacement: source('./packages/adapter-sqlite/src/index.ts') },
      { find: /^@vehicle-perf\/adapter-postgres$/, replacement: source('./packages/adapter-postgres/src/index.ts') },
      { find: /^@vehicle-perf\/http$/, replacement: source('./packages/http/src/index.ts') },
      { find: /^@vehicle-perf\/cli$/, replacement: source('./packages/cli/src/index.ts') },
    ],
  },
  test: {
    globalSetup: ['./scripts/vitest-postgres.ts'],
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts', 'scripts/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
