/**
 * A scenario's live alert settings as a domain service (no HTTP here): its rules checked against the
 * end outputs of its live version (the draft's before the first publish), rule ids made when absent
 * (`r1`, `r2`, … never reused), the board's risk output, the webhook and its signing secret. The secret
 * is made (`whsec_` + base64 of 24 random bytes, as Standard Webhooks libraries take it) when a webhook
 * is first set or on `rotate_secret`, shown once in that reply, and stored sealed (AES-256-GCM, the key
 * model endpoint keys are sealed with). Refusals are {@link DomainError}s.
 */
import { randomBytes } from 'node:crypto';
import { AlertRuleSchema, AlertSettingsBodySchema, type AlertOutputInfo, type AlertSettings, type AlertSettingsBody } from '@shared/alerts.js';
import { describeSchemaType, resolvePath, withoutNull, type JsonSchema } from '@shared/json-schema.js';
import { DomainError } from '../common/domain-error.js';
import type { PublishedScenarios } from '../publish/registry.js';
import { scenarioOutputs, type ScenarioOutputs } from '../review/end-outputs.js';
import { formFieldLabels, graphLabels, NO_LABELS, type GraphLabels } from '../review/labels.js';
import { holdsRedLine, type EndOutput } from '../review/rules.js';
import type { DataStore } from '../storage/store.js';
import { getAlertSettings, putAlertSettings, type AlertSettingsRow } from '../storage/alert-settings.js';
import { pathSteps, type StoredAlertRule } from './alert-rules.js';

/** Seals and opens stored secrets (the server's `SecretBox`, server/src/endpoints/secret-box.ts). */
export interface SecretSealer {
  seal(plain: string, context: string): string;
  /** Throws when the value was sealed with another key or context. */
  open(sealed: string, context: string): string;
}

/** What checking and delivery read of a scenario's settings. */
export interface AlertConfig {
  rules: StoredAlertRule[];
  riskOutput: string | null;
  webhookUrl: string | null;
  /** The sealed secret as stored (opened at delivery); null: none. */
  sealedSecret: string | null;
}

/** The context a scenario's webhook secret is sealed with (a sealed value copied to another row does not open). */
export const secretContext = (scenarioId: string) => `alert_webhook:${scenarioId}`;

/** A new signing secret: `whsec_` + base64 of 24 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

function refuse(code: string, message: string, details: Record<string, unknown>): never {
  throw new DomainError('invalid', code, message, details);
}

function typeOf(schema: JsonSchema): string | undefined {
  const plain = withoutNull(schema);
  return Array.isArray(plain.type) ? plain.type.find((t) => t !== 'null') : plain.type;
}

/** A path's label: an output's own, or a field's of the form it is in (`work_order.phone` → 联系电话). */
function pathLabel(labels: GraphLabels, path: string): string | undefined {
  const [output = '', field, ...rest] = pathSteps(path);
  if (field === undefined) return labels.outputs.get(output)?.label;
  return rest.length === 0 ? formFieldLabels(labels, output, [field])[field] : undefined;
}

/** The outputs and (one or two levels of) object fields a rule may name, with their labels where the graph has them. */
export function alertOutputs(outputs: EndOutput[], labels: GraphLabels = NO_LABELS): AlertOutputInfo[] {
  const list: AlertOutputInfo[] = [];
  const add = (path: string, schema: JsonSchema, depth: number) => {
    const plain = withoutNull(schema);
    const values = Array.isArray(plain.enum) ? plain.enum.filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v)) : undefined;
    const label = pathLabel(labels, path);
    list.push({ path, type: describeSchemaType(plain), ...(values && values.length > 0 ? { values } : {}), ...(label ? { label } : {}) });
    if (depth < 2 && plain.properties) for (const [key, sub] of Object.entries(plain.properties)) add(`${path}.${key}`, sub, depth + 1);
  };
  for (const o of outputs) add(o.name, o.schema, 0);
  return list;
}

/** The schema at an output path, or a refusal naming the rule and the output. */
function schemaOfPath(outputs: EndOutput[], path: string, where: string, ruleName: string | null): JsonSchema {
  const [name = '', ...rest] = pathSteps(path);
  const allowed = outputs.map((o) => o.name);
  const what = ruleName === null ? where : `${where} (rule "${ruleName}")`;
  const output = outputs.find((o) => o.name === name);
  if (!output) refuse('unknown_alert_output', `${what}: "${name}" is not an end output of the scenario (outputs: ${allowed.join(', ') || 'none'})`, { path: where, rule: ruleName, output: path, allowed });
  const at = rest.length === 0 ? output.schema : resolvePath(output.schema, rest)?.schema;
  if (!at) refuse('unknown_alert_output', `${what}: output "${name}" has no field "${rest.join('.')}"`, { path: where, rule: ruleName, output: path, allowed });
  return at;
}

