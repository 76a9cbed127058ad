import { describe, expect, it } from 'vitest';
import { Liquid } from 'liquidjs';
import { compileTemplate, plainRenderer } from './templates.js';

/** The engine's Liquid settings, for comparison with the fast path. */
const liquid = new Liquid({
  outputEscape: (value: unknown) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value ?? '')),
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
});

const scope = {
  start: { transcript: { text: '[t1] agent: 您好', turns: [{ id: 't1', role: 'agent', text: '您好' }, { id: 't2', role: 'customer', text: '宽带断了' }] }, n: 0, flag: false, 字段: '中文键' },
  extract_1: { form: { phone: '13912345678', amount: 12.5, vip: null, tags: ['宽带', '报修'], nested: { a: 1 } }, missing: [] },
};

describe('templates: the plain fast path renders exactly as Liquid', () => {
  it('agrees with Liquid on text with plain outputs of every kind of value', () => {
    const sources = [
      '电话 {{ extract_1.form.phone }}，金额 {{extract_1.form.amount}} 元',
      '{{ start.transcript.turns.size }} 轮，首轮 {{ start.transcript.turns.first.text }}，末轮 {{ start.transcript.turns.last.id }}',
      '{{ start.transcript.turns[1].text }} / {{ start.transcript.turns.0.role }} / {{ start.transcript.text.size }}',
      'vip={{ extract_1.form.vip }} tags={{ extract_1.form.tags }} nested={{ extract_1.form.nested }} missing={{ extract_1.missing }}',
      '{{ start.n }} {{ start.flag }} {{ start.字段 }} {{ nobody.here }} {{ extract_1.form.phone.size }} {{ extract_1.form.nope.deeper }}',
      '没有变量的文本',
    ];
    for (const source of sources) {
      const fast = plainRenderer(source);
      expect(fast, source).not.toBeNull();
      expect(fast?.(scope), source).toBe(liquid.parseAndRenderSync(source, scope));
      const compiled = compileTemplate(source, 'text');
      expect(compiled.ok && compiled.template.renderText(scope)).toBe(liquid.parseAndRenderSync(source, scope));
    }
  });

  it('leaves filters, tags and whitespace control to Liquid', () => {
    for (const source of ['{{ extract_1.form.tags | join: "、" }}', '{% if start.flag %}x{% endif %}', '{{- start.n -}}', '{{ start["n"] }}']) {
      expect(plainRenderer(source), source).toBeNull();
      const compiled = compileTemplate(source, 'text');
      expect(compiled.ok && compiled.template.renderText(scope)).toBe(liquid.parseAndRenderSync(source, scope));
    }
  });
});
