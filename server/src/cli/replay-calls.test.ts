import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { parseCallLine, parseRecordedCalls } from './replay-calls.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

describe('parseRecordedCalls', () => {
  it('reads STC-3 rows: the row id is the call id, turns get t1, t2, … and keep their roles; an empty turn stays', () => {
    const calls = parseRecordedCalls(readFileSync(fixture('stc3-replay.jsonl'), 'utf8'), 'stc3-replay.jsonl');
    expect(calls.map((c) => [c.id, c.line, c.turns.length])).toEqual([
      ['stc3-3625372845010086', 1, 3],
      ['stc3-4001495064585245', 2, 2],
      ['stc3-3959185093600205', 3, 6],
      ['stc3-3648489064442602', 4, 4],
    ]);
    expect(calls[0]?.turns[1]).toEqual({ id: 't2', role: 'agent', text: '5101解决吧！' });
    expect(calls[3]?.turns.some((t) => t.text === '')).toBe(true);
  });

  it('reads Mofang transcripts: {id, transcript} with turn ids and times, and a bare {turns} named by file and line', () => {
    const calls = parseRecordedCalls(readFileSync(fixture('timed-calls.jsonl'), 'utf8'), '/some/dir/timed-calls.jsonl');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ id: 'timed-1', line: 1 });
    expect(calls[0]?.turns[1]).toEqual({ id: 'a2', role: 'customer', text: '我家宽带又断了，这个月第三次了，我要投诉。', start: 2.8, end: 6.1 });
    expect(calls[1]?.id).toBe('timed-calls.jsonl:3');
    expect(calls[1]?.turns.map((t) => [t.id, t.role])).toEqual([
      ['t1', 'agent'],
      ['t2', 'customer'],
    ]);
  });

  it('takes a transcript given as 坐席：/客户： lines, a numeric id and call_id', () => {
    const [call] = parseRecordedCalls('{"call_id": 42, "transcript": "坐席：您好\\n客户：宽带断了"}\n', 'x.jsonl');
    expect(call).toMatchObject({ id: '42', turns: [{ id: 't1', role: 'agent', text: '您好' }, { id: 't2', role: 'customer', text: '宽带断了' }] });
  });

  it('names the file and line of a bad line', () => {
    const good = '{"id": "c1", "turns": [{"role": "customer", "text": "你好"}]}';
    const cases: Array<[string, RegExp]> = [
      [`${good}\n{"id": "c2", "turns": [`, /^calls\.jsonl, line 2: not JSON/],
      [`${good}\n\n[1, 2]`, /^calls\.jsonl, line 3: expected a JSON object/],
      [`{"id": "c1", "quality": {}}`, /^calls\.jsonl, line 1: expected "turns"/],
      [`{"turns": []}`, /^calls\.jsonl, line 1: the call has no turns/],
      [`{"turns": [{"role": "customer"}]}`, /^calls\.jsonl, line 1: not a transcript: turns\.0\.text/],
      [`{"turns": [{"role": "customer", "text": "${'长'.repeat(20_001)}"}]}`, /^calls\.jsonl, line 1: turn 1: longer than 20000 characters/],
      [`{"id": "${'x'.repeat(129)}", "turns": [{"role": "agent", "text": "好"}]}`, /line 1: the call id is longer than 128/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseRecordedCalls(text, 'calls.jsonl'), message.source).toThrow(message);
    }
  });

  it('refuses a file with no calls', () => {
    expect(() => parseRecordedCalls('\n  \n', 'empty.jsonl')).toThrow(CliError);
    expect(() => parseRecordedCalls('', 'empty.jsonl')).toThrow(/empty\.jsonl holds no calls/);
  });

  it('skips a byte-order mark and CRLF line ends', () => {
    const calls = parseRecordedCalls('\uFEFF{"id": "a", "turns": [{"role": "agent", "text": "您好"}]}\r\n{"id": "b", "turns": [{"role": "agent", "text": "再见"}]}\r\n', 'crlf.jsonl');
    expect(calls.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('refuses a turn that ends before it starts, naming the turn, before any session is opened', () => {
    const line = JSON.stringify({ id: 'c1', transcript: { turns: [{ role: '客户', text: '宽带断了', start: 5, end: 1 }] } });
    expect(parseCallLine(line, 'f:1', 1)).toMatch(/^turn 1: end: a turn cannot end before it starts/);
  });

  it('parseCallLine returns the reason instead of throwing', () => {
    expect(parseCallLine('nope', 'f:1', 1)).toMatch(/^not JSON/);
  });

  it('refuses U+0000 in a call, naming the file, the line and the path (the NUL rule)', () => {
    expect(() => parseRecordedCalls('{"turns":[{"role":"客户","text":"ok"}]}\n{"turns":[{"role":"客户","text":"a\\u0000"}]}\n', 'calls.jsonl')).toThrow(/^calls\.jsonl, line 2: the call holds the NUL character \(U\+0000\) at turns\.0\.text/);
  });
});
