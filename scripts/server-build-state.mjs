// Where the compiled server lives and whether it is older than its sources. Shared by bin/mofang.mjs (which
// refuses to run a stale build) and scripts/build-server.mjs (which skips a build that is up to date).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (absolute path, with no trailing separator). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');
/** The folder the server and CLI are compiled to. */
export const DIST = path.join(ROOT, 'dist', 'server');
/** The compiled CLI entry: exports `main(argv)`. */
export const ENTRY = path.join(DIST, 'cli.js');
/** Written last by a build: `{ builtAt: epoch ms, inputs: repo-relative source paths }`. */
export const BUILD_INFO = path.join(DIST, 'build-info.json');

/**
 * Why the build in dist/server cannot be used as it is: `{ reason: 'missing' }` when there is none,
 * `{ reason: 'stale', file }` when a source it was built from changed (or vanished) since, or `null`
 * when it is up to date. Stats each source once (≈ 200 files, about 2 ms). `infoFile` and `root` default
 * to this checkout's (tests point them elsewhere).
 */
export function buildProblem(infoFile = BUILD_INFO, root = ROOT) {
  let info;
  try {
    info = JSON.parse(readFileSync(infoFile, 'utf8'));
  } catch {
    return { reason: 'missing' };
  }
  if (typeof info?.builtAt !== 'number' || !Array.isArray(info.inputs)) return { reason: 'missing' };
  let missing;
  let present = 0;
  for (const file of info.inputs) {
    let mtime;
    try {
      mtime = statSync(path.join(root, file)).mtimeMs;
    } catch {
      missing ??= file;
      continue;
    }
    present += 1;
    if (mtime > info.builtAt) return { reason: 'stale', file };
  }
  // No sources at all beside the build (a copy of dist/ alone): nothing to compare with.
  if (missing !== undefined && present > 0) return { reason: 'stale', file: missing };
  return null;
}
