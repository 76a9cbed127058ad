/**
 * Which posted turns are new for a session, and the session's size limits: the same check whether the
 * session is held on this server (./manager.ts) or its turns are passed on to the server holding it
 * (./cluster.ts), which checks again when it takes them in.
 */
import { MAX_SESSION_TEXT, MAX_SESSION_TURNS, type SessionTurn, type SessionTurnInput } from '@shared/sessions.js';
import { normaliseRole } from '@shared/transcript.js';
import { DomainError } from '../common/domain-error.js';

/** What the check needs of a session: its turn count, its text length and whether it holds a turn id. */
export interface HeldTurns {
  count: number;
  textLength: number;
  has(turnId: string): boolean;
}

/**
 * The posted turns that are new (ids not held, nor twice in the post), numbered after the held ones; a
 * turn without an id is new by definition and takes the next free `t<seq>` name. Throws `too_large`
 * (`too_many_turns`, `session_too_large`) when they would pass the session's limits.
 */
export function freshTurns(held: HeldTurns, turns: readonly SessionTurnInput[]): { fresh: SessionTurn[]; freshInputs: SessionTurnInput[]; duplicates: number } {
  const fresh: SessionTurn[] = [];
  const freshInputs: SessionTurnInput[] = [];
  const inPost = new Set<string>();
  let duplicates = 0;
  let seq = held.count;
  for (const t of turns) {
    let turnId = t.id === undefined ? `t${seq + 1}` : String(t.id);
    // A turn without an id is new by definition: its number never makes it a duplicate of a turn sent
    // with that id (it would be dropped unseen), so it takes the next free name.
    for (let k = 2; t.id === undefined && (held.has(turnId) || inPost.has(turnId)); k++) turnId = `t${seq + 1}-${k}`;
    if (held.has(turnId) || inPost.has(turnId)) {
      duplicates++;
      continue;
    }
    inPost.add(turnId);
    seq++;
    freshInputs.push(t);
    fresh.push({ id: turnId, role: normaliseRole(t.role), text: t.text, ...(t.start !== undefined ? { start: t.start } : {}), ...(t.end !== undefined ? { end: t.end } : {}), seq });
  }
  if (held.count + fresh.length > MAX_SESSION_TURNS) {
    throw new DomainError('too_large', 'too_many_turns', `a session holds at most ${MAX_SESSION_TURNS} turns; this one has ${held.count} and the request adds ${fresh.length}: end it and start another`, { limit: MAX_SESSION_TURNS });
  }
  const added = fresh.reduce((sum, t) => sum + t.text.length, 0);
  if (held.textLength + added > MAX_SESSION_TEXT) {
    throw new DomainError('too_large', 'session_too_large', `a session holds at most ${MAX_SESSION_TEXT} characters of turns; this one has ${held.textLength} and the request adds ${added}: end it and start another`, { limit: MAX_SESSION_TEXT });
  }
  return { fresh, freshInputs, duplicates };
}
