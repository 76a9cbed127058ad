import { describe, expect, it } from 'vitest';
import { parseTranscript } from './transcript.js';

describe('parseTranscript', () => {
  it('reads 坐席/客户 lines with full-width and ASCII colons, continuing unlabelled lines', () => {
    const parsed = parseTranscript('坐席：您好，工号 1024\n客户: 宽带坏了\n  光猫红灯\nAgent: ok');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.transcript.turns).toEqual([
      { id: 't1', role: 'agent', text: '您好，工号 1024' },
      { id: 't2', role: 'customer', text: '宽带坏了\n光猫红灯' },
      { id: 't3', role: 'agent', text: 'ok' },
    ]);
    expect(parsed.transcript.text).toContain('[t2] customer: 宽带坏了');
  });

  it('reads timestamps in [start-end] prefixes', () => {
    const parsed = parseTranscript('[0.0-2.5] 坐席：您好\n[3.1-4] 客户：你好');
    expect(parsed.ok && parsed.transcript.turns[1]).toEqual({ id: 't2', role: 'customer', text: '你好', start: 3.1, end: 4 });
  });

  it('accepts JSON turns (object, array or JSON string) and keeps given ids', () => {
    const a = parseTranscript({ turns: [{ id: 'u7', role: 'customer', text: 'hi' }, { role: '客服', text: 'hello' }], meta: { call: 1 } });
    expect(a.ok && a.transcript.turns).toEqual([
      { id: 'u7', role: 'customer', text: 'hi' },
      { id: 't2', role: 'agent', text: 'hello' },
    ]);
    expect(a.ok && a.transcript.meta).toEqual({ call: 1 });
    const b = parseTranscript(JSON.stringify([{ role: 'agent', text: 'x' }]));
    expect(b.ok && b.transcript.turns.length).toBe(1);
  });

  it('explains what is wrong', () => {
    expect(parseTranscript('hello there')).toEqual({ ok: false, error: expect.stringContaining('speaker label') });
    expect(parseTranscript({ turns: [{ role: 'agent' }] })).toEqual({ ok: false, error: expect.stringContaining('turns.0.text') });
    expect(parseTranscript('')).toEqual({ ok: false, error: expect.stringContaining('empty') });
  });
});
