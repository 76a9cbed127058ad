import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKeySchema, CreatedKeySchema } from '@shared/keys.js';
import { z } from 'zod';
import { mofang as runMofang } from './cli-helpers.js';
import { echoGraph, SIM_ENV } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const inputs = { transcript: '坐席：您好\n客户：宽带断了' };
let h: V1Harness;

/** Runs `mofang …` in-process against the harness's data directory. */
function mofang(args: string[]) {
  return runMofang(args, { ...SIM_ENV, MOFANG_DATA_DIR: h.dir });
}

beforeAll(async () => {
  h = await startV1Harness();
  await h.publish('echo', echoGraph());
});
afterAll(async () => {
  await h?.close();
});

describe('admin key API', () => {
  it('creates a key shown once, lists keys without secrets or hashes, revokes by id', async () => {
    const res = await h.v1('POST', '/api/keys', null, { name: 'crm', scenarios: ['echo'], rate_limit: 120 });
    expect(res.status).toBe(201);
    const created = CreatedKeySchema.parse(res.json);
    expect(created.key).toMatch(/^mf_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'crm', scenarios: ['echo'], rate_limit: 120, prefix: created.key.slice(0, 8), revoked_at: null });
    const list = await h.v1('GET', '/api/keys', null);
    expect(list.text).not.toContain(created.key);
    expect(list.text).not.toContain('hash');
    const listed = z.array(ApiKeySchema.strict()).parse(list.json);
    expect(listed.find((k) => k.id === created.id)).toMatchObject({ prefix: created.prefix });
    expect((await h.v1('POST', '/v1/scenarios/echo/run', created.key, { inputs })).status).toBe(200);
    const revoked = await h.v1('POST', `/api/keys/${created.id}/revoke`, null);
    expect(ApiKeySchema.parse(revoked.json).revoked_at).not.toBeNull();
    expect((await h.v1('POST', '/v1/scenarios/echo/run', created.key, { inputs })).status).toBe(401);
    expect((await h.v1('POST', '/api/keys/nope/revoke', null)).status).toBe(404);
  });

  it('refuses a bad create body with 400', async () => {
    const res = await h.v1('POST', '/api/keys', null, { name: '', rate_limit: -1 });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'invalid_body' } });
  });
});

describe('mofang keys', () => {
  it('creates, lists and revokes keys in the store a running server uses; a revoke applies within ~1 s', async () => {
    const create = await mofang(['keys', 'create', '--name', 'ci', '--scenarios', 'echo,other', '--rate-limit', '600']);
    expect(create.stderr).toBe('');
    expect(create.code).toBe(0);
    const created = CreatedKeySchema.parse(JSON.parse(create.stdout));
    expect(created).toMatchObject({ name: 'ci', scenarios: ['echo', 'other'], rate_limit: 600 });
    expect((await h.v1('POST', '/v1/scenarios/echo/run', created.key, { inputs })).status).toBe(200);

    const list = await mofang(['keys', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(created.key);
    expect(z.array(ApiKeySchema).parse(JSON.parse(list.stdout)).map((k) => k.id)).toContain(created.id);

    const revoke = await mofang(['keys', 'revoke', created.prefix]);
    expect(revoke.code).toBe(0);
    expect(ApiKeySchema.parse(JSON.parse(revoke.stdout)).revoked_at).not.toBeNull();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await h.v1('POST', '/v1/scenarios/echo/run', created.key, { inputs })).status).toBe(401);

    const reporting = await mofang(['keys', 'create', '--name', 'reports', '--scope', 'runs:read']);
    expect(reporting.code).toBe(0);
    expect(CreatedKeySchema.parse(JSON.parse(reporting.stdout)).scopes).toEqual(['runs:read']);
    const badScope = await mofang(['keys', 'create', '--name', 'bad', '--scope', 'runs:write']);
    expect(badScope.code).toBe(1);
    expect(badScope.stderr).toMatch(/scopes.*runs:read/);

    const missing = await mofang(['keys', 'revoke', 'mf_nothing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no key with id or prefix/);
  });
});

describe('keys and logs', () => {
  it('never writes a key to the server log, whatever the request', async () => {
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))));
    let key = '';
    try {
      ({ key } = await h.key({ name: 'logs' }));
      await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs });
      await h.v1('POST', '/v1/scenarios/echo/run', key, '{broken');
      await h.v1('POST', '/v1/scenarios/echo/run', key, { inputs: { transcript: 1 } });
      await h.v1('POST', '/v1/scenarios/nope/run', key, { inputs });
      await h.v1('GET', '/v1/runs/none', key);
      await h.v1('POST', `/v1/scenarios/${key}/run`, key, { inputs });
      await h.v1('POST', '/v1/scenarios/echo/run', `${key}x`, { inputs });
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      out.mockRestore();
      err.mockRestore();
      for (const s of spies) s.mockRestore();
    }
    expect(key).toMatch(/^mf_/);
    expect(lines.join('\n')).not.toContain(key.slice(8));
  });
});
