import { describe, expect, it } from 'vitest';
import { runOne } from './run-node.testing.js';

const CALL = {
  turns: [
    { role: 'agent', text: '您好，工号 1024，请问有什么可以帮您？', start: 0, end: 3 },
    { role: 'customer', text: '你们太坑了，我要投诉！', start: 4, end: 6 },
    { role: 'agent', text: '请问您的手机号码是多少？', start: 7, end: 9 },
    { role: 'customer', text: '13912345678', start: 20, end: 21 },
    { role: 'agent', text: '请问您的手机号码是多少？', start: 22, end: 24 },
    { role: 'agent', text: '请问您的手机号码是多少？', start: 25, end: 27 },
    { role: 'agent', text: '感谢来电，再见', start: 28, end: 29 },
  ],
};

const rule = (id: string, r: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ id, name: id, kind: 'rule', weight: 10, rule: r, ...extra });

describe('audit node', () => {
  it('checks rule items by keywords, regex, position, timing and repetition, with evidence turns', async () => {
    const items = [
      rule('greeting', { check: 'keywords', keywords: ['您好', '工号'], match: 'all', scope: { role: 'agent', position: 'first', turns: 1 } }),
      rule('closing', { check: 'regex', pattern: '再见|感谢来电', scope: { role: 'agent', position: 'last', turns: 1 } }),
      rule('forbidden', { check: 'keywords', keywords: ['滚'], expect: 'absent', scope: { role: 'agent' } }, { fatal: true, weight: 0 }),
      rule('silence', { check: 'timing', metric: 'max_silence', max: 8 }),
      rule('repeat', { check: 'repetition', times: 3 }),
      rule('complaint_word', { check: 'keywords', keywords: ['投诉'], scope: { role: 'customer' } }),
    ];
    const { result, model } = await runOne({ kind: 'audit', config: { items, passScore: 40 } }, [{ name: 'a', value: '{{ n }}' }], { transcript: CALL });
    expect(model.requests).toHaveLength(0);
    expect(result.status).toBe('succeeded');
    const out = result.outputs?.a as { items: Array<{ id: string; result: string; evidence: string[] }>; score: number; maxScore: number; verdict: string; fatal: string[] };
    const byId = Object.fromEntries(out.items.map((i) => [i.id, i]));
    expect(byId.greeting).toMatchObject({ result: 'pass', evidence: ['t1'] });
    expect(byId.closing).toMatchObject({ result: 'pass', evidence: ['t7'] });
    expect(byId.forbidden.result).toBe('pass');
    expect(byId.silence).toMatchObject({ result: 'fail', evidence: ['t3', 't4'] });
    expect(byId.repeat).toMatchObject({ result: 'fail', evidence: ['t3', 't5', 't6'] });
    expect(byId.complaint_word).toMatchObject({ result: 'pass', evidence: ['t2'] });
    expect(out.score).toBe(30);
    expect(out.maxScore).toBe(50);
    expect(out.verdict).toBe('fail');
  });

  it('a failed fatal item fails the call whatever the score; timing without times is na', async () => {
    const items = [
      rule('abuse', { check: 'keywords', keywords: ['坑'], expect: 'absent' }, { fatal: true }),
      rule('fast', { check: 'timing', metric: 'first_response', max: 1 }),
    ];
    const text = '坐席：您好\n客户：你们太坑了';
    const { result } = await runOne({ kind: 'audit', config: { items, passScore: 0 } }, [{ name: 'a', value: '{{ n }}' }], { transcript: text });
    const out = result.outputs?.a as { items: Array<{ id: string; result: string }>; verdict: string; fatal: string[] };
    expect(out.fatal).toEqual(['abuse']);
    expect(out.verdict).toBe('fail');
    expect(out.items.find((i) => i.id === 'fast')?.result).toBe('na');
  });

  it('judges all model items in one structured call and keeps only real turn ids', async () => {
    const items = [
      { id: 'empathy', name: '安抚', kind: 'model', weight: 50, criterion: '客户不满时是否道歉安抚' },
      { id: 'resolved', name: '解决', kind: 'model', weight: 50, criterion: '问题是否解决' },
    ];
    const { result, model } = await runOne({ kind: 'audit', config: { items } }, [{ name: 'a', value: '{{ n }}' }], { transcript: CALL }, () => ({
      json: { empathy: { result: 'fail', evidence: ['t2', 't3', 't42'], reason: '未道歉' }, resolved: { result: 'pass', evidence: ['[t7]'], reason: '已处理' } },
    }));
    expect(model.requests).toHaveLength(1);
    const request = model.requests[0];
    expect(request.responseFormat?.type).toBe('json_schema');
    expect(request.messages[0].content).toContain('empathy');
    expect(request.messages[0].content).toContain('resolved');
    expect(request.messages[1].content).toContain('[t2] customer: 你们太坑了');
    const out = result.outputs?.a as { items: Array<{ id: string; result: string; evidence: string[] }>; score: number };
    expect(out.items[0]).toMatchObject({ result: 'fail', evidence: ['t2', 't3'] });
    expect(out.items[1]).toMatchObject({ result: 'pass', evidence: ['t7'] });
    expect(out.score).toBe(50);
  });
});
