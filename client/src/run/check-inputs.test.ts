import { describe, expect, it } from 'vitest';
import i18n from 'i18next';
import type { StartInput } from '@shared/index';
import { zh } from '../i18n/zh';
import { en } from '../i18n/en';
import { checkRunInputs, jsonErrorAt } from './check-inputs';

const t = await (async () => {
  const inst = i18n.createInstance();
  await inst.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng: 'zh', interpolation: { escapeValue: false } });
  return inst;
})();

const inputs: StartInput[] = [
  { name: 'transcript', type: 'transcript', required: true, description: '' },
  { name: 'meta', type: 'object', required: false, description: '' },
  { name: 'count', type: 'integer', required: false, description: '' },
];

describe('checkRunInputs', () => {
  it('names a required input left empty, and sends nothing', () => {
    const result = checkRunInputs(inputs, { transcript: '  ' }, t.t);
    expect(result).toEqual({ ok: false, errors: { transcript: '“transcript”是必填项' } });
  });

  it('says where bad JSON is wrong, in the UI language, without the parser message', async () => {
    const result = checkRunInputs(inputs, { transcript: '坐席：您好', meta: '{\n  "a": 1,\n}' }, t.t);
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.errors.meta;
    expect(message).toMatch(/^“meta”不是有效的 JSON（第 3 行/);
    expect(message).not.toMatch(/Unexpected|Expected|SyntaxError|position/);
    await t.changeLanguage('en');
    const english = checkRunInputs(inputs, { transcript: 'x', meta: '{"a": ' }, t.t);
    expect(english.ok ? '' : english.errors.meta).toMatch(/^"meta" is not valid JSON/);
    await t.changeLanguage('zh');
  });

  it('sends parsed values: a transcript as lines or JSON, objects parsed, numbers as numbers', () => {
    const result = checkRunInputs(inputs, { transcript: '{"turns":[{"role":"agent","text":"您好"}]}', meta: '{"a":1}', count: '3' }, t.t);
    expect(result).toEqual({ ok: true, sent: { transcript: { turns: [{ role: 'agent', text: '您好' }] }, meta: { a: 1 }, count: 3 } });
    expect(checkRunInputs(inputs, { transcript: 'x', count: 'abc' }, t.t)).toEqual({ ok: false, errors: { count: '“count”需要填数字' } });
  });
});

describe('jsonErrorAt', () => {
  it('reads the line and column from the parser, whatever its wording', () => {
    expect(jsonErrorAt('{\n "a": }', 'Unexpected token } in JSON at position 8')).toEqual({ line: 2, column: 7 });
    expect(jsonErrorAt('x', "Expected ',' or '}' after property value in JSON at position 9 (line 2 column 3)")).toEqual({ line: 2, column: 3 });
    expect(jsonErrorAt('{"a":', 'Unexpected end of JSON input')).toEqual({ line: 1, column: 6 });
    expect(jsonErrorAt('x', 'something else')).toBeUndefined();
  });
});
