/**
 * Vitest global setup (unit/API and browser suites): compiles the server to dist/server/ when a source
 * is newer than the build, so tests that spawn `bin/mofang.mjs` never run stale code (the bin refuses a
 * stale build). Takes a few ms when the build is up to date, one to a few seconds otherwise.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    execFileSync(process.execPath, ['scripts/build-server.mjs', '--if-stale'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`the server build failed (node scripts/build-server.mjs):\n${stderr}`);
  }
}
