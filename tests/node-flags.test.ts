import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverNodeFlags } from '../scripts/server-node-flags.mjs';

describe('the Node flags mofang runs with', () => {
  it('are the same for `npm start` as on the bin’s shebang line (which npx mofang and the benchmarks use)', () => {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const start = typeof pkg === 'object' && pkg !== null && 'scripts' in pkg && typeof pkg.scripts === 'object' && pkg.scripts !== null && 'start' in pkg.scripts ? String(pkg.scripts.start) : '';
    const launch = /node((?: --[\w-]+(?:=\S+)?)*) bin\/mofang\.mjs start/.exec(start);
    expect(launch, `package.json start: ${start}`).not.toBeNull();
    expect((launch?.[1] ?? '').split(' ').filter(Boolean)).toEqual(serverNodeFlags());
  });

  it('are read from a shebang with and without flags, and an unexpected first line is an error', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mofang-flags-'));
    try {
      const bin = (first: string) => {
        const file = path.join(dir, 'mofang.mjs');
        writeFileSync(file, `${first}\nawait import('x');\n`);
        return file;
      };
      expect(serverNodeFlags(bin('#!/usr/bin/env node'))).toEqual([]);
      expect(serverNodeFlags(bin('#!/usr/bin/env -S node --max-semi-space-size=32 --no-warnings'))).toEqual(['--max-semi-space-size=32', '--no-warnings']);
      expect(() => serverNodeFlags(bin('#!/bin/sh'))).toThrow(/unexpected first line/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
