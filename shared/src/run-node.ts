/**
 * `POST /api/scenarios/:id/run-node`: run one node of the draft alone, its inputs taken from a test run
 * (the last one unless `run_id` names another): the outputs its upstream produced there.
 */
import { z } from 'zod';
import { RunErrorSchema, RunEventSchema } from './events.js';
import { UsageSchema } from './usage.js';
import { V1TraceNodeSchema } from './v1.js';

export const RunNodeBodySchema = z.object({
  node_id: z.string().min(1),
  /** The test run whose upstream outputs are used; the scenario's newest test run when absent. */
  run_id: z.string().min(1).optional(),
  /** The graph as the canvas has it (unsaved edits); the stored draft when absent. */
  graph: z.unknown().optional(),
});
export type RunNodeBody = z.infer<typeof RunNodeBodySchema>;

/** What one node did when run alone: its trace entry and the events it emitted (to show it on the canvas). */
export const RunNodeResultSchema = z.object({
  run_id: z.string(),
  /** The test run the inputs were taken from. */
  source_run_id: z.string(),
  node_id: z.string(),
  status: z.enum(['succeeded', 'failed']),
  node: V1TraceNodeSchema.nullable(),
  events: z.array(RunEventSchema),
  error: RunErrorSchema.optional(),
  usage: UsageSchema,
  latency_ms: z.number(),
  /** True when the built-in simulator answered the node's model calls (its outputs are made up). */
  simulated: z.boolean(),
});
export type RunNodeResult = z.infer<typeof RunNodeResultSchema>;
