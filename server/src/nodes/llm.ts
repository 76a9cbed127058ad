import { fieldsObjectSchema } from '@shared/nodes/fields.js';
import type { LlmConfig } from '@shared/nodes/llm.js';
import type { ChatMessage } from '../model/types.js';
import { compileSchema } from '../engine/validation.js';
import { chatStructured } from './structured.js';
import type { ServerNode } from './kit.js';

/** LLM: renders the prompts and asks the model for text or for JSON with the configured fields. */
export const llmNode: ServerNode<LlmConfig> = {
  compile(config, ctx) {
    const system = ctx.templates.system;
    const user = ctx.templates.user;
    const schema = config.output === 'json' ? fieldsObjectSchema(config.fields) : undefined;
    const validate = schema ? compileSchema(schema) : undefined;
    return {
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      async run(exec) {
        const messages: ChatMessage[] = [];
        const systemText = system?.renderText(exec.scope) ?? '';
        if (systemText.trim()) messages.push({ role: 'system', content: systemText });
        messages.push({ role: 'user', content: user?.renderText(exec.scope) ?? '' });
        const settings = { model: config.model, temperature: config.temperature, maxTokens: config.maxTokens };
        if (schema && validate) {
          const { value, raw } = await chatStructured(exec, { ...settings, messages, schema, validate, name: 'output' });
          return { outputs: { json: value, text: raw }, inputs: { messages } };
        }
        const response = await exec.chat({ ...settings, messages });
        return { outputs: { text: response.text }, inputs: { messages } };
      },
    };
  },
};
