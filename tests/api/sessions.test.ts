/**
 * Live call sessions over real HTTP (issue 15): turns coalesced while an update runs, the node cache,
 * final-only nodes, resume with Last-Event-ID, the final run stored like any run, idle end, refusals.
 * The model is a scripted OpenAI-compatible endpoint that answers every call `ok` after `delayMs`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { V1SessionCreatedSchema, V1SessionEndedSchema, V1SessionSchema, V1SessionTurnsReplySchema } from '@shared/sessions.js';
import { startMockOpenAI, type MockOpenAI } from '../../server/src/model/mock-openai.testing.js';
import { echoGraph, parseSse } from './helpers.js';
import { startV1Harness, type V1Harness } from './v1-helpers.js';

const at = { x: 0, y: 0 };
/** `summary` reads the call; `greeting` reads nothing that changes (cached after the first update); `audit` is final-only. */
function liveGraph(): Graph {
  const llm = (id: string, user: string, extra = {}) => ({ id, kind: 'llm', version: 1, position: at, config: { system: '你是电信客服助手。', user }, ...extra });
  return {
    schema: GRAPH_FORMAT,
    name: 'live',
    nodes: [
      { id: 'start', kind: 'start', version: 1, position: at, config: { inputs: [{ name: 'transcript', type: 'transcript', required: true }] } },
      llm('summary', '{{ start.transcript.text }}'),
      llm('greeting', '给坐席一句开场提示。'),
      llm('audit', '质检：{{ start.transcript.text }}', { final_only: true }),
      {
        id: 'end',
        kind: 'end',
        version: 1,
        position: at,
        config: { outputs: [{ name: 'summary', value: '{{ summary.text }}', required: false }, { name: 'greeting', value: '{{ greeting.text }}', required: false }, { name: 'audit', value: '{{ audit.text }}', required: false }] },
      },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'summary', targetPort: 'in' },
      { id: 'e2', source: 'start', sourcePort: 'out', target: 'greeting', targetPort: 'in' },
      { id: 'e3', source: 'start', sourcePort: 'out', target: 'audit', targetPort: 'in' },
      { id: 'e4', source: 'summary', sourcePort: 'out', target: 'end', targetPort: 'in' },
      { id: 'e5', source: 'greeting', sourcePort: 'out', target: 'end', targetPort: 'in' },
      { id: 'e6', source: 'audit', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ],
  };
}

