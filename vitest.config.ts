import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: { alias: { '@shared': fileURLToPath(new URL('./shared/src', import.meta.url)) } },
  test: {
    include: ['shared/src/**/*.test.ts', 'server/src/**/*.test.ts', 'client/src/**/*.test.ts', 'tests/**/*.test.ts', 'templates/**/*.test.ts'],
    exclude: ['tests/browser/**', 'node_modules/**'],
    testTimeout: 20000,
    // A beforeAll that starts a server and publishes scenarios takes more than the default 10 s on a loaded 2-core machine.
    hookTimeout: 60_000,
    pool: 'forks',
    // Builds dist/server when stale: tests that spawn bin/mofang.mjs run the code as it is now. With
    // MOFANG_TEST_STORE=postgres, starts the PostgreSQL the API tests' servers then use.
    globalSetup: ['tests/build-server.setup.ts', 'tests/api-store.setup.ts'],
  },
});
