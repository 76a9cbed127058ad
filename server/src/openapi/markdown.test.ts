import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '@shared/json-schema.js';
import { scenarioDocument, aggregateDocument, type DocumentedScenario } from './document.js';
import { escapeSchemaDescriptions, markdownText } from './markdown.js';

const IMG = '<img src=x onerror=alert(1)>';
const LINK = '[点我](javascript:alert(6))';

describe('markdownText', () => {
  it('escapes what would open HTML, a link, an image, code, emphasis or an entity', () => {
    expect(markdownText(IMG)).toBe('\\<img src=x onerror=alert(1)>');
    expect(markdownText(LINK)).toBe('\\[点我\\](javascript:alert(6))');
    expect(markdownText('![i](x) *a* _b_ `c` &lt; &#60; a|b ~~s~~ \\')).toBe('!\\[i\\](x) \\*a\\* \\_b\\_ \\`c\\` \\&lt; \\&#60; a\\|b \\~\\~s\\~\\~ \\\\');
  });

  it('escapes a heading or a quote only at the start of a line', () => {
    expect(markdownText('# 标题\n  > 引用\n工单 #12 > 10')).toBe('\\# 标题\n  \\> 引用\n工单 #12 > 10');
  });

  it('leaves plain text as it is, an underscore inside a word and a bare ampersand too', () => {
    for (const text of ['通话转写：JSON 轮次，或“坐席：/客户：”逐行文本 (v1.2)', 'pass 合格 / fail 不合格', 'broadband_fault 为宽带报修', '报修_工单', 'A & B', 'a > b']) expect(markdownText(text)).toBe(text);
    expect(markdownText('window.__pwned _x')).toBe('window.\\_\\_pwned \\_x');
  });
});

describe('escapeSchemaDescriptions', () => {
  const schema: JsonSchema = {
    type: 'object',
    description: IMG,
    properties: {
      description: { type: 'string', description: LINK },
      list: { type: 'array', items: { type: 'string', description: '<b>' } },
      either: { anyOf: [{ type: 'string', description: '<i>' }, { type: 'null' }] },
      topic: { type: 'string', enum: [IMG], default: IMG, examples: [{ description: IMG }] },
    },
  };

  it('escapes descriptions at every depth and keeps data values as they are', () => {
    const out = escapeSchemaDescriptions(schema);
    expect(out.description).toBe(markdownText(IMG));
    expect(out).toMatchObject({
      properties: {
        description: { description: markdownText(LINK) },
        list: { items: { description: '\\<b>' } },
        either: { anyOf: [{ description: '\\<i>' }, { type: 'null' }] },
        topic: { enum: [IMG], default: IMG, examples: [{ description: IMG }] },
      },
    });
  });

  it('does not change the schema it was given', () => {
    const before = JSON.stringify(schema);
    escapeSchemaDescriptions(schema);
    expect(JSON.stringify(schema)).toBe(before);
  });

  it('documents a part deeper than any graph makes as any value, without recursing without end', () => {
    let deep: JsonSchema = { type: 'string', description: IMG };
    for (let i = 0; i < 500; i++) deep = { type: 'array', items: deep };
    expect(JSON.stringify(escapeSchemaDescriptions(deep))).not.toContain('<img');
  });
});

describe('OpenAPI documents', () => {
  const scenario: DocumentedScenario = {
    slug: 'hostile',
    name: `质检 ${IMG}`,
    description: `${LINK} <script>alert(2)</script>`,
    version: 1,
    inputSchema: { type: 'object', properties: { transcript: { type: 'string', description: IMG } }, required: ['transcript'] },
    outputSchema: { type: 'object', properties: { verdict: { type: 'string', enum: [IMG], description: LINK } } },
  };

  it('put no raw user markup in any description, and keep names, enums and examples as typed', () => {
    for (const doc of [scenarioDocument(scenario, { serverUrl: 'http://127.0.0.1' }), aggregateDocument([scenario], { serverUrl: 'http://127.0.0.1', version: '1.0.0' })]) {
      const descriptions: string[] = [];
      JSON.stringify(doc, (key, value) => {
        if (key === 'description' && typeof value === 'string') descriptions.push(value);
        return value;
      });
      for (const d of descriptions) expect(d.replace(/\\[<[\]]/g, '')).not.toMatch(/<img|<script|\[点我\]/);
      expect(JSON.stringify(doc.tags)).toContain(JSON.stringify(markdownText(scenario.name)).slice(1, -1));
      const plain = JSON.parse(JSON.stringify(doc));
      expect(plain.components.schemas['hostile.Outputs'].properties.verdict.enum).toEqual([IMG]);
    }
    expect(scenarioDocument(scenario, { serverUrl: 'http://127.0.0.1' }).info).toMatchObject({ title: `质检 ${IMG} (hostile)`, description: markdownText(scenario.description ?? '') });
  });

  it('names the scenario escaped when it has no description', () => {
    const info = scenarioDocument({ ...scenario, description: undefined }, { serverUrl: 'http://127.0.0.1' }).info;
    expect(info).toMatchObject({ description: `The published API of the Mofang scenario "质检 \\<img src=x onerror=alert(1)>", version 1.` });
  });
});
