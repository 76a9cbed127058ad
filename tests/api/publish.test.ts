import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioSchema } from '@shared/api.js';
import { GraphDiffSchema, PublicationSchema, PublishReplySchema, VersionDetailSchema, VersionSummarySchema } from '@shared/publish.js';
import type { RunningServer } from '../../server/src/http/server.js';
import { brokenReplyGraph, replyGraph } from '../../server/src/publish/graphs.testing.js';
import { call, removeDir, startTestServer, tempDir } from './helpers.js';

let dir: string;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  dir = tempDir('mofang-publish-');
  server = await startTestServer(dir);
  base = server.url;
});
afterAll(async () => {
  await server.close();
  removeDir(dir);
});

async function create(name: string, graph = replyGraph(name)) {
  const r = await call(base, 'POST', '/api/scenarios', { name, graph });
  expect(r.status).toBe(201);
  return ScenarioSchema.parse(r.json);
}

async function save(id: string, graph: unknown) {
  const r = await call(base, 'PUT', `/api/scenarios/${id}`, { graph });
  expect(r.status).toBe(200);
}

describe('publishing over HTTP', () => {
  it('publishes v1 with a chosen slug, refuses an unchanged draft, publishes v2 after a change', async () => {
    const s = await create('Broadband Reply');
    const before = PublicationSchema.parse((await call(base, 'GET', `/api/scenarios/${s.id}/publication`)).json);
    expect(before).toMatchObject({ slug: null, live_version: null, latest_version: null, suggested_slug: 'broadband-reply', draft_changed: true });
    const first = await call(base, 'POST', `/api/scenarios/${s.id}/publish`, { slug: 'bb-reply', note: 'first', by: 'lead-wang' });
    expect(first.status).toBe(201);
    const v1 = PublishReplySchema.parse(first.json);
    expect(v1).toMatchObject({ slug: 'bb-reply', version: 1, live_version: 1 });
    expect(v1.plan_hash).toMatch(/^[0-9a-f]{64}$/);

    expect((await call(base, 'GET', `/api/scenarios/${s.id}/publication`)).json).toEqual({
      slug: 'bb-reply', live_version: 1, latest_version: 1, suggested_slug: null, draft_plan_hash: v1.plan_hash, draft_changed: false,
    });
    const again = await call(base, 'POST', `/api/scenarios/${s.id}/publish`, {});
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'no_changes', details: { live_version: 1 } } });

    // Moving nodes does not change the plan either.
    const moved = replyGraph('Broadband Reply');
    moved.nodes[1].position = { x: 999, y: 999 };
    await save(s.id, moved);
    expect((await call(base, 'POST', `/api/scenarios/${s.id}/publish`, {})).status).toBe(409);

    await save(s.id, replyGraph('Broadband Reply', '请简洁地回答。'));
    const slugChange = await call(base, 'POST', `/api/scenarios/${s.id}/publish`, { slug: 'other-slug' });
    expect(slugChange.status).toBe(409);
    expect(slugChange.json).toMatchObject({ error: { code: 'slug_immutable' } });
    const second = await call(base, 'POST', `/api/scenarios/${s.id}/publish`, { slug: 'bb-reply', note: 'shorter' });
    expect(second.status).toBe(201);
    expect(second.json).toMatchObject({ slug: 'bb-reply', version: 2, live_version: 2 });

    const list = await call(base, 'GET', `/api/scenarios/${s.id}/versions`);
    expect(list.status).toBe(200);
    const versions = VersionSummarySchema.array().parse(list.json);
    expect(versions.map((v) => [v.version, v.live, v.note, v.created_by])).toEqual([
      [2, true, 'shorter', 'admin'],
      // The signed-in user is the publisher, not a name typed in the body.
      [1, false, 'first', 'admin'],
    ]);

    const detail = await call(base, 'GET', `/api/scenarios/${s.id}/versions/1`);
    expect(VersionDetailSchema.parse(detail.json).graph.nodes[1].config.system).toBe('你是电信客服助手。');
    expect((await call(base, 'GET', `/api/scenarios/${s.id}/versions/9`)).json).toMatchObject({ error: { code: 'unknown_version' } });
    expect((await call(base, 'GET', `/api/scenarios/${s.id}/versions/abc`)).status).toBe(400);

    const rb = await call(base, 'POST', `/api/scenarios/${s.id}/rollback`, { version: 1 });
    expect(rb.status).toBe(200);
    expect(rb.json).toEqual({ slug: 'bb-reply', live_version: 1 });
    expect((await call(base, 'GET', `/api/scenarios/${s.id}/publication`)).json).toMatchObject({ live_version: 1, latest_version: 2, draft_changed: true });
    // The scenario list and detail say what is published, so the list can show it.
    expect((await call(base, 'GET', `/api/scenarios/${s.id}`)).json).toMatchObject({ slug: 'bb-reply', live_version: 1 });
    const rows = (await call(base, 'GET', '/api/scenarios')).json;
    expect(Array.isArray(rows) && rows.find((row: { id: string }) => row.id === s.id)).toMatchObject({ slug: 'bb-reply', live_version: 1 });
    const after = VersionSummarySchema.array().parse((await call(base, 'GET', `/api/scenarios/${s.id}/versions`)).json);
    expect(after.find((v) => v.live)?.version).toBe(1);
    // The draft still does what version 2 does: publishing it again makes no version 3.
    const republish = await call(base, 'POST', `/api/scenarios/${s.id}/publish`, {});
    expect(republish.status).toBe(409);
    expect(republish.json).toMatchObject({ error: { code: 'no_changes', details: { live_version: 1, same_as_version: 2 } } });
    expect(VersionSummarySchema.array().parse((await call(base, 'GET', `/api/scenarios/${s.id}/versions`)).json)).toHaveLength(2);

    expect((await call(base, 'POST', `/api/scenarios/${s.id}/rollback`, { version: 5 })).status).toBe(404);
    expect((await call(base, 'POST', `/api/scenarios/${s.id}/rollback`, { version: 'x' })).json).toMatchObject({ error: { code: 'invalid_body' } });
  });

  it('diffs two versions and a version against the draft', async () => {
    const s = await create('Diff Me');
    await call(base, 'POST', `/api/scenarios/${s.id}/publish`, {});
    await save(s.id, replyGraph('Diff Me', '第二版'));
    await call(base, 'POST', `/api/scenarios/${s.id}/publish`, {});
    const d = await call(base, 'GET', `/api/scenarios/${s.id}/diff?from=1&to=2`);
    expect(d.status).toBe(200);
    expect(GraphDiffSchema.parse(d.json).nodes.changed).toEqual([
      { id: 'llm_1', fields: [{ path: 'config.system', before: '你是电信客服助手。', after: '第二版' }] },
    ]);
    const draft = await call(base, 'GET', `/api/scenarios/${s.id}/diff?from=2&to=draft`);
    expect(draft.json).toEqual({ nodes: { added: [], removed: [], changed: [] }, edges: { added: [], removed: [] } });
    expect((await call(base, 'GET', `/api/scenarios/${s.id}/diff?from=1`)).status).toBe(200);
    expect((await call(base, 'GET', `/api/scenarios/${s.id}/diff?from=1&to=8`)).status).toBe(404);
    expect((await call(base, 'GET', `/api/scenarios/${s.id}/diff`)).json).toMatchObject({ error: { code: 'invalid_version' } });
  });

  it('derives slugs, refuses taken or malformed ones, and refuses a draft that does not compile', async () => {
    const a = await create('Work Order Fill 工单');
    expect((await call(base, 'POST', `/api/scenarios/${a.id}/publish`, {})).json).toMatchObject({ slug: 'work-order-fill' });
    const zh = await create('工单填写');
    const zhReply = PublishReplySchema.parse((await call(base, 'POST', `/api/scenarios/${zh.id}/publish`, {})).json);
    expect(zhReply.slug).toMatch(/^scenario-[a-z0-9]{8}$/);

    const b = await create('Another');
    const taken = await call(base, 'POST', `/api/scenarios/${b.id}/publish`, { slug: 'work-order-fill' });
    expect(taken.status).toBe(409);
    expect(taken.json).toMatchObject({ error: { code: 'slug_taken' } });
    for (const bad of ['A-upper', '-dash', 'x', 'has space', 'a'.repeat(64)]) {
      const r = await call(base, 'POST', `/api/scenarios/${b.id}/publish`, { slug: bad });
      expect(r.status, bad).toBe(400);
    }
    // Same name as a published one: the derived slug gets the id's prefix instead of failing.
    const twin = await create('Work Order Fill');
    expect(PublishReplySchema.parse((await call(base, 'POST', `/api/scenarios/${twin.id}/publish`, {})).json).slug).toMatch(/^work-order-fill-[a-z0-9]{8}$/);

    const broken = await create('Broken', brokenReplyGraph());
    const r = await call(base, 'POST', `/api/scenarios/${broken.id}/publish`, { slug: 'broken' });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ error: { code: 'compile_failed', details: { errors: expect.arrayContaining([expect.objectContaining({ code: 'edge_missing_node' })]) } } });
    expect(VersionSummarySchema.array().parse((await call(base, 'GET', `/api/scenarios/${broken.id}/versions`)).json)).toEqual([]);
    expect((await call(base, 'GET', `/api/scenarios/${broken.id}/publication`)).json).toMatchObject({ slug: null, draft_plan_hash: null, draft_changed: null });
    expect((await call(base, 'GET', '/api/scenarios/nope/publication')).status).toBe(404);
    // The failed publish did not reserve the slug.
    expect((await call(base, 'POST', `/api/scenarios/${b.id}/publish`, { slug: 'broken' })).status).toBe(201);

    expect((await call(base, 'POST', '/api/scenarios/nope/publish', {})).status).toBe(404);
    expect((await call(base, 'GET', '/api/scenarios/nope/versions')).status).toBe(404);
    expect((await call(base, 'POST', `/api/scenarios/${b.id}/publish`, '{bad json')).json).toMatchObject({ error: { code: 'invalid_json' } });
  });
});
