/**
 * The words Mofang adds to a structured node's prompt: the schema for an endpoint without
 * `response_format: json_schema`, and the repair request after a reply that does not match. Product
 * text, kept here so a reviewer can read and diff it.
 */
import type { JsonSchema } from '@shared/json-schema.js';
import type { ChatMessage } from '../model/types.js';

/** The messages with an instruction to answer in JSON matching the schema, added to the system message. */
export function schemaInPrompt(messages: ChatMessage[], schema: JsonSchema): ChatMessage[] {
  const instruction = `只输出一个符合以下 JSON Schema 的 JSON 对象，不要输出其他内容。\nReply with only a JSON object that conforms to this JSON Schema:\n\`\`\`json\n${JSON.stringify(schema)}\n\`\`\``;
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...rest];
  return [{ role: 'system', content: instruction }, ...messages];
}

/** The follow-up that asks the model to correct its reply, naming what was wrong. */
export function repairPrompt(problem: string): string {
  return `上面的回复不符合要求：${problem}。请只输出修正后的 JSON 对象，不要任何解释。\nThe reply above is not valid: ${problem}. Reply with only the corrected JSON object.`;
}
