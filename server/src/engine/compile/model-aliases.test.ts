import { describe, expect, it } from 'vitest';
import { compileGraph } from '../index.js';
import { lineGraph } from '../testing.js';

const graph = lineGraph(
  [
    { id: 'sum', kind: 'llm', config: { user: '总结', model: 'fast', fallbackModel: 'big' } },
    { id: 'ext', kind: 'extract', config: { transcript: '{{ start.transcript }}', fields: [{ name: 'phone', type: 'string' }], model: 'default' } },
  ],
  [{ name: 'r', value: '{{ sum.text }}' }],
);

describe('model aliases at compile time', () => {
  it('flags each alias no endpoint serves on its node and field, with the alias as a parameter', () => {
    const result = compileGraph(graph, { modelAliases: ['default', 'fast'] });
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([{ nodeId: 'sum', field: 'fallbackModel', code: 'unknown_model_alias', message: 'no model endpoint serves the alias "big"', params: { alias: 'big' } }]);
    expect(compileGraph(graph, { modelAliases: ['default', 'fast', 'big'] }).ok).toBe(true);
  });

  it('checks nothing when no alias list is given (the CLI compiles without endpoints)', () => {
    expect(compileGraph(graph).errors.filter((p) => p.code === 'unknown_model_alias')).toEqual([]);
  });
});
