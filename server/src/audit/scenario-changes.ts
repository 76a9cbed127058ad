/**
 * The audit changes of scenarios (create, duplicate, import, edit, delete, publish, rollback, template
 * update), shared by the admin API and the CLI so both record the same entry for the same change. Each
 * carries an English summary and its values as `details`, from which the UI words it in zh-CN or en.
 */
import type { PublishGate, VersionGate } from '@shared/publish-gate.js';
import type { Scenario } from '@shared/api.js';
import type { AuditChange } from './record.js';
import { changedFieldList } from './record.js';

/** A scenario's published side as an audit entry digests it for a publish or a rollback (not its draft). */
export interface PublishedSide {
  id: string;
  name: string;
  slug: string | null;
  live_version: number | null;
}

/** {@link PublishedSide} of a scenario's stored publishing state (undefined when there is no such scenario). */
export function publishedSide(state: { id: string; name: string; slug: string | null; liveVersion: number | null } | undefined): PublishedSide | undefined {
  return state && { id: state.id, name: state.name, slug: state.slug, live_version: state.liveVersion };
}

function target(scenario: { id: string; name: string }): AuditChange['target'] {
  return { type: 'scenario', id: scenario.id, name: scenario.name };
}

/** A new scenario (blank, from a graph, or by the CLI's publish). */
export function scenarioCreatedChange(made: Scenario): AuditChange {
  const nodes = made.graph.nodes.length;
  return { action: 'scenario.create', target: target(made), after: made, summary: `${nodes} nodes`, details: { nodes } };
}

/** A new scenario made from a template's version. */
export function scenarioFromTemplateChange(made: Scenario, templateId: string, version: string | null): AuditChange {
  return { action: 'scenario.create', target: target(made), after: made, summary: `from template ${templateId}${version ? `@${version}` : ''}`, details: { template: templateId, version } };
}

/** A copy of the scenario `sourceId`. */
export function scenarioDuplicatedChange(copy: Scenario, sourceId: string): AuditChange {
  return { action: 'scenario.duplicate', target: target(copy), after: copy, summary: `copy of ${sourceId}`, details: { source: sourceId } };
}

/** A scenario imported from a scenario file or a bare graph. */
export function scenarioImportedChange(made: { id: string; name: string }, after: Scenario | undefined, from: 'scenario-file' | 'graph'): AuditChange {
  return { action: 'scenario.import', target: target(made), after: after ?? null, summary: `from a ${from === 'graph' ? 'graph' : 'scenario file'}`, details: { from } };
}

/** A saved draft: the new revision and the fields that changed. */
export function scenarioUpdatedChange(before: Scenario | undefined, after: Scenario): AuditChange {
  const fields = changedFieldList(before, after);
  return { action: 'scenario.update', target: target(after), before: before ?? null, after, summary: `revision ${after.revision}; ${fields === '' ? 'no field changed' : `changed: ${fields}`}`, details: { revision: after.revision, fields } };
}

/** A deleted scenario (its history stays in the log). */
export function scenarioDeletedChange(before: Scenario): AuditChange {
  return { action: 'scenario.delete', target: target(before), before, after: null, summary: `revision ${before.revision}`, details: { revision: before.revision } };
}

/** A publish: the new version, its slug, and which version was live before and after. */
export function scenarioPublishedChange(scenarioId: string, before: PublishedSide | undefined, reply: { version: number; slug: string; live_version: number; gate?: VersionGate }, note?: string): AuditChange {
  const from = before?.live_version ?? null;
  const shortNote = note ? note.slice(0, 200) : null;
  const gate = reply.gate;
  const gateText = gate ? `; gate ${gate.metric} ${gate.status}${gate.value === null ? '' : ` (${gate.value})`}${gate.override_note ? ` by ${gate.override_by ?? '?'}: ${gate.override_note.slice(0, 200)}` : ''}` : '';
  return {
    action: 'scenario.publish',
    target: { type: 'scenario', id: scenarioId, name: before?.name ?? null },
    before: from === null ? null : before,
    after: { ...before, slug: reply.slug, live_version: reply.live_version },
    summary: `version ${reply.version} as ${reply.slug} (live ${from ?? '–'} → ${reply.live_version})${shortNote ? `; note: ${shortNote}` : ''}${gateText}`,
    details: {
      version: reply.version,
      slug: reply.slug,
      live_from: from,
      live_to: reply.live_version,
      note: shortNote,
      ...(gate
        ? {
            gate: gate.status,
            gate_metric: gate.metric,
            gate_value: gate.value,
            gate_live_value: gate.live_value,
            gate_min: gate.min,
            gate_max_drop: gate.max_drop,
            gate_check: gate.check_status ?? null,
            override_note: gate.override_note ? gate.override_note.slice(0, 500) : null,
          }
        : {}),
    },
  };
}

/** A scenario's publish gate was set (or changed): what it requires. */
export function scenarioGateSetChange(scenarioId: string, name: string | null, before: PublishGate | null, after: PublishGate, setName: string | null): AuditChange {
  const bars = [after.min === null ? null : `≥ ${after.min}`, after.max_drop === null ? null : `drop ≤ ${after.max_drop}`].filter(Boolean).join(', ');
  return {
    action: 'scenario.gate_set',
    target: { type: 'scenario', id: scenarioId, name },
    before,
    after,
    summary: `${after.metric} on ${setName ?? after.set_id}: ${bars}`,
    details: { metric: after.metric, set_id: after.set_id, set_name: setName, min: after.min, max_drop: after.max_drop },
  };
}

/** A scenario's publish gate was removed. */
export function scenarioGateRemovedChange(scenarioId: string, name: string | null, before: PublishGate): AuditChange {
  return { action: 'scenario.gate_remove', target: { type: 'scenario', id: scenarioId, name }, before, after: null, summary: `${before.metric} gate removed`, details: { metric: before.metric, set_id: before.set_id } };
}

/** A rollback: which version was live before and after. */
export function scenarioRolledBackChange(scenarioId: string, before: PublishedSide | undefined, reply: { slug: string; live_version: number }): AuditChange {
  const from = before?.live_version ?? null;
  return {
    action: 'scenario.rollback',
    target: { type: 'scenario', id: scenarioId, name: before?.name ?? null },
    before,
    after: { ...before, live_version: reply.live_version },
    summary: `live ${from ?? '–'} → ${reply.live_version} (${reply.slug})`,
    details: { slug: reply.slug, live_from: from, live_to: reply.live_version },
  };
}

/** A draft rebased onto its template's latest version. */
export function scenarioTemplateUpdatedChange(before: Scenario | undefined, after: Scenario | undefined, fromVersion: string, toVersion: string): AuditChange {
  return {
    action: 'scenario.template_update',
    target: before ? target(before) : null,
    before: before ?? null,
    after: after ?? null,
    summary: `template ${fromVersion} → ${toVersion}`,
    details: { from: fromVersion, to: toVersion },
  };
}
