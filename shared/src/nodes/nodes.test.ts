import { describe, expect, it } from 'vitest';
import { NODE_KINDS, nodeDefinitions, getNodeDefinition } from './index.js';

const anyType = () => ({});

describe('node definitions', () => {
  it.each(NODE_KINDS)('%s: defaults parse and validate cleanly', (kind) => {
    const def = getNodeDefinition(kind);
    expect(def).toBeDefined();
    if (!def) return;
    const parsed = def.configSchema.safeParse(def.defaults());
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    expect(def.validate?.(parsed.data, anyType) ?? []).toEqual([]);
    expect(def.outputSchema(parsed.data, anyType).type).toBe('object');
    for (const t of def.templates(parsed.data)) expect(typeof t.source).toBe('string');
  });

  it('classify: one output port per class, keyed by the class id, plus other', () => {
    const config = nodeDefinitions.classify.configSchema.parse({ classes: [{ id: 'b2', name: 'B' }, { id: 'a1', name: 'A' }] });
    expect(nodeDefinitions.classify.outputs(config).map((p) => p.id)).toEqual(['b2', 'a1', 'other']);
    const none = nodeDefinitions.classify.configSchema.parse({ classes: [] });
    expect(nodeDefinitions.classify.outputs(none).map((p) => p.id)).toEqual(['other']);
    expect(nodeDefinitions.classify.validate?.(none, anyType)).toContainEqual(expect.objectContaining({ field: 'classes' }));
  });

  it('classify: "other" is reserved', () => {
    const config = nodeDefinitions.classify.configSchema.parse({ classes: [{ id: 'other', name: 'X' }] });
    expect(nodeDefinitions.classify.validate?.(config, anyType)).toContainEqual(expect.objectContaining({ field: 'classes.0.id' }));
  });

  it('condition: true and false ports; start has no input; end has no output', () => {
    expect(nodeDefinitions.condition.outputs(nodeDefinitions.condition.defaults()).map((p) => p.id)).toEqual(['true', 'false']);
    expect(nodeDefinitions.start.inputs(nodeDefinitions.start.defaults())).toEqual([]);
    expect(nodeDefinitions.end.outputs(nodeDefinitions.end.defaults())).toEqual([]);
  });

  it('extract: form fields are nullable and listed in the output schema', () => {
    const config = nodeDefinitions.extract.defaults();
    const schema = nodeDefinitions.extract.outputSchema(config, anyType);
    expect(Object.keys(schema.properties?.form.properties ?? {})).toEqual(['name', 'phone']);
    expect(schema.properties?.form.properties?.phone.anyOf?.[1]).toEqual({ type: 'null' });
  });

  it('audit: rule items need rules, model items criteria, regexes must compile', () => {
    const config = nodeDefinitions.audit.configSchema.parse({
      items: [
        { id: 'a', name: 'A', kind: 'rule' },
        { id: 'b', name: 'B', kind: 'model' },
        { id: 'c', name: 'C', kind: 'rule', rule: { check: 'regex', pattern: '([' } },
      ],
    });
    const fields = (nodeDefinitions.audit.validate?.(config, anyType) ?? []).map((i) => i.field);
    expect(fields).toEqual(['items.0.rule', 'items.1.criterion', 'items.2.rule.pattern']);
  });

  it('end: a declared type must fit the referenced value', () => {
    const config = nodeDefinitions.end.configSchema.parse({ outputs: [{ name: 'n', type: 'number', value: '{{ a.b }}' }] });
    const issues = nodeDefinitions.end.validate?.(config, () => ({ type: 'object' })) ?? [];
    expect(issues).toContainEqual(expect.objectContaining({ field: 'outputs.0.value' }));
    expect(nodeDefinitions.end.validate?.(config, () => ({ type: 'integer' }))).toEqual([]);
  });

  it('http: only http(s) URLs', () => {
    const config = nodeDefinitions.http.configSchema.parse({ url: 'ftp://x.example/y' });
    expect(nodeDefinitions.http.validate?.(config, anyType)).toContainEqual(expect.objectContaining({ field: 'url' }));
  });
});
