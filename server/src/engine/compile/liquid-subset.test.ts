import { describe, expect, it } from 'vitest';
import { Liquid } from 'liquidjs';
import { NodeError } from '../../nodes/kit.js';
import { liquid as engineLiquid, renderBounded } from './liquid.js';
import { subsetRenderer } from './liquid-subset.js';
import { compileTemplate } from './templates.js';

/** The engine's Liquid settings (liquid.ts), the reference the subset must equal. */
const liquid = new Liquid({
  outputEscape: (value: unknown) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value ?? '')),
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
});

/** A seeded random pick (an LCG), the same every run. */
function picker(seed: number) {
  return <T>(options: readonly T[]): T => {
    seed = (seed * 1664525 + 1013904223) % 4294967296;
    return options[Math.floor((seed / 4294967296) * options.length)];
  };
}

const values = [undefined, null, false, true, 0, 1, -2, 2.5, '', '0', 'x', '字', '12', [], ['a'], ['a', 'b'], [1, null, 'c'], [{ k: 1 }], {}, { k: 'v' }, { size: 7 }] as const;

describe('the Liquid subset renders exactly as liquidjs', () => {
  it('the call summary template, and its conditions either way', () => {
    const source =
      "【通话小结】{{ s.json.summary }}\n【坐席承诺】{% if s.json.promises.size > 0 %}{{ s.json.promises | join: '；' }}{% else %}无{% endif %}\n【待跟进】{% if s.json.follow_up.size > 0 %}{{ s.json.follow_up | join: '；' }}{% else %}无{% endif %}";
    expect(subsetRenderer(source)).not.toBeNull();
    for (const promises of [[], ['24 小时内上门'], ['a', 'b']]) {
      const scope = { s: { json: { summary: '宽带断网', promises, follow_up: promises.slice(1) } } };
      const compiled = compileTemplate(source, 'text');
      expect(compiled.ok && compiled.template.renderText(scope)).toBe(liquid.parseAndRenderSync(source, scope));
    }
  });

  it('agrees with liquidjs on 3,000 generated templates over generated scopes', () => {
    const pick = picker(11);
    const path = () => pick(['a', 'a.b', 'a.list', 'a.list.size', 'a.list.first', 'a.list.last', 'a.list[1]', 'a.b.size', 'a.obj.size', 'a.obj.k', 'a.text.length', 'a.missing.deep', '字段']);
    const literal = () => pick(['0', '1', '-2', '2.5', "'x'", '"字"', "''", "'12'"]);
    const cond = () => (pick([true, false]) ? path() : `${path()} ${pick(['==', '!=', '>', '<', '>=', '<='])} ${literal()}`);
    const output = () => pick([`{{ ${path()} }}`, `{{${path()}}}`, `{{ ${path()} | join }}`, `{{ ${path()} | join: '、' }}`, `{{ ${path()} | join: "" }}`]);
    const block = (depth: number): string => {
      let out = '';
      for (let i = 0, n = 1 + Math.floor(depth === 0 ? 2 : 1); i < n; i++) {
        const kind = pick(['text', 'output', 'if', 'ifelse']);
        if (kind === 'text') out += pick(['文本', ' ', '\n', 'a,b']);
        else if (kind === 'output' || depth > 2) out += output();
        else if (kind === 'if') out += `{% if ${cond()} %}${block(depth + 1)}{% endif %}`;
        else out += `{%if ${cond()}%}${block(depth + 1)}{% else %}${block(depth + 1)}{%endif%}`;
      }
      return out;
    };
    let covered = 0;
    for (let i = 0; i < 3000; i++) {
      const source = block(0);
      const scope = { a: { b: pick(values), list: pick(values), obj: pick(values), text: pick(values), missing: pick(values) }, 字段: pick(values) };
      const compiled = compileTemplate(source, 'text');
      if (!compiled.ok) throw new Error(`${source}: ${compiled.message}`);
      if (subsetRenderer(source)) covered += 1;
      expect(compiled.template.renderText(scope), `${source} with ${JSON.stringify(scope)}`).toBe(liquid.parseAndRenderSync(source, scope));
    }
    // Most generated templates are in the subset (the rest have no tag or filter: the plain path's).
    expect(covered).toBeGreaterThan(1500);
  });

  it('leaves the rest to Liquid', () => {
    for (const source of [
      '{% if a %}x{% elsif b %}y{% endif %}',
      '{% if a and b %}x{% endif %}',
      '{% if a contains "x" %}x{% endif %}',
      '{% unless a %}x{% endunless %}',
      '{% for x in a %}{{ x }}{% endfor %}',
      '{{ a | upcase }}',
      '{{ a | join: b }}',
      '{%- if a -%}x{% endif %}',
      '{% if nil %}x{% endif %}',
      '{% if a == empty %}x{% endif %}',
    ]) {
      expect(subsetRenderer(source), source).toBeNull();
    }
  });

  it('a plain output past the memory limit fails as Liquid fails it; at the limit it renders', () => {
    const limits = { renderMs: 1000, outputBytes: 4 * 1024 * 1024, memory: 1000 };
    for (const source of ['{{ a }}', '前 {{ a }} 后']) {
      const compiled = compileTemplate(source, 'text', limits);
      if (!compiled.ok) throw new Error('no parse');
      expect(() => compiled.template.renderText({ a: 'x'.repeat(1001) })).toThrow(NodeError);
      // The engine's own Liquid render (what the fast path stands in for) draws the same line.
      expect(() => renderBounded(engineLiquid.parse(source), { a: 'x'.repeat(1001) }, limits)).toThrow(NodeError);
      expect(compiled.template.renderText({ a: 'x'.repeat(1000) })).toBe(renderBounded(engineLiquid.parse(source), { a: 'x'.repeat(1000) }, limits));
    }
  });

  it('a join past the memory budget fails as Liquid fails it, naming the setting', () => {
    const compiled = compileTemplate("{% if a %}{{ a | join: ',' }}{% endif %}", 'text', { renderMs: 1000, outputBytes: 4 * 1024 * 1024, memory: 1000 });
    if (!compiled.ok) throw new Error('no parse');
    expect(() => compiled.template.renderText({ a: Array.from({ length: 600 }, () => 'x') })).toThrow(NodeError);
    expect(compiled.template.renderText({ a: ['x', 'y'] })).toBe('x,y');
  });
});
