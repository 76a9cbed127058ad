import type { ChatMessage } from './types.js';

type Counter = (text: string) => number;
let counter: Promise<Counter> | undefined;

/** The tokenizer, loaded on first use: its tables cost start-up time and memory a server may never need. */
function loadCounter(): Promise<Counter> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => m.countTokens);
  return counter;
}

/**
 * Token counts for an endpoint that reports no usage. Counted with OpenAI's o200k_base encoding
 * (gpt-tokenizer): not the deployed model's own tokenizer, so an estimate (Qwen's and TeleChat's
 * vocabularies split Chinese text about as finely), marked as such wherever it is shown. The prompt adds
 * 4 tokens a message for the chat template's role markers, as OpenAI's cookbook counts them
 * ("How to count tokens with tiktoken").
 */
export async function estimatePromptTokens(messages: ChatMessage[]): Promise<number> {
  const countTokens = await loadCounter();
  let total = 3;
  for (const m of messages) total += 4 + countTokens(m.content);
  return total;
}

/** Tokens of generated text (the answer and any reasoning), by the same estimate. */
export async function estimateCompletionTokens(...texts: string[]): Promise<number> {
  const countTokens = await loadCounter();
  let total = 0;
  for (const text of texts) if (text) total += countTokens(text);
  return total;
}