function okReplies(mock: MockOpenAI, n: number): void {
  for (let i = 0; i < n; i++) mock.replies.push({ id: `c${i}`, object: 'chat.completion', created: 1, model: 'qwen2.5-7b-instruct', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` passes (every 25 ms, at most `ms`). */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await sleep(25);
  }
}

describe('live call sessions', () => {
  let mock: MockOpenAI;
  let h: V1Harness;
  let key: string;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    h = await startV1Harness({ MOFANG_MODEL_BASE_URL: mock.url, MOFANG_MODEL: 'qwen2.5-7b-instruct', MOFANG_MODEL_STREAM: '0', MOFANG_HTTP_ALLOW: '127.0.0.1' });
    await h.publish('live-call', liveGraph());
    key = (await h.key()).key;
  });
  afterAll(async () => {
    await h.close();
    await mock.close();
  });

  const create = async (body: unknown = {}) => {
    const res = await h.v1('POST', '/v1/scenarios/live-call/sessions', key, body);
    expect(res.status, res.text).toBe(201);
    return V1SessionCreatedSchema.parse(res.json);
  };
  const turns = (id: string, list: unknown[], k = key) => h.v1('POST', `/v1/sessions/${id}/turns`, k, { turns: list });
  const events = async (id: string, lastEventId?: string) => {
    const res = await h.v1('GET', `/v1/sessions/${id}/events`, key, undefined, lastEventId ? { 'last-event-id': lastEventId } : {});
    return { status: res.status, list: parseSse(res.text) };
  };

  it('coalesces turns that arrive during an update, reuses unchanged nodes, and runs final-only nodes at the end alone', async () => {
    mock.requests.length = 0;
    mock.delayMs = 300;
    okReplies(mock, 20);
    const session = await create({ call_id: 'call-1', meta: { line: '10000' } });
    expect(session.desk_url).toContain(`/#/desk/${session.session_id}?token=`);
    expect(session.events_url).toMatch(/\/v1\/sessions\/.+\/events$/);
    expect((await turns(session.session_id, [{ id: 'a1', role: '坐席', text: '您好，请问有什么可以帮您？' }])).status).toBe(202);
    await sleep(60);
    // Two posts while the first update waits on the model: the next update takes both.
    await turns(session.session_id, [{ id: 'c1', role: 'customer', text: '我家宽带断了。' }]);
    await turns(session.session_id, [{ id: 'a2', role: 'agent', text: '请问您的联系电话？' }]);
    const after = await until(
      async () => V1SessionSchema.parse((await h.v1('GET', `/v1/sessions/${session.session_id}`, key)).json),
      (s) => s.metrics.updates >= 2,
    );
    expect(after.metrics.updates).toBe(2);
    expect(after.turn_count).toBe(3);
    // Update 1: summary + greeting sent; update 2: summary sent, greeting reused; audit never.
    expect(after.metrics.model_calls).toBe(3);
    expect(after.metrics.reused_calls).toBe(1);
    // Update 2 resent update 1's summary prompt as its start: what an endpoint's prefix cache reuses.
    expect(after.metrics.prompt_prefix_reuse).toBeGreaterThan(0.2);
    expect(after.outputs).toEqual({ summary: 'ok', greeting: 'ok', audit: null });
    expect(mock.requests.some((r) => JSON.stringify(r.messages).includes('质检'))).toBe(false);

    const ended = await h.v1('POST', `/v1/sessions/${session.session_id}/end`, key);
    expect(ended.status, ended.text).toBe(200);
    const body = V1SessionEndedSchema.parse(ended.json);
    expect(body.status).toBe('ended');
    expect(body.end_reason).toBe('ended');
    expect(body.final_run.status).toBe('succeeded');
    expect(body.final_run.outputs).toEqual({ summary: 'ok', greeting: 'ok', audit: 'ok' });
    // The final run on the same transcript: summary and greeting reused, only the audit sent.
    expect(mock.requests).toHaveLength(4);
    expect(body.metrics.model_calls).toBe(4);

    const stream = await events(session.session_id);
    const updates = stream.list.filter((e) => e.event === 'session.updated').map((e) => e.data as { update: number; stats: { turns: number; model_calls: number; reused_calls: number }; changes: Array<{ path: string; kind: string }> });
    expect(updates.map((u) => u.stats.turns)).toEqual([1, 2]);
    expect(updates[0].changes.map((c) => `${c.path}:${c.kind}`)).toEqual(['summary:filled', 'greeting:filled']);
    expect(updates[1].stats).toMatchObject({ model_calls: 1, reused_calls: 1 });
    expect(stream.list.map((e) => e.event)).toEqual(['session.updated', 'session.updated', 'session.ended']);
    // The v1 stream leaves out the desk's events (session.started is 0, the turns 1, 2, 3) but keeps the session's numbering.
    const seqs = stream.list.map((e) => Number(e.id?.slice(session.session_id.length + 1)));
    expect(stream.list.every((e) => e.id?.startsWith(`${session.session_id}:`))).toBe(true);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(seqs[seqs.length - 1]).toBe(6);

    // The final run is stored like any /v1 run: its trace reads back.
    const run = await until(() => h.v1('GET', `/v1/runs/${body.final_run.run_id}`, key), (r) => r.status === 200);
    expect(run.status, run.text).toBe(200);
    expect(run.json).toMatchObject({ status: 'succeeded', scenario: 'live-call', outputs: { audit: 'ok' } });
    mock.delayMs = 0;
  });

  it('resumes a stream after the Last-Event-ID it names, and follows live events', async () => {
    okReplies(mock, 20);
    const session = await create();
    const controller = new AbortController();
    const res = await fetch(`${h.server.url}/v1/sessions/${session.session_id}/events`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    await turns(session.session_id, [{ role: 'customer', text: '我要投诉。' }]);
    // Read the live stream until the first update, then drop it.
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('session.updated')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const seen = parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2));
    const last = seen[seen.length - 1];
    expect(last.event).toBe('session.updated');
    await turns(session.session_id, [{ role: 'agent', text: '非常抱歉，我马上为您登记。' }]);
    await h.v1('POST', `/v1/sessions/${session.session_id}/end`, key);
    const resumed = await events(session.session_id, last.id);
    expect(resumed.list.map((e) => e.event)).toEqual(['session.updated', 'session.ended']);
    expect((resumed.list[0].data as { update: number }).update).toBe(2);
    const bad = await events(session.session_id, 'someone-else:3');
    expect(bad.status).toBe(400);
  });

  it('holds a turn once per id; refuses what it cannot take with a clear error', async () => {
    okReplies(mock, 20);
    const session = await create();
    const first = V1SessionTurnsReplySchema.parse((await turns(session.session_id, [{ id: 7, role: 'agent', text: '您好' }])).json);
    expect(first).toMatchObject({ accepted: 1, duplicates: 0, turn_count: 1 });
    const again = V1SessionTurnsReplySchema.parse((await turns(session.session_id, [{ id: '7', role: 'agent', text: '您好' }, { role: 'customer', text: '你好' }])).json);
    expect(again).toMatchObject({ accepted: 1, duplicates: 1, turn_count: 2 });

    const empty = await turns(session.session_id, []);
    expect(empty.status).toBe(400);
    expect((empty.json as { error: { code: string } }).error.code).toBe('invalid_body');
    const noRole = await turns(session.session_id, [{ text: 'x' }]);
    expect(noRole.status).toBe(400);
    expect(noRole.text).toContain('turns.0.role');
    const stranger = await h.key({ name: 'other' });
    expect((await turns(session.session_id, [{ role: 'agent', text: 'x' }], stranger.key)).status).toBe(404);
    expect((await h.v1('GET', `/v1/sessions/${session.session_id}`, stranger.key)).status).toBe(404);
    expect((await turns('nope', [{ role: 'agent', text: 'x' }])).status).toBe(404);

    await h.v1('POST', `/v1/sessions/${session.session_id}/end`, key);
    const late = await turns(session.session_id, [{ role: 'agent', text: '还在吗？' }]);
    expect(late.status).toBe(409);
    expect((late.json as { error: { code: string } }).error.code).toBe('session_ended');
    // Ending twice answers the ended session again.
    expect((await h.v1('POST', `/v1/sessions/${session.session_id}/end`, key)).status).toBe(200);

    const unknownField = await h.v1('POST', '/v1/scenarios/live-call/sessions', key, { call: 'x' });
    expect(unknownField.status).toBe(400);
    const transcriptGiven = await h.v1('POST', '/v1/scenarios/live-call/sessions', key, { inputs: { transcript: 'x' } });
    expect(transcriptGiven.status).toBe(400);
    expect((await h.v1('POST', '/v1/scenarios/no-such/sessions', key, {})).status).toBe(404);
    expect((await h.v1('POST', '/v1/scenarios/live-call/sessions?version=9', key, {})).status).toBe(404);
    expect((await h.v1('POST', '/v1/scenarios/live-call/sessions', null, {})).status).toBe(401);
  });

  it('refuses a scenario whose start has no transcript input', async () => {
    const graph = echoGraph('plain');
    graph.nodes[0].config = { inputs: [{ name: 'question', type: 'string', required: true }] };
    graph.nodes[1].config = { system: 's', user: '{{ start.question }}' };
    await h.publish('plain-question', graph);
    const res = await h.v1('POST', '/v1/scenarios/plain-question/sessions', key, {});
    expect(res.status).toBe(422);
    expect((res.json as { error: { code: string } }).error.code).toBe('no_transcript_input');
  });
});

