import { describe, expect, it } from 'vitest';
import { http, HttpConfigSchema, isJsonContentType } from './http.js';
import { legacyJsonFields, legacyQuery } from './http-legacy.js';

describe('legacyJsonFields', () => {
  it('reads a flat JSON object template field by field', () => {
    expect(legacyJsonFields('{"phone": "{{ start.phone }}", "name": "客户 {{ extract_1.form.name }}，\\n谢谢", "n": {{ a.n }}, "vip": true, "tags": ["x"], "none": null}')).toEqual([
      { name: 'phone', value: '{{ start.phone }}', type: 'string' },
      { name: 'name', value: '客户 {{ extract_1.form.name }}，\n谢谢', type: 'string' },
      { name: 'n', value: '{{ a.n }}', type: 'json' },
      { name: 'vip', value: 'true', type: 'json' },
      { name: 'tags', value: '["x"]', type: 'json' },
      { name: 'none', value: 'null', type: 'json' },
    ]);
    expect(legacyJsonFields('{"q": "{{ a.b | default: "无" }}"}')).toEqual([{ name: 'q', value: '{{ a.b | default: "无" }}', type: 'string' }]);
    expect(legacyJsonFields('{}')).toEqual([]);
  });

  it('leaves anything else to a raw body', () => {
    for (const body of [
      '{% if a.b %}{"x": 1}{% endif %}',
      '{"a": {"b": "{{ x.y }}"}}',
      '{"{{ k.k }}": 1}',
      '[1, 2]',
      '{{ a.b }}',
      'phone={{ a.b }}',
      '{"a": {{ x.a }}{{ x.b }}}',
      '{"a": "unclosed {{ x.y"}',
      '{"a": 1, "a": 2}',
      '{"a": 1,}',
    ]) {
      expect(legacyJsonFields(body), body).toBeNull();
    }
  });
});

describe('legacyQuery', () => {
  it('splits a query string with plain names into parameters, decoding the text around outputs', () => {
    expect(legacyQuery('https://x.example/o?phone={{ start.phone }}&src=ivr%20line&flag')).toEqual({
      url: 'https://x.example/o',
      query: [
        { name: 'phone', value: '{{ start.phone }}' },
        { name: 'src', value: 'ivr line' },
        { name: 'flag', value: '' },
      ],
    });
    expect(legacyQuery('{{ start.base }}/o?id=A-{{ start.id }}')).toEqual({ url: '{{ start.base }}/o', query: [{ name: 'id', value: 'A-{{ start.id }}' }] });
  });

  it('leaves a URL it cannot read that way as it is', () => {
    for (const url of ['https://x.example/o', 'https://x.example/o?{{ q.s }}', 'https://x.example/o?a=1#top', 'https://x.example/o?a=%E0', 'https://x.example/{{ a.b | append: "?x=1" }}', 'https://x.example/o?a={{ x | append: "&b=1" }}']) {
      expect(legacyQuery(url), url).toBeNull();
    }
  });
});

describe('http config', () => {
  it('reads an old config: JSON fields, a raw body with its content type, the query split off', () => {
    const old = HttpConfigSchema.parse({ method: 'POST', url: 'https://crm.example/o?phone={{ start.phone }}', body: '{"phone": "{{ start.phone }}"}' });
    expect(old).toMatchObject({ url: 'https://crm.example/o', query: [{ name: 'phone', value: '{{ start.phone }}' }], body: { mode: 'json', fields: [{ name: 'phone', value: '{{ start.phone }}', type: 'string' }] } });
    expect(HttpConfigSchema.parse({ url: 'https://x/', body: '<a>{{ s.t }}</a>' }).body).toEqual({ mode: 'raw', text: '<a>{{ s.t }}</a>', contentType: 'text/plain; charset=utf-8' });
    expect(HttpConfigSchema.parse({ url: 'https://x/', body: '{{ s.form }}' }).body).toEqual({ mode: 'raw', text: '{{ s.form }}', contentType: 'application/json' });
    expect(HttpConfigSchema.parse({ url: 'https://x/', headers: [{ name: 'Content-Type', value: 'application/xml' }], body: '<a/>' }).body).toMatchObject({ contentType: 'application/xml' });
    expect(HttpConfigSchema.parse({ url: 'https://x/', body: '' }).body).toEqual({ mode: 'none' });
    // A new config is read as it is, its URL query untouched once it has a query list.
    const current = { url: 'https://x/?a=1', query: [], body: { mode: 'none' } };
    expect(HttpConfigSchema.parse(current)).toMatchObject({ url: 'https://x/?a=1', query: [] });
  });

  it('defaults to a JSON body whose templates are typed per field', () => {
    const config = http.defaults();
    expect(config.body).toEqual({ mode: 'json', fields: [{ name: 'phone', value: '{{ start.phone }}', type: 'string' }] });
    expect(http.templates(config)).toContainEqual({ field: 'body.fields.0.value', source: '{{ start.phone }}', mode: 'value' });
    expect(HttpConfigSchema.parse(config)).toEqual(config);
  });

  it('checks content types and duplicate field names', () => {
    expect(HttpConfigSchema.safeParse({ url: 'https://x/', body: { mode: 'raw', text: 'x', contentType: 'text/plain\r\nX-Evil: 1' } }).success).toBe(false);
    expect(HttpConfigSchema.safeParse({ url: 'https://x/', body: { mode: 'raw', text: 'x', contentType: 'application/json; charset=utf-8' } }).success).toBe(true);
    const dup = HttpConfigSchema.parse({ url: 'https://x/', body: { mode: 'json', fields: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] } });
    expect(http.validate?.(dup, () => ({}))).toContainEqual(expect.objectContaining({ field: 'body.fields.1.name' }));
    expect(isJsonContentType('application/vnd.api+json')).toBe(true);
    expect(isJsonContentType('text/json-ish')).toBe(false);
  });
});
