#!/usr/bin/env node
// `npm test`: type-check, build the server (dist/server, which tests that spawn bin/mofang.mjs run), the
// unit/API suite, the API suite again on PostgreSQL, then the browser suite (building the client first)
// when vitest.browser.config.ts exists. Each step streams its output; every step runs even if one fails so the totals are complete. The last
// line is exactly `N passed, N failed` (plus `, N skipped` when any): failed counts failed tests plus
// every failed step that is not a test suite (type check, server build, client build), so a red type
// check can never end in `0 failed`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const tmp = path.join(root, '.tmp');
mkdirSync(tmp, { recursive: true });

/** Runs a command with inherited output; resolves with its exit code. */
function step(title, command, args, env = {}) {
  const shown = Object.entries(env).map(([k, v]) => `${k}=${v} `).join('');
  process.stdout.write(`\n━━ ${title}: ${shown}${[path.basename(command), ...args].join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
    child.on('error', (error) => {
      console.error(`could not start ${command}: ${error.message}`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps = [];

/** Runs a step that is not a test suite; a failure is one failure in the totals. */
async function check(title, command, args) {
  if ((await step(title, command, args)) === 0) return;
  failedSteps.push(title);
  totals.failed += 1;
}

/** Runs one vitest suite with the JSON reporter and adds its counts to the totals; `env` is added to the environment. */
async function suite(title, extraArgs, reportName, env = {}) {
  const report = path.join(tmp, reportName);
  rmSync(report, { force: true });
  const code = await step(title, bin('vitest'), ['run', ...extraArgs, '--reporter=default', '--reporter=json', `--outputFile=${report}`], env);
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    // A file that failed to load (or whose hooks failed) has no failed test but is a failure all the same.
    const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
    const failed = (r.numFailedTests ?? 0) + brokenFiles;
    totals.passed += r.numPassedTests ?? 0;
    totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    // A run that failed with nothing to show for it (a global setup that threw, say) still counts once.
    totals.failed += code !== 0 && failed === 0 ? 1 : failed;
  } else if (code !== 0) {
    totals.failed += 1;
  }
  if (code !== 0) failedSteps.push(title);
}

await check('typecheck', bin('tsc'), ['--noEmit', '-p', '.']);
await check('server build', process.execPath, [path.join(root, 'scripts', 'build-server.mjs')]);
await suite('unit and API tests', [], 'vitest-unit.json');
// The API suite again with every test server on PostgreSQL (a throwaway one on 127.0.0.1, started and
// stopped by tests/api-store.setup.ts): the same answers from either store.
await suite('API tests on PostgreSQL', ['tests/api'], 'vitest-api-postgres.json', { MOFANG_TEST_STORE: 'postgres' });
if (existsSync(path.join(root, 'vitest.browser.config.ts'))) {
  if (existsSync(path.join(root, 'vite.config.ts'))) await check('client build', bin('vite'), ['build']);
  await suite('browser tests', ['--config', 'vitest.browser.config.ts'], 'vitest-browser.json');
}

if (failedSteps.length > 0) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped > 0 ? `, ${totals.skipped} skipped` : ''}`);
process.exitCode = failedSteps.length > 0 ? 1 : 0;
