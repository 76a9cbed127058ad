import { describe, expect, it } from 'vitest';
import { Liquid } from 'liquidjs';
import { NO_FILES, SAFE_LIQUID_OPTIONS, TemplateFileAccessError } from '@shared/template-policy.js';
import { NodeError } from '../../nodes/kit.js';
import { DEFAULT_TEMPLATE_LIMITS, liquid as engineLiquid, type TemplateLimits } from './liquid.js';
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
      // Own properties of strings and arrays, an object's size, first/last of objects, like liquidjs.
      '{{ start.transcript.text.length }} {{ start.transcript.turns.length }} {{ start.transcript.text.0 }} {{ start.transcript.text[1] }}',
      '{{ extract_1.form.size }} {{ extract_1.form.nested.size }} {{ extract_1.form.first }} {{ extract_1.form.tags.last }} {{ extract_1.missing.first }}',
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
    for (const source of ['{{ extract_1.form.tags | join: "、" }}', '{% if start.flag %}x{% endif %}', '{{- start.n -}}', '{{ start["n"] }}', '{{ true }}', '{{ nil }}', '{{ empty }}', 'a {{ blank }} b']) {
      expect(plainRenderer(source), source).toBeNull();
      const compiled = compileTemplate(source, 'text');
      expect(compiled.ok && compiled.template.renderText(scope)).toBe(liquid.parseAndRenderSync(source, scope));
    }
  });
});

/** What rendering a template throws (a NodeError), or a failure when it renders. */
function renderError(source: string, scope: Record<string, unknown>, limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS, field = 'body'): NodeError {
  const compiled = compileTemplate(source, 'text', limits);
  if (!compiled.ok) throw new Error(`${source} does not parse: ${compiled.message}`);
  try {
    compiled.bind(field).renderText(scope);
  } catch (error) {
    if (error instanceof NodeError) return error;
    throw error;
  }
  throw new Error(`${source} rendered`);
}

describe('templates cannot touch the file system', () => {
  it('refuses include, render and layout at compile time, however they are written', () => {
    const sources: Array<[string, string]> = [
      ["{% include 'package.json' %}", 'include'],
      ['{% include start.text %}', 'include'],
      ["{% render 'data/mofang.db' %}", 'render'],
      ["{% layout 'package.json' %}body", 'layout'],
      ["{%- include 'package.json' -%}", 'include'],
      ["{% if start.flag %}{% else %}{% include 'package.json' %}{% endif %}", 'include'],
      ["{% for t in start.transcript.turns %}{% render 'x', t: t %}{% endfor %}", 'render'],
      ["{% liquid\n  include 'package.json'\n%}", 'include'],
    ];
    for (const [source, tag] of sources) {
      const compiled = compileTemplate(source, 'text');
      expect(compiled, source).toMatchObject({ ok: false, code: 'template_file_access', tag });
      if (!compiled.ok) expect(compiled.message).toContain(`{% ${tag} %} is not allowed`);
    }
  });

  it('reads no file at render time even on an instance without the tag guard', () => {
    // The engine's own instance: the tags are refused however the template arrives.
    expect(() => engineLiquid.parseAndRenderSync("{% include 'package.json' %}", {})).toThrow(/not allowed/);
    // A plain instance with the same options: lookups find nothing and reads throw.
    const bare = new Liquid(SAFE_LIQUID_OPTIONS);
    for (const source of ["{% include 'package.json' %}", "{% render './package.json' %}", "{% layout '/etc/hostname' %}x", '{% include name %}']) {
      let out = '';
      expect(() => (out = bare.parseAndRenderSync(source, { name: 'package.json' })), source).toThrow();
      expect(out).toBe('');
    }
    expect(() => NO_FILES.readFileSync('package.json')).toThrow(TemplateFileAccessError);
    expect(NO_FILES.existsSync('package.json')).toBe(false);
    expect(engineLiquid.options.fs).toBe(NO_FILES);
    expect(engineLiquid.options.relativeReference).toBe(false);
  });

  it('still parses every other tag', () => {
    const source = '{% assign n = start.transcript.turns.size %}{% capture c %}{{ n }}轮{% endcapture %}{% case n %}{% when 2 %}{{ c }}{% endcase %}{% unless start.flag %}!{% endunless %}{% raw %}{{ x }}{% endraw %}{% comment %}no{% endcomment %}';
    const compiled = compileTemplate(source, 'text');
    expect(compiled.ok && compiled.template.renderText(scope)).toBe('2轮!{{ x }}');
  });
});

