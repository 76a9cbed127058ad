/** The publishing endpoints (`/api/scenarios/:id/publish`, `/publication`, `/versions`, `/rollback`, `/diff`) and the public OpenAPI document. */
import type { GraphDiff, Publication, PublishBody, PublishReply, RollbackReply, VersionDetail, VersionSummary } from '@shared/publish';
import type { JsonSchema } from '@shared/json-schema';
import type { PublishEvaluating } from '@shared/publish-gate';
import { isRecord } from '../api';
import { send } from './http';

export type { GraphDiff, Publication, PublishReply, VersionDetail, VersionSummary };

const base = (id: string) => `/api/scenarios/${encodeURIComponent(id)}`;

export const publishApi = {
  publication: (id: string) => send<Publication>('GET', `${base(id)}/publication`),
  /** 201 with the version, or 202 while the publish gate's evaluation runs (call again once it has run). */
  publish: (id: string, body: PublishBody) => send<PublishReply | PublishEvaluating>('POST', `${base(id)}/publish`, body),
  versions: (id: string) => send<VersionSummary[]>('GET', `${base(id)}/versions`),
  version: (id: string, n: number) => send<VersionDetail>('GET', `${base(id)}/versions/${n}`),
  rollback: (id: string, version: number) => send<RollbackReply>('POST', `${base(id)}/rollback`, { version }),
  diff: (id: string, from: number, to: number | 'draft') => send<GraphDiff>('GET', `${base(id)}/diff?from=${from}&to=${to}`),
  openapi: (slug: string) => send<unknown>('GET', `/v1/scenarios/${encodeURIComponent(slug)}/openapi.json`),
};

/** What the API tab needs from a scenario's OpenAPI document: its input and output schemas and the example inputs. */
export interface ScenarioContract {
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  exampleInputs: Record<string, unknown>;
}

/** A JSON Schema object as the server writes them: a record whose `type`, when present, is a name or a list of names. */
export function isJsonSchema(value: unknown): value is JsonSchema {
  if (!isRecord(value)) return false;
  const t = value.type;
  return t === undefined || typeof t === 'string' || (Array.isArray(t) && t.every((x) => typeof x === 'string'));
}

function schemaAt(schemas: Record<string, unknown>, name: string): JsonSchema {
  const s = schemas[name];
  return isJsonSchema(s) ? s : {};
}

/** Reads the `<slug>.Inputs` / `<slug>.Outputs` component schemas (and the inputs' first example) from a scenario document. */
export function contractOf(doc: unknown, slug: string): ScenarioContract {
  const components = isRecord(doc) && isRecord(doc.components) ? doc.components : {};
  const schemas = isRecord(components.schemas) ? components.schemas : {};
  const inputSchema = schemaAt(schemas, `${slug}.Inputs`);
  const { examples, ...inputRest } = inputSchema;
  const first: unknown = Array.isArray(examples) ? examples[0] : undefined;
  return { inputSchema: inputRest, outputSchema: schemaAt(schemas, `${slug}.Outputs`), exampleInputs: isRecord(first) ? first : {} };
}
