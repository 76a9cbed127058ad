/**
 * The live call session paths of the `/v1` OpenAPI documents: each scenario's `POST
 * /v1/scenarios/{slug}/sessions`, and the `/v1/sessions/{session_id}/…` paths every scenario shares.
 * Rendered from the zod schemas of `@shared/sessions.ts`, the shapes the routes answer with.
 */
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { SessionAlertEventSchema, SessionEndedEventSchema, SessionUpdatedEventSchema, V1SessionCreateBodySchema, V1SessionCreatedSchema, V1SessionEndedSchema, V1SessionEndingSchema, V1SessionSchema, V1SessionTurnsBodySchema, V1SessionTurnsReplySchema } from '@shared/sessions.js';
import { V1ErrorSchema } from '@shared/v1.js';
import { AUTH_ERRORS, errorResponses, NUL_NOTE } from './components.js';

/** Component schemas of the session paths, by name. */
export const SESSION_COMPONENTS = {
  SessionCreated: V1SessionCreatedSchema,
  Session: V1SessionSchema,
  SessionEnded: V1SessionEndedSchema,
  SessionEnding: V1SessionEndingSchema,
  SessionTurnsAccepted: V1SessionTurnsReplySchema,
  SessionUpdatedEvent: SessionUpdatedEventSchema,
  SessionAlertEvent: SessionAlertEventSchema,
  SessionEndedEvent: SessionEndedEventSchema,
};

const UNKNOWN_SESSION = { description: 'No such session, or one this key may not see: a key sees the sessions it created (one with the `runs:read` scope also reads, but never posts to or ends, every session of the scenarios it may call).', codes: ['unknown_session'] };
const sessionIdParams = z.object({ session_id: z.string().meta({ description: 'The id returned when the session was created.' }) });

/** `POST /v1/scenarios/{slug}/sessions` of one scenario. */
export function sessionCreateOperation(slug: string, name: string, operationId: string, version: z.ZodObject): ZodOpenApiOperationObject {
  return {
    operationId: `sessions_${operationId}`,
    summary: `Start a live call session of ${name}`,
    description:
      'Starts following a call while it happens: post its finalised turns to `/v1/sessions/{session_id}/turns` as the speech recogniser gives them, and follow `events_url` (server-sent events) for the outputs as they fill in, alerts, and the final run. `inputs` fills the scenario\'s start inputs other than the transcript (which the turns make). `desk_url` opens the agent desk of this session (its token opens this session only).',
    tags: [slug, 'sessions'],
    requestParams: { query: version },
    requestBody: { required: false, content: { 'application/json': { schema: V1SessionCreateBodySchema, example: { call_id: 'call-20261202-0001', meta: { agent: '1024', queue: 'broadband' } } } } },
    responses: {
      '201': { description: 'The session, active.', content: { 'application/json': { schema: V1SessionCreatedSchema } } },
      ...errorResponses(V1ErrorSchema, {
        '400': { description: `The body is not \`{ call_id?, meta?, inputs? }\`, an input fails the schema, or \`?version\` is not a number. ${NUL_NOTE}`, codes: ['invalid_body', 'invalid_inputs', 'invalid_version', 'invalid_json', 'nul_character'] },
        ...AUTH_ERRORS,
        '404': { description: "Unknown scenario or version (also for a scenario outside the key's scope).", codes: ['unknown_scenario', 'unknown_version'] },
        '409': { description: 'That version can no longer be run.', codes: ['version_not_runnable'] },
        '422': { description: 'The scenario has no input of type transcript for the turns to fill.', codes: ['no_transcript_input'] },
      }),
    },
  };
}

const SSE_EXAMPLE = [
  'id: 01sess:4\nevent: session.updated\ndata: {"session_id":"01sess","update":1,"turn_count":3,"last_turn_id":"t3","outputs":{"phone":"13800000000"},"changes":[{"path":"phone","kind":"filled","from":null,"to":"13800000000"}],"stats":{"latency_ms":820,"model_calls":1,"reused_calls":1,"turns":1,"simulated":false},"at":"2026-12-02T08:00:00.000Z"}\n\n',
  'id: 01sess:9\nevent: session.alert\ndata: {"session_id":"01sess","alert":{"id":"a1","rule_id":"r1","name":"客户要求升级投诉","severity":"critical","kind":"keyword","output":null,"value":"我要投诉","turn_id":"t7","at":"2026-12-02T08:01:10.000Z"}}\n\n',
].join('');

