import { z } from 'zod';

export const UsageSchema = z.object({
  model_calls: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  /** Present and true when some call's endpoint reported no usage and its tokens were counted here. */
  tokens_estimated: z.boolean().optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

/** A fresh zero usage record. */
export function emptyUsage(): Usage {
  return { model_calls: 0, prompt_tokens: 0, completion_tokens: 0 };
}

/** Adds `b` into `a` in place and returns `a`. */
export function addUsage(a: Usage, b: Usage): Usage {
  a.model_calls += b.model_calls;
  a.prompt_tokens += b.prompt_tokens;
  a.completion_tokens += b.completion_tokens;
  if (b.tokens_estimated) a.tokens_estimated = true;
  return a;
}
