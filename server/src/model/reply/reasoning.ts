/** A model reply with its reasoning set apart from the answer. */
export interface SplitReply {
  /** What the model answered: the text a node reads, parses and outputs. */
  answer: string;
  /** The model's reasoning, for the trace only; never parsed for the answer. */
  reasoning: string;
}

const BLOCK = /<(think|thinking)>([\s\S]*?)<\/\1\s*>/gi;
const CLOSE = /<\/(think|thinking)\s*>/gi;
const OPEN = /<(think|thinking)>/i;

/**
 * Separates a reply's reasoning from its answer. Reasoning arrives in a field of its own when the server
 * runs a reasoning parser (`reasoning_content` from vLLM, SGLang and DeepSeek's API; `reasoning` from
 * newer vLLM, Ollama and OpenRouter), passed here as `field`, or inside the content between `<think>`
 * and `</think>` (also `<thinking>`), as Qwen3, QwQ, DeepSeek-R1 distills and GLM-Z1 write it when the
 * server does not parse it. R1-style chat templates open the tag in the prompt, so a reply may hold only
 * the closing tag (everything before it is reasoning); a reply cut off while thinking holds only the
 * opening tag (everything after it is reasoning).
 */
export function splitReasoning(content: string, field = ''): SplitReply {
  if (!/<\/?think/i.test(content)) return { answer: content, reasoning: field.trim() };
  const parts: string[] = field.trim() ? [field.trim()] : [];
  let rest = content.replace(BLOCK, (_match, _tag: string, inner: string) => {
    if (inner.trim()) parts.push(inner.trim());
    return '';
  });
  // Only a closing tag left: the opening one was in the prompt.
  let lastClose = -1;
  let closeLength = 0;
  for (const match of rest.matchAll(CLOSE)) {
    lastClose = match.index ?? -1;
    closeLength = match[0].length;
  }
  if (lastClose >= 0) {
    const before = rest.slice(0, lastClose).trim();
    if (before) parts.push(before);
    rest = rest.slice(lastClose + closeLength);
  }
  // Only an opening tag left: the reply stopped while the model was still thinking.
  const open = OPEN.exec(rest);
  if (open) {
    const after = rest.slice(open.index + open[0].length).trim();
    if (after) parts.push(after);
    rest = rest.slice(0, open.index);
  }
  return { answer: rest.trim(), reasoning: parts.join('\n\n') };
}
