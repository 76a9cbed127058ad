/**
 * A run error in the reader's language (`runError.*`), from its stable code and details: what failed
 * (`runError.<code>`) and why (`runError.model.<details.model_error>`, `runError.node.<details.node_error>`,
 * a node's timeout), with the engine's English message kept as the detail.
 */
import type { TFunction } from 'i18next';
import type { RunError } from '@shared/events';
import type { NodeWarning } from '@shared/index';
import { isRecord } from '@shared/json';

/** The translated text of a run error and the server's original English message. */
export interface RunErrorText {
  text: string;
  detail: string;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The headline of a run error by its code (`runError.<code>`), with a variant when its details allow. */
function headline(error: RunError, details: Record<string, unknown>, t: TFunction, exists: (key: string) => boolean): string {
  switch (error.code) {
    case 'invalid_inputs': {
      const fields = Array.isArray(error.details) ? error.details.map((p) => (isRecord(p) && typeof p.path === 'string' ? p.path : '')).filter(Boolean) : [];
      return fields.length > 0 ? t('runError.invalid_inputs_fields', { fields: fields.join(', ') }) : t('runError.invalid_inputs');
    }
    case 'deadline_exceeded': {
      const ms = number(details.deadline_ms);
      return ms === undefined ? t('runError.deadline_exceeded') : t('runError.deadline_exceeded_ms', { deadline_ms: ms });
    }
    case 'end_not_reached':
      return typeof details.node === 'string' && typeof details.branch === 'string'
        ? t('runError.end_not_reached_branch', { node: details.node, branch: details.branch })
        : t('runError.end_not_reached');
    default: {
      const key = `runError.${error.code}`;
      return exists(key) ? t(key) : t('runError.node_error');
    }
  }
}

/** Why it failed, from the details' model or node error code, when the code has a text. */
function cause(error: RunError, details: Record<string, unknown>, t: TFunction, exists: (key: string) => boolean): string | undefined {
  if (details.cause === 'timeout') return t('runError.node_timeout', { node: error.nodeId ?? '', timeout_ms: number(details.timeout_ms) ?? '' });
  if (typeof details.model_error === 'string' && exists(`runError.model.${details.model_error}`)) return t(`runError.model.${details.model_error}`);
  if (typeof details.node_error === 'string') {
    const info = isRecord(details.info) ? details.info : {};
    const status = number(info.status);
    if (details.node_error === 'http_status') return status === undefined ? t('runError.node.http_status_plain') : t('runError.node.http_status', { status });
    const line = number(info.line);
    if (details.node_error === 'code_error' && line !== undefined) return t('runError.node.code_error_line', { line });
    // The code's own sub-code says the same as the headline for these.
    if (details.node_error === error.code) return undefined;
    const key = `runError.node.${details.node_error}`;
    if (exists(key)) return t(key);
  }
  return undefined;
}

/** A run error as `{ text, detail }`: “模型调用失败：连不上模型端点” and the engine's English message. */
export function runErrorText(error: RunError, t: TFunction, exists: (key: string) => boolean): RunErrorText {
  const details = isRecord(error.details) ? error.details : {};
  const head = headline(error, details, t, exists);
  const why = cause(error, details, t, exists);
  return { text: why ? t('runError.join', { head, why }) : head, detail: error.message };
}

/** A warning in the reader's language, by its code; one without a translation shows the server's words. */
export function warningText(w: NodeWarning, t: TFunction): string {
  const details = typeof w.details === 'object' && w.details !== null ? w.details : {};
  const list = (key: string) => {
    const value: unknown = Reflect.get(details, key);
    return Array.isArray(value) ? value.join(', ') : '';
  };
  return t(`run.warning.${w.code}`, { keys: list('keys'), paths: list('paths'), defaultValue: w.message });
}
