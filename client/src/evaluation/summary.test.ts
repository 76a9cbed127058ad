import { describe, expect, it } from 'vitest';
import { inputsSummary, valueText } from './summary';

describe('case summaries', () => {
  it('shows a transcript as its turns and cuts long text', () => {
    expect(inputsSummary({ transcript: { turns: [{ role: 'customer', text: '宽带断了' }, { role: 'agent', text: '马上处理' }] } }, 200)).toBe('transcript: customer：宽带断了 / agent：马上处理');
    expect(inputsSummary({ transcript: '坐席：您好' }, 8)).toBe('transcri…');
    expect(valueText({ a: 1 }, 20)).toBe('{"a":1}');
    expect(valueText(true, 20)).toBe('true');
  });

  it("names a transcript's speakers in the UI language", () => {
    const zh: Record<string, string> = { agent: '坐席', customer: '客户' };
    const label = (role: string) => zh[role] ?? role;
    expect(inputsSummary({ transcript: { turns: [{ role: 'customer', text: '宽带断了' }, { role: 'agent', text: '马上处理' }, { role: 'system', text: '转接' }] } }, 200, label)).toBe('transcript: 客户：宽带断了 / 坐席：马上处理 / system：转接');
  });
});
