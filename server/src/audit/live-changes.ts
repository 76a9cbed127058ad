/**
 * The audit change of the agent desk: a live call session's outputs confirmed (or corrected). The entry
 * names the session and which outputs the agent changed, never their values (they hold the customer's words).
 */
import type { AuditChange } from './record.js';

/** What a desk confirmation did. */
export interface LiveConfirmFacts {
  session: { id: string; slug: string; scenarioId: string };
  /** The outputs whose confirmed value differs from the model's. */
  changed: string[];
  /** Whether it replaced an earlier confirmation. */
  replaced: boolean;
  /** The evaluation case it wrote, if any. */
  case: { set_id: string; case_id: string; revision: number } | null;
}

/** A session's outputs were confirmed on the desk. */
export function liveConfirmChange(facts: LiveConfirmFacts): AuditChange {
  const { session, changed } = facts;
  return {
    action: 'live.confirm',
    target: { type: 'call_session', id: session.id, name: `${session.slug} ${session.id}` },
    after: { corrected: changed.length > 0, changed, case_id: facts.case?.case_id ?? null },
    summary: `${changed.length > 0 ? `corrected: ${changed.join(', ')}` : 'confirmed'}${facts.replaced ? ' (again)' : ''}`,
    details: { corrected: changed.length > 0, changed: changed.join(' '), scenario_id: session.scenarioId, set_id: facts.case?.set_id ?? null, case_id: facts.case?.case_id ?? null, revision: facts.case?.revision ?? null, replaced: facts.replaced },
  };
}
