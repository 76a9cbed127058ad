import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionSummarySchema } from '@shared/publish.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { brokenReplyGraph, replyGraph } from '../../server/src/publish/graphs.testing.js';
import { mofang as runMofang } from './cli-helpers.js';
import { call, removeDir, SIM_ENV, startTestServer, tempDir } from './helpers.js';

let dir: string;
let server: RunningServer;

/** Runs `mofang …` in-process against the test's data directory (never rejects). */
function mofang(args: string[]) {
  return runMofang(args, { ...SIM_ENV, MOFANG_DATA_DIR: dir });
}

function file(name: string, content: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

beforeAll(async () => {
  dir = tempDir('mofang-publish-cli-');
  // A server runs on the same store the whole time: it must see what the CLI does at once.
  server = await startTestServer(dir);
});
afterAll(async () => {
  await server.close();
  removeDir(dir);
});

// The commands run in-process on the same store as the server, as a second process would; the steps of a test depend on each other.
describe('mofang publish / versions / rollback', () => {
  it('publishes, re-publishes unchanged without failing, publishes a change, lists and rolls back', async () => {
    const v1 = await mofang(['publish', file('g1.json', replyGraph('CLI reply')), '--slug', 'cli-reply', '--note', 'from CI']);
    expect(v1.stderr).toBe('');
    expect(v1.code).toBe(0);
    expect(JSON.parse(v1.stdout)).toEqual({ slug: 'cli-reply', version: 1 });

    const again = await mofang(['publish', path.join(dir, 'g1.json'), '--slug', 'cli-reply']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ slug: 'cli-reply', version: 1, unchanged: true });

    const v2 = await mofang(['publish', file('g2.json', replyGraph('CLI reply', '第二版提示词')), '--slug', 'cli-reply', '--note', 'v2', '--name', '命令行回复']);
    expect(JSON.parse(v2.stdout)).toEqual({ slug: 'cli-reply', version: 2 });

    const doc = await call(server.url, 'GET', '/v1/scenarios/cli-reply/openapi.json');
    expect(doc.json).toMatchObject({ info: { version: '2' } });

    const list = await mofang(['versions', 'cli-reply']);
    expect(list.code).toBe(0);
    const versions = VersionSummarySchema.array().parse(JSON.parse(list.stdout));
    expect(versions.map((v) => [v.version, v.live, v.note, v.created_by])).toEqual([
      [2, true, 'v2', 'cli'],
      [1, false, 'from CI', 'cli'],
    ]);

    const rb = await mofang(['rollback', 'cli-reply', '1']);
    expect(rb.code).toBe(0);
    expect(JSON.parse(rb.stdout)).toEqual({ slug: 'cli-reply', live_version: 1 });
    // The running server serves the rolled-back version on its very next request.
    expect((await call(server.url, 'GET', '/v1/scenarios/cli-reply/openapi.json')).json).toMatchObject({ info: { version: '1' } });

    // The scenario the CLI created is an ordinary scenario in the designer's list.
    const scenarios = await call(server.url, 'GET', '/api/scenarios?q=命令行');
    expect(scenarios.json).toMatchObject([{ name: '命令行回复' }]);
  });

  it('a scenario with a publish gate: refused without evaluating, published with --override-gate and the note recorded', async () => {
    const v1 = await mofang(['publish', file('gated1.json', replyGraph('CLI gated')), '--slug', 'cli-gated']);
    expect(v1.code, v1.stderr).toBe(0);
    const scenarioId = ((await call(server.url, 'GET', '/api/scenarios?q=CLI gated')).json as Array<{ id: string }>)[0]?.id;
    const set = await call(server.url, 'POST', `/api/scenarios/${scenarioId}/eval-sets`, { name: 'replies' });
    const setId = (set.json as { id: string }).id;
    await call(server.url, 'POST', `/api/eval-sets/${setId}/cases`, { cases: [{ inputs: { transcript: '客户：宽带断了' }, expected: { reply: '您好，马上为您报修' } }] });
    const gate = await call(server.url, 'PUT', `/api/scenarios/${scenarioId}/publish-gate`, { set_id: setId, metric: 'reply.similarity', min: 0.5 });
    expect(gate.status, gate.text).toBe(200);

    const refused = await mofang(['publish', file('gated2.json', replyGraph('CLI gated', '第二版')), '--slug', 'cli-gated']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/"cli-gated" has a publish gate \(reply\.similarity ≥ 0\.5 on the evaluation set "replies"\).*--override-gate/);
    const overridden = await mofang(['publish', path.join(dir, 'gated2.json'), '--slug', 'cli-gated', '--override-gate', '夜间热修复']);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(JSON.parse(overridden.stdout)).toEqual({ slug: 'cli-gated', version: 2, gate: 'overridden' });
    const versions = VersionSummarySchema.array().parse(JSON.parse((await mofang(['versions', 'cli-gated'])).stdout));
    expect(versions[0]?.gate).toMatchObject({ status: 'overridden', metric: 'reply.similarity', override_note: '夜间热修复' });
  });

  it('a graph that does not compile: problems as JSON on stderr, exit 1, nothing created', async () => {
    const r = await mofang(['publish', file('broken.json', brokenReplyGraph()), '--slug', 'cli-broken']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const problems = JSON.parse(r.stderr);
    expect(problems.ok).toBe(false);
    expect(problems.errors.map((e: { code: string }) => e.code)).toContain('edge_missing_node');
    expect((await mofang(['versions', 'cli-broken'])).stderr).toMatch(/no published scenario "cli-broken"/);
  });

  it('bad input is one clear line on stderr and exit 1', async () => {
    const good = file('good.json', replyGraph('Other'));
    const cases = [
      [['publish', good, '--slug', 'Bad Slug'], /not a valid slug/],
      [['publish', path.join(dir, 'missing.json'), '--slug', 'x-y'], /does not exist/],
      [['publish', file('notjson.json', 'nope'), '--slug', 'x-y'], /not valid JSON/],
      [['versions', 'no-such'], /no published scenario "no-such"/],
      [['rollback', 'cli-reply', '9'], /version 9 does not exist/],
      [['rollback', 'cli-reply', 'two'], /not a version number/],
      [['rollback', 'no-such', '1'], /no published scenario/],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => mofang([...args])));
    cases.forEach(([args, pattern], i) => {
      const r = results[i];
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    });
  });
});
