import { fieldsObjectSchema } from '@shared/nodes/fields.js';
import type { LlmConfig } from '@shared/nodes/llm.js';
import { ModelError, type ChatMessage } from '../model/types.js';
import { chatStructured, structuredOutput } from './structured.js';
import type { ServerNode } from './kit.js';

/**
 * LLM: renders the prompts and asks the model for text or for JSON with the configured fields (every
 * field present; an optional one the call did not give is null). A text reply stopped by max_tokens is
 * kept and flagged `truncated` (with a warning); one with no answer at all fails as `truncated`.
 */
export const llmNode: ServerNode<LlmConfig> = {
  compile(config, ctx) {
    const system = ctx.templates.system;
    const user = ctx.templates.user;
    const output = config.output === 'json' ? structuredOutput(fieldsObjectSchema(config.fields, { nullableOptional: true }), 'output') : undefined;
    return {
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      async run(exec) {
        const messages: ChatMessage[] = [];
        const systemText = system?.renderText(exec.scope) ?? '';
        if (systemText.trim()) messages.push({ role: 'system', content: systemText });
        messages.push({ role: 'user', content: user?.renderText(exec.scope) ?? '' });
        const settings = { model: config.model, fallbackModel: config.fallbackModel, temperature: config.temperature, maxTokens: config.maxTokens };
        if (output) {
          const { value, raw } = await chatStructured(exec, { ...settings, messages, output });
          return { outputs: { json: value, text: raw }, inputs: { messages } };
        }
        const response = await exec.chat({ ...settings, messages });
        if (response.finishReason !== 'length') return { outputs: { text: response.text, truncated: false }, inputs: { messages } };
        if (!response.text.trim()) {
          throw new ModelError('truncated', `the model used all of max_tokens (${config.maxTokens}) before answering; raise the node's maxTokens`);
        }
        exec.warn({ code: 'truncated', message: `the reply stopped at max_tokens (${config.maxTokens}); the text is incomplete`, details: { max_tokens: config.maxTokens } });
        return { outputs: { text: response.text, truncated: true }, inputs: { messages } };
      },
    };
  },
};
