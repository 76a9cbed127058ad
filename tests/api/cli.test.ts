import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompileReplySchema, RunResultSchema } from '@shared/api.js';
import { mofang as runMofang, mofangBin } from './cli-helpers.js';
import { brokenGraph, echoGraph, removeDir, SIM_ENV, tempDir } from './helpers.js';

let dir: string;

/** Runs `mofang …` in-process against the test's data directory with the zero-latency simulator. */
function mofang(args: string[]) {
  return runMofang(args, { ...SIM_ENV, MOFANG_DATA_DIR: dir });
}

function file(name: string, content: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

beforeAll(() => {
  dir = tempDir('mofang-cli-');
});
afterAll(() => removeDir(dir));

describe('mofang CLI', () => {
  it('compile: a good graph prints ok and exits 0', async () => {
    const r = await mofang(['compile', file('good.json', echoGraph())]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(CompileReplySchema.parse(JSON.parse(r.stdout))).toEqual({ ok: true, errors: [] });
  });

  it('compile: a broken graph prints its problems and exits 1', async () => {
    const r = await mofang(['compile', file('broken.json', brokenGraph())]);
    expect(r.code).toBe(1);
    const reply = CompileReplySchema.parse(JSON.parse(r.stdout));
    expect(reply.ok).toBe(false);
    expect(reply.errors.map((e) => e.code)).toContain('edge_missing_node');
  });

  it('compile: a missing, non-JSON or non-graph file is one clear line on stderr, exit 1', async () => {
    for (const [target, pattern] of [
      [path.join(dir, 'missing.json'), /does not exist/],
      [file('text.json', 'not json at all'), /not valid JSON/],
      [file('list.json', [1, 2, 3]), /not a Mofang graph/],
    ] as const) {
      const r = await mofang(['compile', target]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('run: prints the RunResult, with --events as JSON lines on stderr', async () => {
    const graph = file('run.json', echoGraph());
    const r = await mofang(['run', graph, '--inputs', JSON.stringify({ transcript: '坐席：您好\n客户：宽带断了' }), '--events']);
    expect(r.code).toBe(0);
    const result = RunResultSchema.parse(JSON.parse(r.stdout));
    expect(result.status).toBe('succeeded');
    const events = r.stderr.trim().split('\n').map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ type: 'run.started' });
    expect(events.at(-1)).toMatchObject({ type: 'run.finished' });
  });

  it('run: inputs from @file; bad inputs are one line and exit 1', async () => {
    const graph = file('run2.json', echoGraph());
    const inputs = file('inputs.json', { transcript: '客户：我要投诉' });
    const ok = await mofang(['run', graph, '--inputs', `@${inputs}`]);
    expect(ok.code).toBe(0);
    expect(RunResultSchema.parse(JSON.parse(ok.stdout)).status).toBe('succeeded');
    const bad = await mofang(['run', graph, '--inputs', '{}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^mofang: invalid inputs/);
  });

  it('run: a template runs as it is, on its first sample; --inputs takes a sample file as it is', async () => {
    const plain = await mofang(['run', 'templates/call-quality-audit/graph.json']);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('using the sample templates/call-quality-audit/samples/good-call.json');
    expect(RunResultSchema.parse(JSON.parse(plain.stdout))).toMatchObject({ status: 'succeeded', model: 'simulator' });
    const sample = await mofang(['run', 'templates/broadband-repair/graph.json', '--inputs', '@templates/broadband-repair/samples/not-repair.json']);
    expect(sample.code).toBe(0);
    expect(sample.stderr).toBe('');
    expect(RunResultSchema.parse(JSON.parse(sample.stdout)).status).toBe('succeeded');
  });
});

// End to end through the compiled bin: the few checks that need a real process (exit codes, streams).
describe('bin/mofang.mjs', { timeout: 60_000 }, () => {
  it('--help lists the commands and exits 0', async () => {
    const r = await mofangBin(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: mofang/);
    expect(r.stdout).toMatch(/compile <graph\.json>/);
  });

  it('compile and run print JSON on stdout; a missing file is one line on stderr and exit 1', async () => {
    const env = { ...SIM_ENV, MOFANG_DATA_DIR: dir };
    const compiled = await mofangBin(['compile', 'templates/intent-triage/graph.json'], env);
    expect(compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
    expect(CompileReplySchema.parse(JSON.parse(compiled.stdout))).toEqual({ ok: true, errors: [] });
    const run = await mofangBin(['run', file('bin-run.json', echoGraph()), '--inputs', JSON.stringify({ transcript: '客户：宽带断了' })], env);
    expect(run.code).toBe(0);
    expect(RunResultSchema.parse(JSON.parse(run.stdout)).status).toBe('succeeded');
    const missing = await mofangBin(['compile', path.join(dir, 'missing.json')], env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^mofang: graph file ".*missing\.json" does not exist\n$/);
  });

  it('an unknown command prints commander\'s message and exits 1', async () => {
    const r = await mofangBin(['no-such-command']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown command 'no-such-command'/);
  });
});
