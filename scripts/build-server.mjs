#!/usr/bin/env node
// Compiles the server and the `mofang` CLI (server/src + shared/src, TypeScript) to ESM JavaScript in
// dist/server/ with esbuild: one bundle, split into chunks so each command's dynamic import() loads only
// its own code. Pure-JS npm packages are bundled in too: resolving and reading a few hundred small files
// of node_modules cost `mofang compile` about half a second of CPU. Packages that find files of their own
// at run time (better-sqlite3's and @node-rs/argon2's native addons, swagger-ui-dist's assets) and the large exceljs (loaded only
// for an .xlsx upload) stay external. Run by `npm install` / `npm ci` (the `prepare` script), `npm test`
// and the vitest global setup.
//
//   node scripts/build-server.mjs             build
//   node scripts/build-server.mjs --if-stale  build only when a source is newer than the build
//
// Files the code finds at run time through `new URL('<relative>', import.meta.url)` (the worker .mjs files,
// drizzle/ migrations, templates/, package.json, dist/client) stay where they are: every chunk is written
// flat into dist/server/, and such URLs are rewritten to point from there to the same file as before.
import { build } from 'esbuild';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILD_INFO, DIST, ROOT, buildProblem } from './server-build-state.mjs';

/** npm packages left to node_modules (see above); the worker .mjs files import theirs themselves. */
const EXTERNAL = ['better-sqlite3', 'exceljs', 'swagger-ui-dist', '@node-rs/argon2'];

const URL_PATTERN = /new URL\((['"])([^'"`]+)\1,\s*import\.meta\.url\)/g;

/** An esbuild plugin: keeps `new URL('<relative>', import.meta.url)` pointing at the same file from dist/server/. */
const keepFileUrls = {
  name: 'keep-file-urls',
  setup(b) {
    b.onLoad({ filter: /[\\/](server|shared)[\\/]src[\\/].*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const dir = path.dirname(args.path);
      const contents = source.replace(URL_PATTERN, (_all, quote, relative) => {
        const target = path.resolve(dir, relative);
        if (!existsSync(target) && !relative.includes('dist/client')) {
          throw new Error(`${path.relative(ROOT, args.path)}: new URL('${relative}', import.meta.url) names a file that does not exist`);
        }
        const fromDist = path.relative(DIST, target).split(path.sep).join('/') + (relative.endsWith('/') ? '/' : '');
        return `new URL(${quote}${fromDist.startsWith('.') ? fromDist : `./${fromDist}`}${quote}, import.meta.url)`;
      });
      return { contents, loader: 'ts' };
    });
  },
};

/** Builds into a fresh folder, then swaps it in, so a CLI started during the build never sees half of one. */
export async function buildServer() {
  const builtAt = Date.now();
  const tmp = `${DIST}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { cli: 'server/src/cli/index.ts' },
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: EXTERNAL,
    // Bundled CommonJS packages call require(): give each chunk one, as Node gives a CommonJS module.
    banner: { js: "import { createRequire as __mofangCreateRequire } from 'node:module'; const require = __mofangCreateRequire(import.meta.url);" },
    tsconfig: 'tsconfig.json',
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
    plugins: [keepFileUrls],
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules'));
  // Paths in the metafile name the temporary folder: name the final one instead.
  const meta = JSON.stringify(result.metafile).split(path.relative(ROOT, tmp).split(path.sep).join('/')).join('dist/server');
  writeFileSync(path.join(tmp, 'meta.json'), meta);
  writeFileSync(path.join(tmp, path.basename(BUILD_INFO)), `${JSON.stringify({ builtAt, inputs }, null, 2)}\n`);
  const old = `${DIST}.old-${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(tmp, DIST);
  rmSync(old, { recursive: true, force: true });
  return { inputs: inputs.length, ms: Date.now() - builtAt };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(ROOT, 'scripts', 'build-server.mjs')) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && buildProblem() === null) {
    console.log('dist/server is up to date');
  } else {
    try {
      const { inputs, ms } = await buildServer();
      console.log(`dist/server built from ${inputs} sources in ${ms} ms`);
    } catch (error) {
      // esbuild has printed the errors with their locations.
      if (!error?.errors) console.error(error);
      process.exitCode = 1;
    }
  }
}
