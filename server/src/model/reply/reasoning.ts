/** A model reply with its reasoning set apart from the answer. */
export interface SplitReply {
  /** What the model answered: the text a node reads, parses and outputs. */
  answer: string;
  /** The model's reasoning, for the trace only; never parsed for the answer. */
  reasoning: string;
}

const TAG = /<(\/?)(think|thinking)\s*>/gi;

/**
 * Separates a reply's reasoning from its answer. Reasoning arrives in a field of its own when the server
 * runs a reasoning parser (`reasoning_content` from vLLM, SGLang and DeepSeek's API; `reasoning` from
 * newer vLLM, Ollama and OpenRouter), passed here as `field`, or inside the content between `<think>`
 * and `</think>` (also `<thinking>`), as Qwen3, QwQ, DeepSeek-R1 distills and GLM-Z1 write it when the
 * server does not parse it. R1-style chat templates open the tag in the prompt, so a reply may hold only
 * the closing tag (everything before it is reasoning); a reply cut off while thinking holds only the
 * opening tag (everything after it is reasoning). One pass over the tags, so any number of them costs
 * time in proportion to the reply's length.
 */
export function splitReasoning(content: string, field = ''): SplitReply {
  if (!/<\/?think/i.test(content)) return { answer: content, reasoning: field.trim() };
  const parts: string[] = field.trim() ? [field.trim()] : [];
  const kept: Array<[number, number]> = [];
  let from = 0;
  let open: { name: string; end: number; start: number } | null = null;
  // Text before the last closing tag with no opening one is reasoning as well.
  let orphanClose = -1;
  for (const match of content.matchAll(TAG)) {
    const at = match.index ?? 0;
    const closing = match[1] === '/';
    const name = match[2].toLowerCase();
    if (!open && !closing) {
      kept.push([from, at]);
      open = { name, start: at, end: at + match[0].length };
    } else if (open && closing && name === open.name) {
      const inner = content.slice(open.end, at).trim();
      if (inner) parts.push(inner);
      open = null;
      from = at + match[0].length;
    } else if (!open && closing) {
      kept.push([from, at]);
      orphanClose = kept.length;
      from = at + match[0].length;
    }
  }
  if (open) {
    const after = content.slice(open.end).trim();
    if (after) parts.push(after);
  } else {
    kept.push([from, content.length]);
  }
  const before = kept.slice(0, Math.max(0, orphanClose)).map(([a, b]) => content.slice(a, b)).join('').trim();
  if (before) parts.push(before);
  const answer = kept.slice(Math.max(0, orphanClose)).map(([a, b]) => content.slice(a, b)).join('');
  return { answer: answer.trim(), reasoning: parts.join('\n\n') };
}
