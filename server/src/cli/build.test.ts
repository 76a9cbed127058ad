import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST, buildProblem } from '../../../scripts/server-build-state.mjs';

interface MetaOutput {
  imports: { path: string; kind: string; external?: boolean }[];
  inputs: Record<string, unknown>;
  entryPoint?: string;
}

/** The npm package a bundled input file belongs to (`node_modules/@scope/name/…` → `@scope/name`), if any. */
function packageOf(input: string): string | undefined {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m?.[1];
}

// dist/server is built by the vitest global setup (tests/build-server.setup.ts) before this runs.
const meta = JSON.parse(readFileSync(path.join(DIST, 'meta.json'), 'utf8')) as { outputs: Record<string, MetaOutput> };

/**
 * The npm packages a built file loads before its code runs, bundled into its chunks or imported from
 * node_modules: its static imports, transitively (not what it loads later with import()).
 */
function packagesLoadedBy(source: string): string[] {
  const start = Object.keys(meta.outputs).find((file) => meta.outputs[file].entryPoint === source);
  if (!start) throw new Error(`${source} is not an entry point or a dynamically imported module of the build`);
  const seen = new Set<string>();
  const packages = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const input of Object.keys(meta.outputs[file].inputs)) {
      const name = packageOf(input);
      if (name) packages.add(name);
    }
    for (const imported of meta.outputs[file].imports) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) {
        if (!imported.path.startsWith('node:')) packages.add(imported.path.split('/')[0]);
      } else {
        stack.push(imported.path);
      }
    }
  }
  return [...packages].sort();
}

describe('the compiled CLI loads only what a command needs', () => {
  it('the entry (what --help runs) loads commander and nothing else', () => {
    expect(packagesLoadedBy('server/src/cli/index.ts')).toEqual(['commander']);
  });

  it('compile and run load neither Express nor the store', () => {
    for (const source of ['compile-command', 'graph-commands']) {
      const packages = packagesLoadedBy(`server/src/cli/${source}.ts`);
      expect(packages, source).not.toContain('express');
      expect(packages, source).not.toContain('better-sqlite3');
      expect(packages, source).not.toContain('better-sse');
    }
  });

  it('compile loads the compiler alone: no model client, no HTTP pool, no sandbox', () => {
    const packages = packagesLoadedBy('server/src/cli/compile-command.ts');
    for (const runtimeOnly of ['undici', 'quickjs-emscripten-core', 'gpt-tokenizer', 'randexp']) expect(packages).not.toContain(runtimeOnly);
  });

  it('the store commands (publish, keys, users, export/import) do not load Express', () => {
    for (const source of ['publish-commands', 'keys-commands', 'template-commands', 'users-commands']) {
      expect(packagesLoadedBy(`server/src/cli/${source}.ts`), source).not.toContain('express');
    }
  });

  it('replay is a /v1 client: it loads neither Express, the store nor the engine', () => {
    const packages = packagesLoadedBy('server/src/cli/replay-command.ts');
    expect(packages).toContain('eventsource-parser');
    for (const serverOnly of ['express', 'better-sqlite3', 'better-sse', 'liquidjs', 'quickjs-emscripten-core']) expect(packages).not.toContain(serverOnly);
  });

  it('no command or server code loads exceljs at start: workbooks are read on a worker thread, written (Excel downloads) by a dynamic import on first use', () => {
    const importers = Object.entries(meta.outputs).filter(([, output]) => output.imports.some((i) => (i.path === 'exceljs' || i.path.includes('node_modules/exceljs')) && i.kind !== 'dynamic-import'));
    expect(importers.map(([file]) => file)).toEqual([]);
  });

  it('start loads the server, Express included, only when it runs', () => {
    expect(packagesLoadedBy('server/src/http/server.ts')).toContain('express');
  });
});

describe('buildProblem', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-build-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const info = path.join(dir, 'build-info.json');
  writeFileSync(path.join(dir, 'a.ts'), '');

  it('says missing without a build, stale when a source is newer or gone, null when up to date', () => {
    expect(buildProblem(path.join(dir, 'none.json'), dir)).toEqual({ reason: 'missing' });
    writeFileSync(info, JSON.stringify({ builtAt: 0, inputs: ['a.ts'] }));
    expect(buildProblem(info, dir)).toEqual({ reason: 'stale', file: 'a.ts' });
    writeFileSync(info, JSON.stringify({ builtAt: Date.now() + 60_000, inputs: ['a.ts'] }));
    expect(buildProblem(info, dir)).toBeNull();
    writeFileSync(info, JSON.stringify({ builtAt: Date.now() + 60_000, inputs: ['a.ts', 'gone.ts'] }));
    expect(buildProblem(info, dir)).toEqual({ reason: 'stale', file: 'gone.ts' });
  });

  it('this checkout is up to date after the global setup built it', () => {
    expect(buildProblem()).toBeNull();
  });
});
