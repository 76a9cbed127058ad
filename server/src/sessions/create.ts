/**
 * A new session's checks and rows (./manager.ts `create`), and a session taken up from the store (a
 * server that starts, or one whose holder's lease ran out): the live session in memory from its row.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionAlert } from '@shared/alerts.js';
import type { Graph } from '@shared/graph.js';
import { isRecord } from '@shared/json.js';
import type { LiveConfirmation } from '@shared/live.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import type { ExecutionPlan } from '../engine/index.js';
import type { PublishedScenarios } from '../publish/registry.js';
import type { SessionLease } from '../storage/session-lease.js';
import { getCallSession, lastSessionEvent, sessionTurns, writeSessionStep, type CallSessionRow } from '../storage/sessions.js';
import type { DataStore } from '../storage/store.js';
import { LiveSession } from './live-session.js';
import type { SessionDeps } from './live-types.js';
import type { LiveSessions } from './ports.js';
import { reflectedTurns, turnOf } from './stored.js';

/** How long after its session ended a desk token still opens it, ms (a day). */
export const DESK_TOKEN_AFTER_END_MS = 86_400_000;

/** The SHA-256 of a desk token. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Whether `token` opens session `id`: its desk token, while the call is on and for a day after it ended (`now`, epoch ms), no longer. */
export async function deskTokenOpens(store: DataStore, id: string, token: string, now: number): Promise<boolean> {
  const row = await getCallSession(store, id);
  if (!row || (row.endedAt !== null && now - row.endedAt > DESK_TOKEN_AFTER_END_MS)) return false;
  const expected = Buffer.from(row.deskTokenHash, 'hex');
  const given = hashToken(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The start input a session's turns fill: the start node's first input of type transcript. */
export function transcriptInputOf(resolved: { plan: ExecutionPlan; graph: Graph }): string | undefined {
  const start = resolved.graph.nodes.find((n) => n.id === resolved.plan.startId);
  const inputs: unknown = start?.config.inputs;
  if (!Array.isArray(inputs)) return undefined;
  const found: unknown = inputs.find((i: unknown) => isRecord(i) && i.type === 'transcript');
  return isRecord(found) && typeof found.name === 'string' ? found.name : undefined;
}

/**
 * A new session in memory and its row (not stored yet), or a `DomainError`: unknown scenario or version
 * (`not_found`), a version that does not run (`conflict`), no transcript input (`unprocessable`),
 * invalid other inputs (`invalid`). `lease` names this server as its holder (several servers).
 */
export async function newSession(deps: SessionDeps, published: PublishedScenarios, input: Parameters<LiveSessions['create']>[0], lease: SessionLease | undefined): Promise<{ session: LiveSession; row: CallSessionRow; deskToken: string }> {
  const resolved = await published.resolve(input.slug, input.version);
  if ('error' in resolved) {
    if (resolved.error === 'unknown_version') throw new DomainError('not_found', 'unknown_version', `scenario "${input.slug}" has no version ${input.version}`);
    if (resolved.error === 'version_not_runnable') throw new DomainError('conflict', 'version_not_runnable', resolved.message);
    throw new DomainError('not_found', 'unknown_scenario', `no published scenario "${input.slug}"`);
  }
  const transcriptInput = transcriptInputOf(resolved);
  if (!transcriptInput) {
    throw new DomainError('unprocessable', 'no_transcript_input', `scenario "${input.slug}" has no input of type transcript for the call's turns to fill; add one to its start node`, { scenario: input.slug });
  }
  const inputs = input.inputs ?? {};
  if (transcriptInput in inputs) throw new DomainError('invalid', 'invalid_inputs', `"inputs.${transcriptInput}" is the transcript, which the session's turns make: leave it out`, { path: transcriptInput });
  const problems = resolved.plan.validateInputs({ ...inputs, [transcriptInput]: { turns: [] } });
  if (problems) {
    const first = problems[0];
    throw new DomainError('invalid', 'invalid_inputs', `invalid inputs at "${first?.path || '(root)'}": ${first?.message ?? 'invalid'}`, { problems });
  }
  const now = deps.now();
  const id = newId();
  const deskToken = randomBytes(24).toString('base64url');
  const meta = input.callId || input.meta ? { ...(input.meta ?? {}), ...(input.callId ? { call_id: input.callId } : {}) } : null;
  const fixed = { id, scenarioId: resolved.scenarioId, slug: resolved.slug, version: resolved.version, apiKeyId: input.apiKeyId, callId: input.callId ?? null, meta, inputs, createdAt: now };
  const session = new LiveSession(deps, resolved.plan, transcriptInput, fixed, { status: 'active', turns: [], outputs: null, alerts: [], updateCount: 0, nextEvent: 1, simulated: false, lastTurnAt: null, lastActivityAt: now, confirmation: null, metrics: null });
  const row: CallSessionRow = {
    ...fixed,
    status: 'active',
    turnCount: 0,
    updateCount: 0,
    nextEvent: 1,
    outputs: null,
    alerts: [],
    metrics: null,
    simulated: false,
    deskTokenHash: hashToken(deskToken).toString('hex'),
    lastTurnAt: null,
    lastActivityAt: now,
    endedAt: null,
    endReason: null,
    finalRunId: null,
    finalRun: null,
    confirmation: null,
    // The lease's end is set from the database's clock as the row is written (storage/session-writer.ts).
    owner: lease?.owner ?? null,
    leaseExpiresAt: lease ? now + lease.ms : null,
  };
  return { session, row, deskToken };
}

/**
 * A stored open session as a live one, with its turns and the turns its last stored update read; a
 * session whose scenario version no longer runs is ended as it is (no final run) and gives undefined.
 */
export async function takenUp(deps: SessionDeps, published: PublishedScenarios, row: CallSessionRow): Promise<LiveSession | undefined> {
  const { store } = deps;
  const resolved = await published.resolve(row.slug, row.version);
  const transcriptInput = 'error' in resolved ? undefined : transcriptInputOf(resolved);
  if ('error' in resolved || !transcriptInput) {
    await writeSessionStep(store, row.id, { patch: { status: 'ended', endedAt: deps.now(), endReason: row.endReason ?? 'ended' } });
    return undefined;
  }
  const turns = (await sessionTurns(store, row.id)).map(turnOf);
  const reflected = reflectedTurns((await lastSessionEvent(store, row.id, 'session.updated'))?.data);
  const fixed = { id: row.id, scenarioId: row.scenarioId, slug: row.slug, version: row.version, apiKeyId: row.apiKeyId, callId: row.callId, meta: isRecord(row.meta) ? row.meta : null, inputs: isRecord(row.inputs) ? row.inputs : {}, createdAt: row.createdAt };
  return new LiveSession(deps, resolved.plan, transcriptInput, fixed, {
    status: 'active',
    turns,
    outputs: isRecord(row.outputs) ? row.outputs : null,
    alerts: Array.isArray(row.alerts) ? (row.alerts as SessionAlert[]) : [],
    updateCount: row.updateCount,
    nextEvent: row.nextEvent,
    simulated: row.simulated,
    lastTurnAt: row.lastTurnAt,
    lastActivityAt: row.lastActivityAt,
    confirmation: (row.confirmation ?? null) as LiveConfirmation | null,
    metrics: row.metrics,
    reflected,
  });
}
