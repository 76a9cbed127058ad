/** The admin key endpoints (`/api/keys`) and the list of published slugs a key can be limited to. */
import type { ApiKey, CreateKeyBody, CreatedKey } from '@shared/keys';
import { isRecord } from '../api';
import { send } from '../publish/http';

export type { ApiKey, CreatedKey };

export const keysApi = {
  list: () => send<ApiKey[]>('GET', '/api/keys'),
  create: (body: CreateKeyBody) => send<CreatedKey>('POST', '/api/keys', body),
  revoke: (id: string) => send<ApiKey>('POST', `/api/keys/${encodeURIComponent(id)}/revoke`),
};

/** Tags of the aggregate OpenAPI document that are not scenarios. */
const NOT_SCENARIOS = new Set(['jobs', 'runs']);

/**
 * The live scenarios as `{ slug, label }`, read from the aggregate OpenAPI document's tags (one per live
 * scenario, described as "name (version N)"): there is no admin endpoint that lists slugs.
 */
export async function liveSlugs(): Promise<Array<{ slug: string; label: string }>> {
  const doc = await send<unknown>('GET', '/v1/openapi.json');
  const tags = isRecord(doc) && Array.isArray(doc.tags) ? doc.tags : [];
  const out: Array<{ slug: string; label: string }> = [];
  for (const tag of tags) {
    if (!isRecord(tag) || typeof tag.name !== 'string' || NOT_SCENARIOS.has(tag.name)) continue;
    out.push({ slug: tag.name, label: typeof tag.description === 'string' ? tag.description : tag.name });
  }
  return out;
}
