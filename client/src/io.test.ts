import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import { errorText } from './auth/error-text';
import { en } from './i18n/en';
import { zh } from './i18n/zh';
import { readGraphFile } from './io';

const file = (text: string) => new File([text], 'scenario.json', { type: 'application/json' });

describe('readGraphFile', () => {
  it('reads a mofang.graph/v1 file', async () => {
    const graph = { schema: 'mofang.graph/v1', name: 'x', nodes: [], edges: [] };
    await expect(readGraphFile(file(JSON.stringify(graph)))).resolves.toEqual({ ok: true, graph });
  });
  it('says why a file is not a graph', async () => {
    const notJson = await readGraphFile(file('{oops'));
    expect(notJson).toMatchObject({ ok: false, error: { code: 'import_not_json', details: { file: 'scenario.json' } } });
    const wrong = await readGraphFile(file(JSON.stringify({ schema: 'other', name: 'x', nodes: [], edges: [] })));
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_file', details: [expect.objectContaining({ path: 'schema', code: 'invalid_value' })] } });
  });
  it('says it in the UI language with the file named, not in the browser parser words', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng: 'zh', interpolation: { escapeValue: false } });
    const say = async (text: string) => {
      const read = await readGraphFile(file(text));
      return read.ok ? '' : errorText(read.error, i18n.t, (k) => i18n.exists(k));
    };
    expect(await say('not json at all')).toBe('“scenario.json”不是 JSON 文件：请选择魔方导出的 .json 文件');
    expect(await say(JSON.stringify({ schema: 'other', name: 'x', nodes: [], edges: [] }))).toMatch(/^schema：只能是以下之一/);
  });
});
