import { isRecord } from '@shared/json.js';
import type { JsonSchema } from '@shared/json-schema.js';
import type { AuditConfig } from '@shared/nodes/audit.js';
import { ALIASES } from '../model/reply/coerce.js';
import { compileRule, type RuleOutcome } from './audit-rules.js';
import { chatStructured, structuredOutput } from './structured.js';
import type { ServerNode } from './kit.js';
import { knownTurnIds, readInput } from './transcript-input.js';

/**
 * Audit (scoring sheet): rule items are checked here; ALL model items go to the model in ONE structured
 * call. A passed or not-applicable item earns its weight; a failed fatal item fails the call outright.
 */
export const auditNode: ServerNode<AuditConfig> = {
  compile(config, ctx) {
    const rules = new Map(config.items.filter((i) => i.kind === 'rule' && i.rule).map((i) => [i.id, i.rule ? compileRule(i.rule) : null]));
    const modelItems = config.items.filter((i) => i.kind === 'model');
    const itemSchema: JsonSchema = {
      type: 'object',
      properties: {
        result: { type: 'string', enum: ['pass', 'fail', 'na'], [ALIASES]: RESULT_ALIASES },
        evidence: { type: 'array', items: { type: 'string' } },
        reason: { type: 'string' },
      },
      required: ['result', 'evidence', 'reason'],
      additionalProperties: false,
    };
    const output = structuredOutput(
      {
        type: 'object',
        properties: Object.fromEntries(modelItems.map((i) => [i.id, itemSchema])),
        required: modelItems.map((i) => i.id),
        additionalProperties: false,
        // An item may be keyed by its name as well as its id.
        [ALIASES]: Object.fromEntries(modelItems.map((i) => [i.name, i.id])),
      },
      'audit',
    );
    const criteria = modelItems.map((i) => `- ${i.id}（${i.name}）：${i.criterion ?? ''}`).join('\n');
    const maxScore = config.items.reduce((sum, i) => sum + i.weight, 0);
    const input = ctx.templates.input;
    const instructions = ctx.templates.instructions;
    return {
      timeoutMs: config.timeoutMs,
      retries: modelItems.length > 0 ? config.retries : 0,
      async run(exec) {
        const read = readInput(input?.render(exec.scope));
        const turns = read.turns ?? [{ id: 't1', role: 'unknown', text: read.text }];
        const judged = new Map<string, RuleOutcome>();
        let messages: Array<{ role: 'system' | 'user'; content: string }> | undefined;
        if (modelItems.length > 0) {
          const extra = instructions?.renderText(exec.scope).trim();
          messages = [
            {
              role: 'system',
              content: `你是电信客服中心的质检员。逐项判断下面的通话是否符合每个质检项：符合为 pass，不符合为 fail，本通话不涉及为 na。evidence 列出依据的对话轮次 id（如 "t3"），reason 用一句话说明。\n质检项：\n${criteria}${extra ? `\n\n补充说明：${extra}` : ''}`,
            },
            { role: 'user', content: read.text },
          ];
          const { value } = await chatStructured(exec, { model: config.model, fallbackModel: config.fallbackModel, temperature: config.temperature, maxTokens: config.maxTokens, messages, output });
          for (const item of modelItems) {
            const entry = isRecord(value) ? value[item.id] : undefined;
            const reply: Record<string, unknown> = isRecord(entry) ? entry : {};
            const result = reply.result === 'pass' || reply.result === 'fail' || reply.result === 'na' ? reply.result : 'na';
            judged.set(item.id, { result, evidence: knownTurnIds(reply.evidence, turns), reason: typeof reply.reason === 'string' ? reply.reason : '' });
          }
        }
        const items = config.items.map((item) => {
          const outcome = item.kind === 'rule' ? (rules.get(item.id)?.(turns) ?? { result: 'na' as const, evidence: [], reason: 'no rule' }) : judged.get(item.id);
          const { result, evidence, reason } = outcome ?? { result: 'na' as const, evidence: [], reason: '' };
          return { id: item.id, name: item.name, result, score: result === 'fail' ? 0 : item.weight, weight: item.weight, fatal: item.fatal, evidence, reason };
        });
        const score = items.reduce((sum, i) => sum + i.score, 0);
        const fatal = items.filter((i) => i.fatal && i.result === 'fail').map((i) => i.id);
        const verdict = fatal.length === 0 && score >= config.passScore ? 'pass' : 'fail';
        return { outputs: { items, score, maxScore, fatal, verdict }, inputs: { text: read.text, messages } };
      },
    };
  },
};

/** How models write a verdict in Chinese or English, for `pass` / `fail` / `na`. */
const RESULT_ALIASES: Record<string, string> = {
  ...Object.fromEntries(['通过', '合格', '符合', '满足', '是', '达标', 'yes', 'ok', 'passed', 'true'].map((w) => [w, 'pass'])),
  ...Object.fromEntries(['不通过', '未通过', '不合格', '不符合', '不满足', '违规', '否', '未达标', 'no', 'failed', 'false'].map((w) => [w, 'fail'])),
  ...Object.fromEntries(['不适用', '不涉及', '无', '无法判断', 'n/a', 'not applicable', 'none'].map((w) => [w, 'na'])),
};
