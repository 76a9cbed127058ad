/**
 * The live pages' API over real HTTP (issue 15): the board's list and stream, a session's detail masked
 * for readers without pii:read, the desk token's reach (its one session, unmasked, no cookie, same-origin
 * writes only), a confirmation written as a case of the review set (corrected, then replaced), and the
 * session stream resumed with Last-Event-ID. Sessions are made through /v1 with an API key; the model is
 * the zero-latency simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveSessionDetailSchema, LiveSessionListSchema } from '@shared/live.js';
import { V1SessionCreatedSchema, type V1SessionCreated } from '@shared/sessions.js';
import { EvalSetDetailSchema } from '@shared/evaluation.js';
import { authHeaders, call, echoGraph, parseSse, signInAs, type TestSession } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const PHONE = '13912345678';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live pages API', () => {
  let h: V1Harness;
  let key: string;
  let scenarioId: string;
  let designer: TestSession;
  let inspector: TestSession;
  let viewer: TestSession;

  beforeAll(async () => {
    h = await startV1Harness();
    scenarioId = (await h.publish('live-echo', echoGraph('live-echo'))).scenarioId;
    key = (await h.key()).key;
    designer = await signInAs(h.server.url, 'designer');
    inspector = await signInAs(h.server.url, 'inspector');
    viewer = await signInAs(h.server.url, 'viewer');
  });
  afterAll(async () => {
    await h?.close();
  });

  const api = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}, as?: TestSession | null) => call(h.server.url, method, url, body, headers, as === undefined ? {} : { as });
  const asDesk = (token: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => call(h.server.url, method, url, body, { authorization: `Bearer ${token}`, ...headers }, { as: null });
  const tokenOf = (s: V1SessionCreated) => new URL(s.desk_url).hash.split('token=')[1] ?? '';

  /** A session with one customer turn holding a phone number, once its first update is in. */
  async function liveCall(callId: string): Promise<V1SessionCreated> {
    const res = await h.v1('POST', '/v1/scenarios/live-echo/sessions', key, { call_id: callId });
    expect(res.status, res.text).toBe(201);
    const session = V1SessionCreatedSchema.parse(res.json);
    expect((await h.v1('POST', `/v1/sessions/${session.session_id}/turns`, key, { turns: [{ id: 'c1', role: 'customer', text: `宽带断了，我的电话是${PHONE}` }] })).status).toBe(202);
    for (let i = 0; i < 200; i++) {
      const detail = LiveSessionDetailSchema.parse((await api('GET', `/api/live/sessions/${session.session_id}`)).json);
      if (detail.outputs !== null) return session;
      await sleep(25);
    }
    throw new Error('no update arrived');
  }

  it('lists active sessions for live:read, masking customers’ data without pii:read, and refuses viewers', async () => {
    const s = await liveCall(PHONE);
    const plain = LiveSessionListSchema.parse((await api('GET', '/api/live/sessions', undefined, {}, inspector)).json);
    const row = plain.sessions.find((x) => x.session_id === s.session_id);
    expect(row).toMatchObject({ scenario_id: scenarioId, scenario_name: 'live-echo', slug: 'live-echo', call_id: PHONE, status: 'active', turn_count: 1, simulated: true });
    expect(plain.counts.active).toBeGreaterThanOrEqual(1);
    const masked = LiveSessionListSchema.parse((await api('GET', `/api/live/sessions?scenario=${scenarioId}&status=all`, undefined, {}, designer)).json);
    expect(masked.sessions.find((x) => x.session_id === s.session_id)?.call_id).toBe('139****5678');
    expect((await api('GET', '/api/live/sessions?scenario=nope')).json).toMatchObject({ sessions: [] });
    expect((await api('GET', '/api/live/sessions', undefined, {}, viewer)).status).toBe(403);
    expect((await api('GET', '/api/live/sessions?status=open')).status).toBe(400);
    expect((await api('GET', '/api/live/sessions?limit=3')).json).toMatchObject({ error: { code: 'invalid_query_param' } });
  });

  it('shows a session’s detail masked without pii:read, and whole to pii:read and to its desk token (with no cookie)', async () => {
    const s = await liveCall('call-detail');
    const url = `/api/live/sessions/${s.session_id}`;
    const forDesigner = LiveSessionDetailSchema.parse((await api('GET', url, undefined, {}, designer)).json);
    expect(forDesigner.turns[0]?.text).toBe('宽带断了，我的电话是139****5678');
    expect(JSON.stringify(forDesigner)).not.toContain(PHONE);
    const forInspector = LiveSessionDetailSchema.parse((await api('GET', url, undefined, {}, inspector)).json);
    expect(forInspector.turns[0]?.text).toContain(PHONE);
    expect(forInspector.views.map((v) => v.name)).toEqual(['reply']);
    const forDesk = await asDesk(tokenOf(s), 'GET', url);
    expect(forDesk.status, forDesk.text).toBe(200);
    expect(LiveSessionDetailSchema.parse(forDesk.json).turns[0]?.text).toContain(PHONE);
    expect((await api('GET', url, undefined, {}, null)).status).toBe(401);
    expect((await api('GET', '/api/live/sessions/no-such-session')).json).toMatchObject({ error: { code: 'unknown_session' } });
  });

  it('keeps a desk token to its own session: not another session, not the board', async () => {
    const a = await liveCall('call-a');
    const b = await liveCall('call-b');
    for (const path of [`/api/live/sessions/${b.session_id}`, `/api/live/sessions/${b.session_id}/events`]) {
      const res = await asDesk(tokenOf(a), 'GET', path);
      expect(res.status, path).toBe(401);
      expect(res.json).toMatchObject({ error: { code: 'invalid_desk_token' } });
    }
    expect((await asDesk(tokenOf(a), 'POST', `/api/live/sessions/${b.session_id}/confirm`, {})).status).toBe(401);
    expect((await asDesk(tokenOf(a), 'GET', '/api/live/sessions')).status).toBe(401);
    expect((await asDesk(tokenOf(a), 'GET', '/api/live/events')).status).toBe(401);
    expect((await asDesk('not-a-token', 'GET', `/api/live/sessions/${a.session_id}`)).status).toBe(401);
    // The desk page's own write (same origin, no cookie) passes the front door; another site's does not.
    const origin = h.server.url;
    expect((await asDesk(tokenOf(a), 'POST', `/api/live/sessions/${a.session_id}/confirm`, {}, { origin, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    const crossSite = await asDesk(tokenOf(a), 'POST', `/api/live/sessions/${a.session_id}/confirm`, {}, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json).toMatchObject({ error: { code: 'cross_site_request' } });
  });

  it('writes a confirmation as a case of the review set (corrected when a value changed), a second replacing the first; audited without values', async () => {
    const s = await liveCall('call-confirm');
    const url = `/api/live/sessions/${s.session_id}/confirm`;
    // Without review rules or sets the confirmation is stored, no case is written.
    const plainConfirm = LiveSessionDetailSchema.parse((await asDesk(tokenOf(s), 'POST', url, {})).json);
    expect(plainConfirm.confirmation).toMatchObject({ corrected: false, case: null });
    expect((await api('PUT', `/api/scenarios/${scenarioId}/review-rules`, { rules: [] })).status).toBe(200);

    const edited = await asDesk(tokenOf(s), 'POST', url, { outputs: { reply: '已登记宽带报修' }, note: '客户确认' });
    expect(edited.status, edited.text).toBe(200);
    const first = LiveSessionDetailSchema.parse(edited.json).confirmation;
    expect(first).toMatchObject({ corrected: true, by: 'desk:call-confirm', outputs: { reply: '已登记宽带报修' }, note: '客户确认' });
    expect(first?.case?.case_id).toBe(`live-${s.session_id}`);
    const set = EvalSetDetailSchema.parse((await api('GET', `/api/eval-sets/${first?.case?.set_id}`)).json);
    expect(set.name).toBe('人工复核');
    const written = set.case_list.find((c) => c.id === `live-${s.session_id}`);
    expect(written?.expected).toEqual({ reply: '已登记宽带报修' });
    expect(written?.source).toMatchObject({ kind: 'live', session_id: s.session_id });
    expect(JSON.stringify(written?.inputs)).toContain(PHONE);

    // A second confirmation (by a signed-in inspector, no edit) replaces the first as a new revision.
    const again = LiveSessionDetailSchema.parse((await api('POST', url, {}, {}, inspector)).json);
    expect(again.confirmation).toMatchObject({ corrected: false, by: inspector.user.name });
    expect(again.confirmation?.case?.revision).toBeGreaterThan(first?.case?.revision ?? 0);
    const after = EvalSetDetailSchema.parse((await api('GET', `/api/eval-sets/${first?.case?.set_id}`)).json);
    expect(after.case_list.filter((c) => c.id === `live-${s.session_id}`)).toHaveLength(1);
    expect(after.case_list.find((c) => c.id === `live-${s.session_id}`)?.expected.reply).toBe(again.outputs?.reply);

    // Edits by a reader who sees masked values are refused; unknown outputs too.
    expect((await api('POST', url, { outputs: { reply: 'x' } }, {}, designer)).json).toMatchObject({ error: { code: 'pii_read_required' } });
    expect((await api('POST', url, { outputs: { nope: 1 } })).json).toMatchObject({ error: { code: 'unknown_output' } });
    expect((await api('POST', url, {}, {}, viewer)).status).toBe(403);

    const audit = await api('GET', '/api/audit?action=live.confirm');
    const entries = (audit.json as { entries: Array<{ target_id: string; actor_type: string; summary: string }> }).entries.filter((e) => e.target_id === s.session_id);
    expect(entries.map((e) => e.actor_type).sort()).toEqual(['api_key', 'api_key', 'user']);
    expect(entries.map((e) => e.summary)).toContain('corrected: reply (again)');
    expect(JSON.stringify(entries)).not.toContain('已登记宽带报修');
  });

  it('names form fields and outputs by their labels in the graph (the key where there is none), to the desk as to the board’s readers', async () => {
    const graph = echoGraph('live-form');
    const at = { x: 0, y: 0 };
    graph.nodes = [
      graph.nodes[0]!,
      { id: 'form', kind: 'extract', version: 1, position: at, config: { fields: [{ name: 'name', label: '客户姓名' }, { name: 'phone', label: '联系电话' }, { name: 'remark' }] } },
      { id: 'end', kind: 'end', version: 1, position: at, config: { outputs: [{ name: 'work_order', type: 'object', value: '{{ form.form }}' }, { name: 'phone', value: '{{ form.form.phone }}' }, { name: 'missing', value: '{{ form.missing }}' }] } },
    ];
    graph.edges = [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'form', targetPort: 'in' },
      { id: 'e2', source: 'form', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ];
    await h.publish('live-form', graph);
    const created = V1SessionCreatedSchema.parse((await h.v1('POST', '/v1/scenarios/live-form/sessions', key, { call_id: 'call-labels' })).json);
    expect((await h.v1('POST', `/v1/sessions/${created.session_id}/turns`, key, { turns: [{ id: 'c1', role: 'customer', text: `我叫张三，电话${PHONE}` }] })).status).toBe(202);
    const url = `/api/live/sessions/${created.session_id}`;
    let views = LiveSessionDetailSchema.parse((await asDesk(tokenOf(created), 'GET', url)).json).views;
    for (let i = 0; i < 200 && views.every((v) => v.value === null); i++) {
      await sleep(25);
      views = LiveSessionDetailSchema.parse((await asDesk(tokenOf(created), 'GET', url)).json).views;
    }
    const form = views.find((v) => v.name === 'work_order');
    expect(form).toMatchObject({ kind: 'form', field_labels: { name: '客户姓名', phone: '联系电话' } });
    expect(Object.keys(form?.value as object)).toContain('remark');
    expect(form?.field_labels).not.toHaveProperty('remark');
    expect(views.find((v) => v.name === 'phone')?.label).toBe('联系电话');
    expect(views.find((v) => v.name === 'missing')?.label).toBeUndefined();
    // A reader without pii:read sees the same names (only values are masked).
    const masked = LiveSessionDetailSchema.parse((await api('GET', url, undefined, {}, designer)).json).views;
    expect(masked.find((v) => v.name === 'work_order')?.field_labels).toEqual(form?.field_labels);
  });

  it('streams a session’s events (ids <session>:<seq>), resumes after Last-Event-ID and closes after session.ended', async () => {
    const s = await liveCall('call-stream');
    const ended = await h.v1('POST', `/v1/sessions/${s.session_id}/end`, key, {});
    expect(ended.status, ended.text).toBe(200);
    const url = `/api/live/sessions/${s.session_id}/events`;
    const all = parseSse((await asDesk(tokenOf(s), 'GET', url)).text);
    expect(all.map((e) => e.event)).toEqual(expect.arrayContaining(['session.turns', 'session.updated', 'session.ended']));
    expect(all.at(-1)?.event).toBe('session.ended');
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => `${s.session_id}:${Number(all[0]?.id?.split(':')[1]) + i}`));
    const second = all[1]?.id ?? '';
    const resumed = parseSse((await asDesk(tokenOf(s), 'GET', url, undefined, { 'last-event-id': second })).text);
    expect(resumed.map((e) => e.id)).toEqual(all.slice(2).map((e) => e.id));
    // Masked for a reader without pii:read: the turn's phone number.
    const masked = (await api('GET', url, undefined, {}, designer)).text;
    expect(masked).toContain('139****5678');
    expect(masked).not.toContain(PHONE);
  });

  it('streams the board: a new session started and updated, as summaries', async () => {
    const controller = new AbortController();
    const res = await fetch(`${h.server.url}/api/live/events`, { headers: authHeaders(h.server.url), signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body?.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const s = await liveCall('call-board');
    const deadline = Date.now() + 5000;
    while (reader && Date.now() < deadline && !(text.includes('session.updated') && text.includes(s.session_id))) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    controller.abort();
    const events = parseSse(text).filter((e) => (e.data as { session_id?: string }).session_id === s.session_id);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['session.started', 'session.updated']));
    expect(events.find((e) => e.event === 'session.updated')?.data).toMatchObject({ session_id: s.session_id, scenario_name: 'live-echo', call_id: 'call-board', status: 'active' });
  });
});