/** The session paths every scenario shares. */
export function sessionPaths(): ZodOpenApiPathsObject {
  const read = errorResponses(V1ErrorSchema, { ...AUTH_ERRORS, '404': UNKNOWN_SESSION });
  return {
    '/v1/sessions/{session_id}/turns': {
      post: {
        operationId: 'postSessionTurns',
        summary: 'Add finalised turns to a live session',
        description: `One or more turns, in call order. A turn is held once per \`id\` (a turn without one is numbered \`t<n>\` by its place in the call): posting it again counts as a duplicate. An update of the outputs follows on the event stream; turns that arrive while an update runs are taken in together by the next one.`,
        tags: ['sessions'],
        requestParams: { path: sessionIdParams },
        requestBody: { required: true, content: { 'application/json': { schema: V1SessionTurnsBodySchema, example: { turns: [{ id: 't3', role: 'customer', text: '我家宽带从昨晚开始就上不了网。', start: 12.4, end: 15.1 }] } } } },
        responses: {
          '202': { description: 'Held.', content: { 'application/json': { schema: V1SessionTurnsReplySchema } } },
          ...errorResponses(V1ErrorSchema, {
            '400': { description: `Not \`{ "turns": [ … ] }\` with 1–100 turns, each with a role and a text. ${NUL_NOTE}`, codes: ['invalid_body', 'invalid_json', 'nul_character'] },
            ...AUTH_ERRORS,
            '404': UNKNOWN_SESSION,
            '409': { description: 'The session has ended (or is ending): it takes no more turns.', codes: ['session_ended'] },
            '413': { description: 'The session would hold more turns than it may (5,000) or more text (1,000,000 characters over all turns), or the body is too large.', codes: ['too_many_turns', 'session_too_large', 'payload_too_large'] },
          }),
        },
      },
    },
    '/v1/sessions/{session_id}/events': {
      get: {
        operationId: 'sessionEvents',
        summary: 'Follow a live session (server-sent events)',
        description:
          'Every event of the session from its start (or after `Last-Event-ID`), then each new one: `session.updated` (the outputs on the transcript so far and what changed: fields filled, values changed), `session.alert` (an alert rule of the scenario matched), and last `session.ended` (with the final run), after which the stream closes. Event ids are `<session_id>:<n>`.',
        tags: ['sessions'],
        requestParams: {
          path: sessionIdParams,
          header: z.object({ 'Last-Event-ID': z.string().optional().meta({ description: 'The id of the last event received: the stream resumes after it (sent by a reconnecting EventSource).' }) }),
        },
        responses: {
          '200': { description: 'Server-sent events; each `data:` is one JSON event (`SessionUpdatedEvent`, `SessionAlertEvent`, `SessionEndedEvent`). A follower that leaves more than 4 MB unread is disconnected: reconnect with Last-Event-ID.', content: { 'text/event-stream': { schema: z.string(), example: SSE_EXAMPLE } } },
          '204': { description: 'The session has ended and nothing follows the Last-Event-ID sent (an EventSource stops reconnecting).' },
          ...errorResponses(V1ErrorSchema, { '400': { description: 'A Last-Event-ID that is not an event id of this session, or one it has not reached.', codes: ['invalid_last_event_id'] }, ...AUTH_ERRORS, '404': UNKNOWN_SESSION }),
        },
      },
    },
    '/v1/sessions/{session_id}': {
      get: {
        operationId: 'getSession',
        summary: 'A live session as it stands',
        tags: ['sessions'],
        requestParams: { path: sessionIdParams },
        responses: { '200': { description: 'The session, its latest outputs, alerts and metrics.', content: { 'application/json': { schema: V1SessionSchema } } }, ...read },
      },
    },
    '/v1/sessions/{session_id}/end': {
      post: {
        operationId: 'endSession',
        summary: 'End a live session: its final run on the whole call',
        description: 'Waits for the update in flight, then runs the scenario on the whole call, every node included (the final run is stored like any run: `GET /v1/runs/{run_id}`). Ending an ended session answers it again. A session with no turn for `idle_timeout_ms` (`MOFANG_SESSION_IDLE_TIMEOUT_MS`) ends by itself.',
        tags: ['sessions'],
        requestParams: { path: sessionIdParams },
        responses: {
          '200': { description: 'The session, ended, with its final run.', content: { 'application/json': { schema: V1SessionEndedSchema } } },
          '202': { description: 'Several servers: the session is still `ending` after the run deadline (its server died during the final run, which another server makes from the queue); `final_run` is null. Read it again with `GET /v1/sessions/{session_id}`, or follow its events.', content: { 'application/json': { schema: V1SessionEndingSchema } } },
          ...read,
        },
      },
    },
  };
}
