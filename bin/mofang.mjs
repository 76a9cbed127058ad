#!/usr/bin/env node
// The `mofang` command: runs the compiled CLI in dist/server/ (built by `npm install` / `npm ci` through
// the `prepare` script, or by `npm run build:server`). A build older than any source it was compiled from
// is refused with a message rather than run silently: a developer who edited a .ts file gets told to
// rebuild (the test suite rebuilds by itself, in its global setup).
import { pathToFileURL } from 'node:url';
import { ENTRY, buildProblem } from '../scripts/server-build-state.mjs';

const problem = buildProblem();
if (problem) {
  const why = problem.reason === 'missing' ? 'the server has not been built (dist/server is missing)' : `dist/server is older than ${problem.file}`;
  process.stderr.write(`mofang: ${why}; run \`npm run build:server\` (npm install and npm test build it too)\n`);
  process.exit(1);
}
const { main } = await import(pathToFileURL(ENTRY).href);
await main(process.argv);
