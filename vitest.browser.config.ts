import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

/** Browser tests: a real Chromium (Debian's, via playwright-core) against a real server. Run after `vite build`. */
export default defineConfig({
  resolve: { alias: { '@shared': fileURLToPath(new URL('./shared/src', import.meta.url)) } },
  test: {
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Builds dist/server when stale: tests that spawn bin/mofang.mjs run the code as it is now.
    globalSetup: ['tests/build-server.setup.ts'],
    fileParallelism: false,
  },
});
