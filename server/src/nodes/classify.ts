import { OTHER_CLASS, type ClassifyConfig } from '@shared/nodes/classify.js';
import { objectSchema } from '@shared/json-schema.js';
import { ALIASES } from '../model/reply/coerce.js';
import { chatStructured, structuredOutput } from './structured.js';
import type { ServerNode } from './kit.js';

/** Words a model may answer with when nothing fits, all meaning the fallback class. */
const OTHER_ALIASES = ['其他', '其它', '其他类', '无', '未知', '都不是', 'none', 'unknown', 'others', 'n/a'];
import { readInput } from './transcript-input.js';

/** Classify: one structured model call picks a class; only that class's branch runs. */
export const classifyNode: ServerNode<ClassifyConfig> = {
  compile(config, ctx) {
    const ids = [...config.classes.map((c) => c.id), OTHER_CLASS];
    // A class may be answered by its name as well as its id (models often copy the name from the prompt).
    const aliases: Record<string, string> = Object.fromEntries(OTHER_ALIASES.map((a) => [a, OTHER_CLASS]));
    for (const c of config.classes) aliases[c.name] = c.id;
    const output = structuredOutput(
      objectSchema({
        label: { type: 'string', enum: ids, [ALIASES]: aliases },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
        reason: { type: 'string' },
      }),
      'classification',
    );
    const names = new Map(config.classes.map((c) => [c.id, c.name]));
    const catalogue = config.classes
      .map((c) => {
        const examples = c.examples.length > 0 ? `\n  例句: ${c.examples.map((e) => `“${e}”`).join('；')}` : '';
        return `- ${c.id}: ${c.name}${c.description ? `（${c.description}）` : ''}${examples}`;
      })
      .join('\n');
    const input = ctx.templates.input;
    const instructions = ctx.templates.instructions;
    return {
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      async run(exec) {
        const text = readInput(input?.render(exec.scope)).text;
        const extra = instructions?.renderText(exec.scope).trim();
        const system = `你是电信客服中心的意图分类器。从下列类别中选出最符合输入的一个，输出类别 id（label）、置信度（confidence，0 到 1）和简短理由（reason）。都不符合时 label 为 "${OTHER_CLASS}"。\n类别：\n${catalogue}${extra ? `\n\n补充说明：${extra}` : ''}`;
        const messages = [
          { role: 'system' as const, content: system },
          { role: 'user' as const, content: text },
        ];
        const { value } = await chatStructured(exec, { model: config.model, fallbackModel: config.fallbackModel, temperature: config.temperature, maxTokens: config.maxTokens, messages, output });
        const reply = isReply(value) ? value : { label: OTHER_CLASS, confidence: 0, reason: '' };
        const label = reply.confidence < config.minConfidence ? OTHER_CLASS : reply.label;
        const reason = label !== reply.label ? `置信度 ${reply.confidence} 低于阈值 ${config.minConfidence}；${reply.reason}` : reply.reason;
        return {
          outputs: { label, name: names.get(label) ?? '其他', confidence: reply.confidence, reason },
          branch: [label],
          inputs: { text },
        };
      },
    };
  },
};

function isReply(value: unknown): value is { label: string; confidence: number; reason: string } {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'label') === 'string' && typeof Reflect.get(value, 'confidence') === 'number';
}
