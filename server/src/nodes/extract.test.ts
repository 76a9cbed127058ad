import { describe, expect, it } from 'vitest';
import { runOne } from './run-node.testing.js';

const FIELDS = [
  { name: 'name', required: true },
  { name: 'phone', required: true, pattern: '^1[3-9]\\d{9}$', patternHint: '11 位手机号' },
  { name: 'plan', enum: ['宽带', '手机'] },
  { name: 'floor', type: 'integer' },
  { name: 'slot', required: true },
];

describe('extract node', () => {
  it('fills the form, checks patterns and enums, lists missing and invalid fields, keeps evidence', async () => {
    const { result, model } = await runOne(
      { kind: 'extract', config: { fields: FIELDS } },
      [{ name: 'r', value: '{{ n }}' }],
      { transcript: '坐席：您好\n客户：我叫李雷，电话 139-1234-5678，办的是光纤，住 5 楼' },
      () => ({ json: { form: { name: '李雷', phone: '139-1234-5678', plan: '光纤', floor: '5', slot: null }, evidence: { name: ['t2'], phone: ['t2'], plan: ['t2'], floor: ['t9'], slot: [] } } }),
    );
    expect(result.status).toBe('succeeded');
    const out = result.outputs?.r as { form: Record<string, unknown>; missing: string[]; invalid: Array<{ field: string }>; evidence: Record<string, string[]>; complete: boolean };
    expect(out.form).toEqual({ name: '李雷', phone: '13912345678', plan: null, floor: 5, slot: null });
    expect(out.missing).toEqual(['slot']);
    expect(out.invalid.map((i) => i.field)).toEqual(['plan']);
    expect(out.evidence).toEqual({ name: ['t2'], phone: ['t2'], plan: [], floor: [], slot: [] });
    expect(out.complete).toBe(false);
    const schema = model.requests[0].responseFormat;
    expect(schema?.type === 'json_schema' && JSON.stringify(schema.json_schema.schema)).toContain('pattern');
    expect(model.requests[0].messages[0].content).toContain('11 位手机号');
  });

  it('an invalid phone is reported, not passed on', async () => {
    const { result } = await runOne({ kind: 'extract', config: { fields: FIELDS.slice(0, 2) } }, [{ name: 'r', value: '{{ n }}' }], { transcript: '客户：电话 12345' }, () => ({
      json: { form: { name: '王', phone: '12345' }, evidence: { name: [], phone: ['t1'] } },
    }));
    const out = result.outputs?.r as { form: Record<string, unknown>; invalid: Array<{ field: string; value: unknown; reason: string }> };
    expect(out.form.phone).toBeNull();
    expect(out.invalid).toEqual([{ field: 'phone', value: '12345', reason: '应为11 位手机号' }]);
  });
});
