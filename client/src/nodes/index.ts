import { nodeDefinitions, type NodeKind } from '@shared/index';
import { defineClientNode, type ClientNodeKit } from './kit';
import { StartPanel } from './start/Panel';
import { EndPanel } from './end/Panel';
import { LlmPanel } from './llm/Panel';
import { ClassifyPanel } from './classify/Panel';
import { ExtractPanel } from './extract/Panel';
import { AuditPanel } from './audit/Panel';
import { ConditionPanel } from './condition/Panel';
import { MergePanel } from './merge/Panel';
import { TemplatePanel } from './template/Panel';
import { CodePanel } from './code/Panel';
import { HttpPanel } from './http/Panel';

const d = nodeDefinitions;

/** The first line of a text, shortened for a card. */
function line(text: string, max = 40): string {
  const first = text.trim().split('\n')[0] ?? '';
  return first.length > max ? `${first.slice(0, max)}…` : first;
}

/** Each kind's client side: card summary and config panel. A kind missing here does not compile. */
export const clientNodes = {
  start: defineClientNode(d.start, { Panel: StartPanel, summary: (c) => c.inputs.map((i) => `${i.name}: ${i.type}`).join(', ') }),
  end: defineClientNode(d.end, { Panel: EndPanel, summary: (c) => c.outputs.map((o) => o.name).join(', ') }),
  llm: defineClientNode(d.llm, { Panel: LlmPanel, summary: (c) => `${c.output === 'json' ? `JSON(${c.fields.map((f) => f.name).join(', ')}) · ` : ''}${line(c.user || c.system)}` }),
  classify: defineClientNode(d.classify, { Panel: ClassifyPanel, summary: (c) => line(c.input) }),
  extract: defineClientNode(d.extract, { Panel: ExtractPanel, summary: (c) => c.fields.map((f) => f.label || f.name).join('、') }),
  audit: defineClientNode(d.audit, {
    Panel: AuditPanel,
    summary: (c, lang) => (lang === 'zh' ? `${c.items.length} 项，${c.items.filter((i) => i.fatal).length} 条红线，及格 ${c.passScore}` : `${c.items.length} items, ${c.items.filter((i) => i.fatal).length} red lines, pass ${c.passScore}`),
  }),
  condition: defineClientNode(d.condition, { Panel: ConditionPanel, summary: (c) => c.conditions.map((x) => `${line(x.left, 24)} ${x.op} ${x.right}`).join(` ${c.combine} `) }),
  merge: defineClientNode(d.merge, { Panel: MergePanel, summary: (c) => c.values.map((v) => line(v, 20)).join(' | ') }),
  template: defineClientNode(d.template, { Panel: TemplatePanel, summary: (c) => line(c.template) }),
  code: defineClientNode(d.code, { Panel: CodePanel, summary: (c) => `main(${c.inputs.map((i) => i.name).join(', ')}) → ${c.outputs.map((o) => o.name).join(', ')}` }),
  http: defineClientNode(d.http, { Panel: HttpPanel, summary: (c) => `${c.method} ${line(c.url, 36)}` }),
} satisfies Record<NodeKind, ClientNodeKit>;

/** The client kit of a kind, or undefined for a kind this build does not know. */
export function clientNode(kind: string): ClientNodeKit | undefined {
  return Object.prototype.hasOwnProperty.call(clientNodes, kind) ? Object.entries(clientNodes).find(([k]) => k === kind)?.[1] : undefined;
}

export const CATEGORY_COLORS: Record<string, string> = { io: '#13a8a8', ai: '#722ed1', logic: '#d46b08', data: '#1677ff', integration: '#c41d7f' };