describe('a session idle past its timeout', () => {
  it('ends by itself with its final run', async () => {
    const h = await startV1Harness({ MOFANG_SESSION_IDLE_TIMEOUT_MS: '1000' });
    try {
      await h.publish('idle-call', echoGraph('idle'));
      const { key } = await h.key();
      const created = V1SessionCreatedSchema.parse((await h.v1('POST', '/v1/scenarios/idle-call/sessions', key, {})).json);
      expect(created.idle_timeout_ms).toBe(1000);
      await h.v1('POST', `/v1/sessions/${created.session_id}/turns`, key, { turns: [{ role: 'customer', text: '喂？' }] });
      const ended = await until(
        async () => V1SessionSchema.parse((await h.v1('GET', `/v1/sessions/${created.session_id}`, key)).json),
        (s) => s.status === 'ended',
        8_000,
      );
      expect(ended.status).toBe('ended');
      expect(ended.end_reason).toBe('idle');
      expect(ended.final_run_id).not.toBeNull();
      const stream = parseSse((await h.v1('GET', `/v1/sessions/${created.session_id}/events`, key)).text);
      expect(stream.at(-1)).toMatchObject({ event: 'session.ended', data: { reason: 'idle', final_run: { status: 'succeeded', simulated: true } } });
    } finally {
      await h.close();
    }
  });
});
