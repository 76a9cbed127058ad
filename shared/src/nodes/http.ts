import { z } from 'zod';
import { objectSchema } from '../json-schema.js';
import { defineNode, FLOW_IN, FLOW_OUT } from './kit.js';

export const HttpConfigSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  url: z.string().min(1).max(4000),
  headers: z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'not a header name'), value: z.string().max(4000) })).default([]),
  body: z.string().max(200000).default(''),
  /** `json` parses the response body; `text` keeps it as a string. */
  responseType: z.enum(['json', 'text']).default('json'),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  retries: z.number().int().min(0).max(10).default(1),
  /** Fail the node on a 4xx or 5xx status rather than passing it on. */
  failOnStatus: z.boolean().default(true),
});
export type HttpConfig = z.infer<typeof HttpConfigSchema>;

export const http = defineNode<HttpConfig>({
  kind: 'http',
  version: 1,
  category: 'integration',
  role: 'step',
  label: { zh: 'HTTP 请求', en: 'HTTP request' },
  description: { zh: '调用外部接口（默认禁止内网地址）', en: 'Call an outside API (private addresses refused by default)' },
  configSchema: HttpConfigSchema,
  defaults: () => HttpConfigSchema.parse({ url: 'https://crm.example.com/api/work-orders', method: 'POST', body: '{"phone": "{{ start.phone }}"}' }),
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
    { field: 'body', source: config.body, mode: 'text' },
    ...config.headers.map((h, i) => ({ field: `headers.${i}.value`, source: h.value, mode: 'text' as const })),
  ],
  validate: (config) => {
    if (/^\s*\{\{/.test(config.url)) return [];
    try {
      const url = new URL(config.url.replace(/\{\{[^}]*\}\}/g, 'x'));
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return [{ field: 'url', message: 'only http and https URLs are allowed' }];
    } catch {
      return [{ field: 'url', message: 'not a valid URL' }];
    }
    return [];
  },
});
