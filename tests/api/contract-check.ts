/**
 * Holds live `/v1` replies to the OpenAPI document the server publishes: each reply's status must be
 * declared by its operation, its media type must be one the status declares, and a JSON body (or each
 * line of a JSON Lines body) must match the declared schema. Records which statuses were seen per
 * operation, so a test can also show that every declared status is really sent.
 */
import Ajv2020 from 'ajv/dist/2020.js';

type Json = Record<string, unknown>;

function obj(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`);
  return { ...value };
}

/** A reply as the checker needs it. */
export interface Reply {
  status: number;
  contentType: string;
  text: string;
}

export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, validateFormats: false });
  private readonly paths: Array<{ template: string; pattern: RegExp; item: Json }> = [];
  /** Statuses seen per operation, keyed `METHOD /path/with/{slug}`. */
  readonly seen = new Map<string, Set<string>>();

  constructor(readonly doc: unknown) {
    const d = obj(doc, 'the document');
    this.ajv.addSchema({ $id: 'mofang:doc', components: obj(d.components, 'components') });
    for (const [template, item] of Object.entries(obj(d.paths, 'paths'))) {
      const source = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{[a-z_]+\\\}/g, '[^/]+');
      this.paths.push({ template, pattern: new RegExp(`^${source}$`), item: obj(item, template) });
    }
  }

  /** The operation of a request path (a literal path wins over a templated one). */
  operation(method: string, path: string): { key: string; op: Json } {
    const bare = path.split('?')[0];
    const matches = this.paths.filter((p) => p.pattern.test(bare)).sort((a, b) => Number(a.template.includes('{')) - Number(b.template.includes('{')));
    // A scenario missing from the aggregate (unknown, or not runnable) is held to another scenario's operation.
    const generic = (t: string) => t.replace(/^\/v1\/scenarios\/[a-z0-9-]+/, '/v1/scenarios/{slug}');
    const found =
      matches.find((p) => method.toLowerCase() in p.item) ??
      this.paths.find((p) => bare.startsWith('/v1/scenarios/') && generic(p.template) === generic(bare) && method.toLowerCase() in p.item);
    if (!found) throw new Error(`${method} ${bare} is not in the document`);
    const key = `${method.toUpperCase()} ${found.template.replace(/^\/v1\/scenarios\/[a-z0-9-]+/, '/v1/scenarios/{slug}')}`;
    return { key, op: obj(found.item[method.toLowerCase()], key) };
  }

  /** Problems of one reply against the document; records its status as seen. Empty when it conforms. */
  check(method: string, path: string, reply: Reply): string[] {
    const { key, op } = this.operation(method, path);
    const status = String(reply.status);
    const set = this.seen.get(key) ?? new Set<string>();
    set.add(status);
    this.seen.set(key, set);
    const responses = obj(op.responses, `${key} responses`);
    if (!(status in responses)) return [`${key} sent ${status}, which it does not declare (${Object.keys(responses).join(', ')})`];
    const content = obj(obj(responses[status], `${key} ${status}`).content ?? {}, 'content');
    const media = reply.contentType.split(';')[0].trim().toLowerCase();
    // A response declared without content (204) must come without a body.
    if (Object.keys(content).length === 0) return reply.text === '' ? [] : [`${key} ${status} sent a body, declared none`];
    if (!(media in content)) return [`${key} ${status} sent ${media || 'no Content-Type'}, declared: ${Object.keys(content).join(', ')}`];
    const schema = obj(obj(content[media], media).schema, 'schema');
    const validate = (value: unknown, target: Json, where: string): string[] => {
      const fn = this.ajv.compile({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...this.rebase(target) });
      return fn(value) ? [] : [`${key} ${status} ${where}: ${this.ajv.errorsText(fn.errors)} in ${JSON.stringify(value).slice(0, 300)}`];
    };
    if (media === 'application/json') return validate(JSON.parse(reply.text), schema, 'body');
    if (media === 'application/x-ndjson' && typeof schema['x-line-schema'] === 'object' && schema['x-line-schema'] !== null) {
      const line = obj(schema['x-line-schema'], 'x-line-schema');
      return reply.text.split('\n').filter((l) => l.trim() !== '').flatMap((l, i) => validate(JSON.parse(l), line, `line ${i + 1}`));
    }
    return [];
  }

  /** Operations whose declared statuses were not all seen, with the missing ones. */
  unseen(filter: (key: string) => boolean): Record<string, string[]> {
    const missing: Record<string, string[]> = {};
    for (const p of this.paths) {
      for (const [method, op] of Object.entries(p.item)) {
        const key = `${method.toUpperCase()} ${p.template.replace(/^\/v1\/scenarios\/[a-z0-9-]+/, '/v1/scenarios/{slug}')}`;
        if (!filter(key)) continue;
        const declared = Object.keys(obj(obj(op, key).responses, key));
        const gaps = declared.filter((s) => !this.seen.get(key)?.has(s));
        if (gaps.length > 0) missing[key] = gaps;
      }
    }
    return missing;
  }

  /** A schema whose `#/components/…` references point into the registered document. */
  private rebase(schema: Json): Json {
    return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"mofang:doc#/components/'));
  }
}