/**
 * Checks a body against a scenario's end outputs. Throws 400 `unknown_alert_output` (an output or field
 * the scenario does not have; details `path`, `rule`, `output`, `allowed`), `alert_output_not_number`
 * (`at_least` / `at_most` on a field that holds no number), `alert_output_not_boolean` (`is_true` on
 * one that holds no true/false), `alert_output_not_audit` (`red_line` on one that shows no red line),
 * `duplicate_alert_rule_id`, `invalid_webhook_url` (not http or https).
 */
export function checkAlertSettings(body: AlertSettingsBody, outputs: EndOutput[]): void {
  const parsed = AlertSettingsBodySchema.parse(body);
  const ids = new Set<string>();
  parsed.rules.forEach((rule, i) => {
    const where = `rules.${i}`;
    if (rule.id !== undefined) {
      if (ids.has(rule.id)) refuse('duplicate_alert_rule_id', `${where}: another rule has the id "${rule.id}"`, { path: `${where}.id`, rule: rule.name, id: rule.id });
      ids.add(rule.id);
    }
    if (rule.kind === 'keyword') return;
    const schema = schemaOfPath(outputs, rule.output, `${where}.output`, rule.name);
    const type = typeOf(schema);
    const detail = { path: `${where}.output`, rule: rule.name, output: rule.output, type: describeSchemaType(schema) };
    if ((rule.kind === 'at_least' || rule.kind === 'at_most') && type !== undefined && !['number', 'integer', 'string'].includes(type)) refuse('alert_output_not_number', `${where}.output (rule "${rule.name}"): "${rule.output}" (${detail.type}) holds no number`, detail);
    if (rule.kind === 'is_true' && type !== undefined && !['boolean', 'string'].includes(type)) refuse('alert_output_not_boolean', `${where}.output (rule "${rule.name}"): "${rule.output}" (${detail.type}) holds no true/false`, detail);
    if (rule.kind === 'red_line' && !holdsRedLine(schema)) refuse('alert_output_not_audit', `${where}.output (rule "${rule.name}"): "${rule.output}" (${detail.type}) is not an audit result: name an audit's items, its red-line ids (fatal) or its verdict`, detail);
  });
  if (parsed.risk_output !== null) schemaOfPath(outputs, parsed.risk_output, 'risk_output', null);
  if (parsed.webhook_url !== null && !/^https?:\/\//i.test(parsed.webhook_url)) refuse('invalid_webhook_url', 'webhook_url: alerts are POSTed over http or https', { path: 'webhook_url' });
}

/** Ids for the rules that have none: `r<n>`, n above every `r<n>` the scenario had or the body names. */
export function withRuleIds(rules: AlertSettingsBody['rules'], before: readonly { id: string }[]): StoredAlertRule[] {
  const numbered = [...before.map((r) => r.id), ...rules.flatMap((r) => (r.id ? [r.id] : []))].map((id) => /^r(\d{1,9})$/.exec(id)?.[1]).filter((n): n is string => n !== undefined);
  let next = Math.max(0, ...numbered.map(Number)) + 1;
  return rules.map((raw) => {
    const rule = AlertRuleSchema.parse(raw);
    return { ...rule, id: rule.id ?? `r${next++}` } as StoredAlertRule;
  });
}

/** The stored rules of a row (a damaged rule is left out rather than stopping the others). */
function rulesOf(row: AlertSettingsRow | undefined): StoredAlertRule[] {
  if (!row || !Array.isArray(row.rules)) return [];
  return row.rules.flatMap((raw) => {
    const parsed = AlertRuleSchema.safeParse(raw);
    return parsed.success && parsed.data.id ? [{ ...parsed.data, id: parsed.data.id } as StoredAlertRule] : [];
  });
}

/** What a change of the settings did (`after.webhook_secret`: the new secret, shown once). */
export interface AlertSettingsChange {
  before: AlertSettings;
  after: AlertSettings;
  secretMade: boolean;
}

/** A stored row (or none) as the API shows it, with the outputs rules may name. */
function settingsView(scenarioId: string, found: ScenarioOutputs, row: AlertSettingsRow | undefined): AlertSettings {
  return {
    scenario_id: scenarioId,
    rules: rulesOf(row),
    risk_output: row?.riskOutput ?? null,
    webhook_url: row?.webhookUrl ?? null,
    webhook_secret_set: (row?.webhookSecret ?? null) !== null,
    available: alertOutputs(found.outputs, graphLabels(found.graph)),
    checked_against: found.checked,
    updated_at: row ? iso(row.updatedAt) : null,
    updated_by: row?.updatedBy ?? null,
  };
}

/** The alert settings of one server's scenarios. */
export class AlertSettingsService {
  /** Each scenario's settings as last read (and when), so checking an update reads nothing. */
  private readonly cache = new Map<string, { config: AlertConfig; at: number }>();
  /** Reads in flight, one per scenario. */
  private readonly loading = new Map<string, Promise<AlertConfig>>();
  private readonly refreshMs: number;

  /**
   * `refreshMs`: how long a cached scenario's settings are used before they are read again (a change made
   * on another server shows after at most that long); default 5 s on PostgreSQL, never on SQLite (one
   * server: its own changes forget the cache).
   */
  constructor(
    readonly store: DataStore,
    private readonly sealer: SecretSealer,
    private readonly published: PublishedScenarios,
    private readonly now: () => number = Date.now,
    refreshMs?: number,
  ) {
    this.refreshMs = refreshMs ?? (store.dialect === 'postgres' ? 5000 : Infinity);
  }

  /**
   * A scenario's settings as checking and delivery read them (none: no rules, no webhook): the cached value
   * at once (a value, not a promise), else a promise of the stored one. A cached value older than
   * `refreshMs` is still answered while a fresh read replaces it in the background.
   */
  config(scenarioId: string): AlertConfig | Promise<AlertConfig> {
    const hit = this.cache.get(scenarioId);
    if (hit) {
      if (this.now() - hit.at >= this.refreshMs && !this.loading.has(scenarioId)) this.load(scenarioId).catch(() => undefined);
      return hit.config;
    }
    return this.loading.get(scenarioId) ?? this.load(scenarioId);
  }

  private load(scenarioId: string): Promise<AlertConfig> {
    const at = this.now();
    const read = getAlertSettings(this.store, scenarioId)
      .then((row) => {
        const config: AlertConfig = { rules: rulesOf(row), riskOutput: row?.riskOutput ?? null, webhookUrl: row?.webhookUrl ?? null, sealedSecret: row?.webhookSecret ?? null };
        // A forget() while reading drops this read: what it read may be older than the change.
        if (this.loading.get(scenarioId) === read) this.cache.set(scenarioId, { config, at });
        return config;
      })
      .finally(() => {
        if (this.loading.get(scenarioId) === read) this.loading.delete(scenarioId);
      });
    this.loading.set(scenarioId, read);
    return read;
  }

  /** The plain signing secret of a scenario's webhook as stored now (not cached); null: none. Rejects with `SecretError` when the server's key changed. */
  async secret(scenarioId: string): Promise<string | null> {
    const sealed = (await getAlertSettings(this.store, scenarioId))?.webhookSecret ?? null;
    return sealed === null ? null : this.sealer.open(sealed, secretContext(scenarioId));
  }

  /** Forgets cached settings (one scenario's, or all). */
  forget(scenarioId?: string): void {
    if (scenarioId === undefined) {
      this.cache.clear();
      this.loading.clear();
    } else {
      this.cache.delete(scenarioId);
      this.loading.delete(scenarioId);
    }
  }

  /** A scenario's settings with the outputs rules may name; never the secret. Rejects with `not_found`. */
  async get(scenarioId: string): Promise<AlertSettings> {
    const found = await scenarioOutputs(this.store, this.published, scenarioId);
    return settingsView(scenarioId, found, await getAlertSettings(this.store, scenarioId));
  }

  /**
   * Replaces a scenario's settings after {@link checkAlertSettings}. A new secret is made when a webhook
   * is set and none exists, or on `rotate_secret`; `after.webhook_secret` holds it (only then). Rejects
   * with `not_found` and the refusals of {@link checkAlertSettings}.
   *
   * The body is checked against the scenario's outputs first; then, in `write` (default: a transaction of
   * the service's store; the route passes its audited one), the row is read and replaced, so rule numbers
   * and the kept secret come from the row the write replaces.
   */
  async put(scenarioId: string, body: AlertSettingsBody, by: string, write: (fn: (tx: DataStore) => Promise<AlertSettingsChange>) => Promise<AlertSettingsChange> = (fn) => this.store.transaction(fn)): Promise<AlertSettingsChange> {
    const parsed = AlertSettingsBodySchema.parse(body);
    const found = await scenarioOutputs(this.store, this.published, scenarioId);
    checkAlertSettings(parsed, found.outputs);
    const done = await write(async (tx) => {
      const row = await getAlertSettings(tx, scenarioId);
      const makeSecret = parsed.rotate_secret || (parsed.webhook_url !== null && (row?.webhookSecret ?? null) === null);
      const secret = makeSecret ? newWebhookSecret() : null;
      const next: AlertSettingsRow = {
        scenarioId,
        rules: withRuleIds(parsed.rules, rulesOf(row)),
        riskOutput: parsed.risk_output,
        webhookUrl: parsed.webhook_url,
        webhookSecret: secret !== null ? this.sealer.seal(secret, secretContext(scenarioId)) : (row?.webhookSecret ?? null),
        updatedAt: this.now(),
        updatedBy: by,
      };
      await putAlertSettings(tx, next);
      const after = settingsView(scenarioId, found, next);
      return { before: settingsView(scenarioId, found, row), after: secret !== null ? { ...after, webhook_secret: secret } : after, secretMade: secret !== null };
    });
    this.forget(scenarioId);
    return done;
  }
}
