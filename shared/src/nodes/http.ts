import { z } from 'zod';
import { objectSchema } from '../json-schema.js';
import { legacyJsonFields, legacyQuery } from './http-legacy.js';
import { defineNode, duplicateNames, FLOW_IN, FLOW_OUT, type ConfigIssue } from './kit.js';

/**
 * How a JSON body field's value is read: `auto` keeps what a lone `{{ ref }}` yields (an object stays
 * an object, a number a number) and sends other text as a string; `string` always sends text;
 * `number` and `boolean` read the text as one (empty is null); `json` reads the text as JSON.
 */
export const HTTP_FIELD_TYPES = ['auto', 'string', 'number', 'boolean', 'json'] as const;
export type HttpFieldType = (typeof HTTP_FIELD_TYPES)[number];

/** Content types the panel offers for a raw body; any other `type/subtype` may be typed. */
export const RAW_CONTENT_TYPES = ['text/plain; charset=utf-8', 'application/json', 'application/x-www-form-urlencoded', 'application/xml', 'text/xml'] as const;

const HeaderSchema = z.object({ name: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'not a header name'), value: z.string().max(4000) });
const QueryParamSchema = z.object({ name: z.string().min(1, 'a parameter needs a name').max(200), value: z.string().max(4000) });
const ContentTypeSchema = z
  .string()
  .trim()
  .regex(/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[^"\r\n]*"|[\w.+-]+))*$/, 'not a content type such as text/plain or application/json');
const JsonFieldSchema = z.object({
  name: z.string().min(1, 'a field needs a name').max(200),
  value: z.string().max(50000),
  type: z.enum(HTTP_FIELD_TYPES).default('auto'),
});

/** The request body: none, a JSON object built field by field, or text from a template with its content type. */
export const HttpBodySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }),
  z.object({ mode: z.literal('json'), fields: z.array(JsonFieldSchema).max(500).default([]) }),
  z.object({
    mode: z.literal('raw'),
    text: z.string().max(200000).default(''),
    contentType: ContentTypeSchema.default('text/plain; charset=utf-8'),
  }),
]);
export type HttpBody = z.infer<typeof HttpBodySchema>;

const HttpObjectSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  url: z.string().min(1).max(4000),
  /** Added to the URL's query string, each name and value encoded. */
  query: z.array(QueryParamSchema).max(200).default([]),
  headers: z.array(HeaderSchema).default([]),
  body: HttpBodySchema.default({ mode: 'none' }),
  /** `json` parses the response body; `text` keeps it as a string. */
  responseType: z.enum(['json', 'text']).default('json'),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  retries: z.number().int().min(0).max(10).default(1),
  /** Fail the node on a 4xx or 5xx status rather than passing it on. */
  failOnStatus: z.boolean().default(true),
});

/**
 * Reads a config written before bodies were built (`body` a template string, the query in the URL):
 * a flat JSON object body becomes JSON fields, any other text a raw body with the content type it was
 * sent with (a Content-Type header's, else JSON for text that starts like JSON); a simple query string
 * becomes query parameters. Anything else passes through untouched.
 */
export function migrateHttpConfig(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const config: Record<string, unknown> = { ...raw };
  if (typeof config.body === 'string') config.body = legacyBody(config.body, config.headers);
  if (typeof config.url === 'string' && config.query === undefined) {
    const split = legacyQuery(config.url);
    if (split) Object.assign(config, split);
  }
  return config;
}

function legacyBody(text: string, headers: unknown): HttpBody {
  if (text.trim() === '') return { mode: 'none' };
  const fields = legacyJsonFields(text);
  if (fields) return { mode: 'json', fields };
  const declared = Array.isArray(headers)
    ? headers.find((h): h is { name: string; value: string } => typeof h?.name === 'string' && h.name.toLowerCase() === 'content-type' && typeof h.value === 'string')
    : undefined;
  const parsedType = declared ? ContentTypeSchema.safeParse(declared.value) : undefined;
  const contentType = parsedType?.success ? parsedType.data : /^\s*[[{]/.test(text) ? 'application/json' : 'text/plain; charset=utf-8';
  return { mode: 'raw', text, contentType };
}

export const HttpConfigSchema = z.preprocess(migrateHttpConfig, HttpObjectSchema);
export type HttpConfig = z.infer<typeof HttpObjectSchema>;

/** Whether a content type is JSON (`application/json`, `application/problem+json`, …). */
export function isJsonContentType(contentType: string): boolean {
  return /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType.trim());
}

export const http = defineNode<HttpConfig>({
  kind: 'http',
  version: 1,
  category: 'integration',
  role: 'step',
  label: { zh: 'HTTP 请求', en: 'HTTP request' },
  description: { zh: '调用外部接口（默认禁止内网地址）', en: 'Call an outside API (private addresses refused by default)' },
  configSchema: HttpConfigSchema,
  defaults: () =>
    HttpObjectSchema.parse({
      url: 'https://crm.example.com/api/work-orders',
      method: 'POST',
      body: { mode: 'json', fields: [{ name: 'phone', value: '{{ start.phone }}', type: 'string' }] },
    }),
  inputs: () => [FLOW_IN],
  outputs: () => [FLOW_OUT],
  outputSchema: () =>
    objectSchema({
      status: { type: 'integer' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: {},
    }),
  templates: (config) => [
    { field: 'url', source: config.url, mode: 'text' },
    ...config.query.map((q, i) => ({ field: `query.${i}.value`, source: q.value, mode: 'text' as const })),
    ...config.headers.map((h, i) => ({ field: `headers.${i}.value`, source: h.value, mode: 'text' as const })),
    ...(config.body.mode === 'json' ? config.body.fields.map((f, i) => ({ field: `body.fields.${i}.value`, source: f.value, mode: 'value' as const })) : []),
    ...(config.body.mode === 'raw' ? [{ field: 'body.text', source: config.body.text, mode: 'text' as const }] : []),
  ],
  validate: (config) => [...urlIssues(config.url), ...(config.body.mode === 'json' ? duplicateNames(config.body.fields, 'body.fields') : [])],
});

function urlIssues(url: string): ConfigIssue[] {
  if (/^\s*\{\{/.test(url)) return [];
  try {
    const parsed = new URL(url.replace(/\{\{[^}]*\}\}/g, 'x'));
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return [{ field: 'url', code: 'url_protocol', message: 'only http and https URLs are allowed', params: { protocol: parsed.protocol } }];
  } catch {
    return [{ field: 'url', code: 'url_invalid', message: 'not a valid URL' }];
  }
  return [];
}
