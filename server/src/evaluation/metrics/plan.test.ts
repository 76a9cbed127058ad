import { describe, expect, it } from 'vitest';
import type { MetricPlan, OutputMetricPlan } from '@shared/evaluation-metrics.js';
import { compileGraph } from '../../engine/index.js';
import { loadTemplateGraph } from '../../engine/testing.js';
import { plannedMetricNames } from './names.js';
import { planMetrics } from './plan.js';
import { scoreCases } from './score.js';

function templatePlan(name: string): MetricPlan {
  const compiled = compileGraph(loadTemplateGraph(name));
  if (!compiled.ok) throw new Error(`template ${name} does not compile`);
  return planMetrics(compiled.plan.outputSchema.properties ?? {});
}

const byOutput = (plan: MetricPlan): Record<string, OutputMetricPlan> => Object.fromEntries(plan.outputs.map((o) => [o.output, o]));

describe('planMetrics on the shipped templates', () => {
  it('complaint-risk: risk level and emotion are labels, warn a boolean label, reasons a list', () => {
    const p = byOutput(templatePlan('complaint-risk'));
    expect(p.risk_level).toMatchObject({ kind: 'label', reason: 'name_suggests_label' });
    expect(p.emotion).toMatchObject({ kind: 'label', reason: 'enum', labels: ['平静', '着急', '不满', '愤怒'] });
    expect(p.warn).toMatchObject({ kind: 'label', reason: 'boolean', labels: ['true', 'false'] });
    expect(p.reasons.kind).toBe('set');
  });

  it('call-quality-audit: items are an audit, score numeric, verdict a label, the report free text', () => {
    const p = byOutput(templatePlan('call-quality-audit'));
    expect(p.items).toMatchObject({ kind: 'audit', reason: 'audit_items' });
    expect(p.score).toMatchObject({ kind: 'numeric', tolerance: 0 });
    expect(p.verdict).toMatchObject({ kind: 'label', labels: ['pass', 'fail'] });
    expect(p.fatal).toMatchObject({ kind: 'set', reason: 'string_list' });
    expect(p.report).toMatchObject({ kind: 'text', reason: 'free_text', passAt: 0.8 });
  });

  it('broadband-repair: the classifier label is a label with its classes, the message free text', () => {
    const p = byOutput(templatePlan('broadband-repair'));
    expect(p.is_repair).toMatchObject({ kind: 'label', reason: 'enum', labels: ['broadband_fault', 'not_fault', 'other'] });
    expect(p.message.kind).toBe('text');
    expect(p.work_order.kind).toBe('form');
    expect(p.complete.kind).toBe('label');
  });

  it('intent-routing: level ids are labels, names free text, confidence numeric', () => {
    const p = byOutput(templatePlan('intent-routing'));
    expect(p.level1.kind).toBe('label');
    expect(p.level2.kind).toBe('label');
    expect(p.skill_group.kind).toBe('label');
    expect(p.level1_name.kind).toBe('text');
    expect(p.confidence.kind).toBe('numeric');
    expect(p.to_human.kind).toBe('label');
  });
});

