import type { ChatMessage } from './types.js';

type Counter = (text: string) => number;
let counter: Promise<Counter> | undefined;

/** Longest piece given to the tokenizer at once, in characters. */
const PIECE = 64;
/** Characters counted exactly; a longer text is counted this far and scaled. */
const SAMPLE = 65_536;

/** The tokenizer, loaded on first use: its tables cost start-up time and memory a server may never need. */
function loadCounter(): Promise<Counter> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => (text: string) => countInPieces(text, m.countTokens));
  return counter;
}

/**
 * Counts a text piece by piece. Byte-pair encoding takes time that grows with the square of a run with
 * no break in it (a long stretch of spaces, of one letter, of Chinese without punctuation): 200,000
 * spaces took 35 s in one call. Pieces of at most 64 characters, cut at a break where there is one,
 * keep it linear; a cut inside a run changes the count by a token or so, which an estimate can afford.
 */
export function countInPieces(text: string, count: Counter): number {
  // Past 64k characters the rest is scaled from what was counted: an estimate stays an estimate, cheaply.
  if (text.length > SAMPLE) {
    const head = countInPieces(text.slice(0, SAMPLE), count);
    return Math.round((head * text.length) / SAMPLE);
  }
  // A long run of whitespace is slow to encode and carries nothing: about one token per 16 characters.
  let total = 0;
  text = text.replace(/\s{32,}/g, (run) => {
    total += Math.ceil(run.length / 16);
    return ' ';
  });
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + PIECE);
    if (end < text.length) {
      const window = text.slice(start, end);
      const cut = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\n'), window.lastIndexOf('，'), window.lastIndexOf('。'));
      if (cut > PIECE / 2) end = start + cut + 1;
      // Never between the two halves of a surrogate pair.
      const code = text.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    }
    total += count(text.slice(start, end));
    start = end;
  }
  return total;
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
