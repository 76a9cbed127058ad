import { defineConfig } from 'vitest/config';

/** Browser tests: a real Chromium (Debian's, via playwright-core) against a real server. Run after `vite build`. */
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