describe('planMetrics on schemas', () => {
  it("plans an extract node's form field by field, phones by name or pattern", () => {
    const plan = planMetrics({
      form: {
        type: 'object',
        properties: {
          phone: { anyOf: [{ type: 'string', pattern: '^1[3-9]\\d{9}$' }, { type: 'null' }] },
          callback: { type: 'string', pattern: '^1[3-9]\\d{9}$' },
          address: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          tried: { type: 'array', items: { type: 'string' } },
          error_count: { type: 'integer' },
        },
      },
    });
    expect(plan.outputs[0]).toMatchObject({ kind: 'form', reason: 'object_fields' });
    expect(plan.outputs[0].fields).toEqual([
      { name: 'phone', normalizer: 'phone' },
      { name: 'callback', normalizer: 'phone' },
      { name: 'address', normalizer: 'text' },
      { name: 'tried', normalizer: 'text', list: true },
      { name: 'error_count', normalizer: 'number' },
    ]);
  });

  it('plans a whole audit result object as an audit', () => {
    const items = { type: 'array' as const, items: { type: 'object' as const, properties: { id: { type: 'string' as const }, result: { type: 'string' as const } } } };
    expect(planMetrics({ audit: { type: 'object', properties: { items, score: { type: 'number' }, verdict: { type: 'string' } } } }).outputs[0]).toMatchObject({ kind: 'audit', reason: 'audit_shape' });
  });

  it('reads ids as exact, open objects as open forms, untyped values as exact', () => {
    const plan = byOutput(planMetrics({ order_id: { type: 'string' }, contact_phone: { type: 'string' }, extra: { type: 'object', additionalProperties: true }, result: {} }));
    expect(plan.order_id).toMatchObject({ kind: 'exact', reason: 'name_suggests_id', normalizer: 'text' });
    expect(plan.contact_phone).toMatchObject({ kind: 'exact', normalizer: 'phone' });
    expect(plan.extra).toMatchObject({ kind: 'form', reason: 'open_object', fields: [] });
    expect(plan.result).toMatchObject({ kind: 'exact', reason: 'untyped' });
  });

  it('applies overrides by output name: kind, normaliser, tolerance, pass mark, field normalisers', () => {
    const plan = byOutput(
      planMetrics(
        { summary: { type: 'string' }, score: { type: 'number' }, level: { type: 'integer' }, form: { type: 'object', properties: { account: { type: 'string' } } }, note: { type: 'string' } },
        { summary: { pass_at: 0.6 }, score: { tolerance: 5 }, level: { kind: 'label' }, form: { fields: { account: 'none', mobile: 'phone' } }, note: { kind: 'skip' }, missing: { kind: 'text' } },
      ),
    );
    expect(plan.summary).toMatchObject({ kind: 'text', reason: 'free_text', passAt: 0.6 });
    expect(plan.score).toMatchObject({ kind: 'numeric', tolerance: 5 });
    expect(plan.level).toMatchObject({ kind: 'label', reason: 'override' });
    expect(plan.form.fields).toEqual([
      { name: 'account', normalizer: 'none' },
      { name: 'mobile', normalizer: 'phone' },
    ]);
    expect(plan.note).toMatchObject({ kind: 'skip', reason: 'override' });
    expect(plan.missing).toBeUndefined();
  });

  it('gives an output switched to text or numeric the settings that kind needs', () => {
    const plan = byOutput(planMetrics({ a: { type: 'string', enum: ['x'] }, b: { type: 'string' } }, { a: { kind: 'text' }, b: { kind: 'numeric' } }));
    expect(plan.a).toMatchObject({ kind: 'text', passAt: 0.8 });
    expect(plan.b).toMatchObject({ kind: 'numeric', tolerance: 0, normalizer: 'number' });
  });
});

describe('plannedMetricNames', () => {
  it('lists the names a result gives when every output and class is expected', () => {
    const plan = planMetrics(
      {
        level: { type: 'string', enum: ['Low', 'High'] },
        form: { type: 'object', properties: { phone: { type: 'string' }, address: { type: 'string' } } },
        score: { type: 'number' },
        cues: { type: 'array', items: { type: 'string' } },
        reason: { type: 'string' },
        note: { type: 'string' },
      },
      { note: { kind: 'skip' } },
    );
    const names = plannedMetricNames(plan);
    expect(names).toContain('level.recall[high]');
    expect(names).toContain('form.exact_match[phone]');
    expect(names.some((n) => n.startsWith('note.'))).toBe(false);
    const full = { level: 'High', form: { phone: '13800138000', address: '文三路90号' }, score: 80, cues: ['12300'], reason: '客户扬言投诉' };
    const result = scoreCases(plan, [
      { id: '1', expected: full, actual: full },
      { id: '2', expected: { ...full, level: 'low' }, actual: full },
    ]);
    expect(Object.keys(result.metrics).sort()).toEqual([...names].sort());
  });
});

