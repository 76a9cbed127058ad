import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import type { CompileProblem } from '@shared/index';
import { en } from '../i18n/en';
import { zh } from '../i18n/zh';
import { problemText } from './problem-text';

async function translator(lng: 'zh' | 'en') {
  const i18n = i18next.createInstance();
  await i18n.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng, interpolation: { escapeValue: false } });
  return i18n;
}

describe('problemText', () => {
  const refused: CompileProblem = {
    nodeId: 'note',
    field: 'template',
    code: 'template_file_access',
    message: 'node 备注 (note), field "template": {% include %} is not allowed, templates cannot read files; write the text into the template itself',
    params: { node: '备注 (note)', field: 'template', tag: 'include' },
  };

  it('reads a refused file tag in Chinese and in English, naming the node, field and tag', async () => {
    const zhI18n = await translator('zh');
    expect(problemText(refused, zhI18n.t, zhI18n)).toBe('节点 备注 (note) 的字段“template”：不允许使用 {% include %}。模板不能读取文件，请把要复用的文字直接写进这个模板。');
    const enI18n = await translator('en');
    expect(problemText(refused, enI18n.t, enI18n)).toBe('Node 备注 (note), field “template”: {% include %} is not allowed. Templates cannot read files; write the text into this template itself.');
  });
});

describe('problemText variants', () => {
  it('reads a schema issue by its zod code and a port problem by its hint', async () => {
    const zhI18n = await translator('zh');
    const zodIssue: CompileProblem = { nodeId: 'llm', field: 'maxTokens', code: 'invalid_config', message: 'maxTokens: Too big: expected number to be <=32768', params: { hint: 'zod', issue: 'too_big', origin: 'number', maximum: 32768, inclusive: 1 } };
    expect(problemText(zodIssue, zhI18n.t, zhI18n)).toBe('不能大于 32768');
    const port: CompileProblem = { edgeId: 'e1', nodeId: 'end', code: 'edge_missing_port', message: 'end node "end" has no input port "x" (it has: in)', params: { hint: 'input', node: 'end', port: 'x', known: 'in' } };
    expect(problemText(port, zhI18n.t, zhI18n)).toBe('节点“end”没有输入端口“x”（现有：in）');
  });
});