describe('templates are bounded', () => {
  it('fails a huge range at once with the memory limit and its setting', () => {
    const started = performance.now();
    const error = renderError('{% for i in (1..100000000) %}{{ i }}{% endfor %}', scope);
    expect(performance.now() - started).toBeLessThan(100);
    expect(error.code).toBe('template_limit');
    expect(error.details).toEqual({ field: 'body', limit: 'memory', value: DEFAULT_TEMPLATE_LIMITS.memory, setting: 'MOFANG_TEMPLATE_MEMORY' });
    expect(error.message).toContain('field "body"');
    expect(error.message).toContain('MOFANG_TEMPLATE_MEMORY');
  });

  it('stops a long loop at the render time limit, holding the event loop not much longer', () => {
    const limits = { ...DEFAULT_TEMPLATE_LIMITS, renderMs: 50 };
    const list = Array.from({ length: 300 }, (_, i) => i);
    // 27 million steps (seconds of work) and a million-element range; bounds are loose for a loaded machine.
    for (const [source, bound] of [
      ['{% for a in start.list %}{% for b in start.list %}{% for c in start.list %}x{% endfor %}{% endfor %}{% endfor %}', 1000],
      ['{% for i in (1..1000000) %}{% endfor %}', 1500],
    ] as const) {
      const started = performance.now();
      const error = renderError(source, { start: { list } }, limits, 'user');
      const elapsed = performance.now() - started;
      expect(error.details, source).toEqual({ field: 'user', limit: 'renderMs', value: 50, setting: 'MOFANG_TEMPLATE_RENDER_MS' });
      expect(elapsed, source).toBeGreaterThanOrEqual(45);
      expect(elapsed, source).toBeLessThan(bound);
    }
  });

  it('stops a render of few but costly steps at three times the limit', () => {
    // Each step holds the thread 10 ms (as `contains` over a caller's 100 000-item list does): 400 steps.
    const costly = { start: { get tags() {
      const until = performance.now() + 10;
      while (performance.now() < until);
      return ['投诉'];
    } } };
    const started = performance.now();
    const error = renderError("{% for i in (1..400) %}{% if start.tags contains '投诉' %}x{% endif %}{% endfor %}", costly, { ...DEFAULT_TEMPLATE_LIMITS, renderMs: 20 }, 'user');
    expect(error.details).toMatchObject({ limit: 'renderMs', setting: 'MOFANG_TEMPLATE_RENDER_MS' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('does not stop a small template the machine was too busy to run in time', () => {
    // A getter that holds the thread stands in for a descheduled process: 3 steps, 30 ms, a 20 ms limit
    // (within the hard limit of 3 × 20 ms that stops a render of few but costly steps).
    const slow = { start: { get text() {
      const until = performance.now() + 10;
      while (performance.now() < until);
      return '慢';
    } } };
    const compiled = compileTemplate('{{ start.text | strip }}{{ start.text | strip }}{{ start.text | strip }}', 'text', { ...DEFAULT_TEMPLATE_LIMITS, renderMs: 20 });
    expect(compiled.ok && compiled.template.renderText(slow)).toBe('慢慢慢');
  });

  it('bounds the output, by Liquid, by the fast path and for text with no references', () => {
    const limits = { ...DEFAULT_TEMPLATE_LIMITS, outputBytes: 1000 };
    const big = { start: { text: '宽'.repeat(400) } }; // 1,200 bytes of UTF-8 in 400 characters
    const cases = ['{% for i in (1..200) %}0123456789{% endfor %}', '{{ start.text | upcase }}', '{{ start.text }}', 'x'.repeat(1001)];
    for (const source of cases) {
      const error = renderError(source, big, limits);
      expect(error.details, source).toEqual({ field: 'body', limit: 'outputBytes', value: 1000, setting: 'MOFANG_TEMPLATE_OUTPUT_BYTES' });
    }
    const fine = compileTemplate('{{ start.text }}', 'text', { ...limits, outputBytes: 1200 });
    expect(fine.ok && fine.template.renderText(big)).toHaveLength(400);
  });

  it('counts text built in captures and with | raw against the memory limit', () => {
    for (const source of [
      '{% assign s = "ab" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s.size }}',
      '{% capture s %}x{% endcapture %}{% for i in (1..40) %}{% capture s %}{{ s | raw }}{{ s | raw }}{% endcapture %}{% endfor %}{{ s.size }}',
      '{% capture s %}x{% endcapture %}{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s.size }}',
    ]) {
      expect(renderError(source, scope).details, source).toMatchObject({ limit: 'memory' });
    }
  });

  it('reports any other render failure as a template error naming the field', () => {
    const error = renderError('{{ "%E0%A4%A" | url_decode }}', scope, DEFAULT_TEMPLATE_LIMITS, 'instructions');
    expect(error.code).toBe('template_error');
    expect(error.message).toContain('field "instructions"');
  });

  it('leaves ordinary templates alone', () => {
    const compiled = compileTemplate('{% for t in start.transcript.turns %}{{ t.role }}:{{ t.text | raw }};{% endfor %}', 'text');
    expect(compiled.ok && compiled.template.renderText(scope)).toBe('agent:您好;customer:宽带断了;');
  });
});
