/**
 * The template and file endpoints, typed with the shared zod shapes. Kept apart from `client/src/api.ts`
 * so the gallery does not touch the editor's API module.
 */
import type { Scenario } from '@shared/api';
import type {
  Bump,
  ImportScenarioReply,
  ImportTemplateReply,
  ScenarioTemplateStatus,
  TemplateDetail,
  TemplateDiffReply,
  TemplateSummary,
  TemplateUpdateReply,
  TemplateVersionDetail,
  TemplateVersionSummary,
} from '@shared/template-api';
import type { TEMPLATE_CATEGORIES } from '@shared/templates';
import { ApiError, isRecord, sendJson } from '../api';
import { noteReply } from '../auth/session';
import { parseJson } from '@shared/json';

export type { ScenarioTemplateStatus, TemplateDetail, TemplateDiffReply, TemplateSummary, TemplateVersionSummary, Bump };
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  // A string body here is an import file's text, sent as the JSON it already is.
  return sendJson<T>(method, `/api${path}`, body, typeof body === 'string' ? 'application/json' : undefined);
}

/** An export file as text (exactly the bytes the server wrote) with the file name it suggests. */
async function download(path: string): Promise<{ text: string; fileName: string }> {
  const res = await fetch(`/api${path}`);
  const text = await res.text();
  if (!res.ok) {
    const reply = parseJson(text);
    const err = isRecord(reply) && isRecord(reply.error) ? reply.error : {};
    const code = typeof err.code === 'string' ? err.code : String(res.status);
    noteReply(res.status, code);
    throw new ApiError(res.status, code, typeof err.message === 'string' ? err.message : text, err.details);
  }
  const m = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '');
  return { text, fileName: m ? decodeURIComponent(m[1]) : 'export.json' };
}

const enc = encodeURIComponent;

export const templatesApi = {
  list: () => send<TemplateSummary[]>('GET', '/templates'),
  detail: (id: string) => send<TemplateDetail>('GET', `/templates/${enc(id)}`),
  version: (id: string, v: string) => send<TemplateVersionDetail>('GET', `/templates/${enc(id)}/versions/${enc(v)}`),
  diff: (id: string, from: string, to: string) => send<TemplateDiffReply>('GET', `/templates/${enc(id)}/diff?from=${enc(from)}&to=${enc(to)}`),
  use: (id: string, body: { version?: string; name?: string }) => send<Scenario>('POST', `/templates/${enc(id)}/use`, body),
  create: (body: {
    scenario_id: string;
    id: string;
    name: { zh: string; en: string };
    description: { zh: string; en: string };
    category: TemplateCategory;
    notes: string;
  }) => send<TemplateVersionDetail>('POST', '/templates', body),
  addVersion: (id: string, body: { scenario_id: string; bump?: Bump; version?: string; notes: string }) =>
    send<TemplateVersionDetail>('POST', `/templates/${enc(id)}/versions`, body),
  setDeprecated: (id: string, v: string, deprecated: boolean) =>
    send<TemplateVersionSummary>('POST', `/templates/${enc(id)}/versions/${enc(v)}/${deprecated ? 'deprecate' : 'undeprecate'}`, {}),
  exportTemplate: (id: string, v?: string) => download(`/templates/${enc(id)}/export${v ? `?version=${enc(v)}` : ''}`),
  importTemplate: (text: string) => send<ImportTemplateReply>('POST', '/templates/import', text),
  exportScenario: (id: string) => download(`/scenarios/${enc(id)}/export`),
  importScenario: (text: string) => send<ImportScenarioReply>('POST', '/scenarios/import', text),
  updateFromTemplate: (scenarioId: string) => send<TemplateUpdateReply>('POST', `/scenarios/${enc(scenarioId)}/template-update`),
};
