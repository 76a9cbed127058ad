import { compileGraph, runPlan, type RunResult } from '../engine/index.js';
import type { EngineServices } from '../nodes/kit.js';
import type { ModelResolver } from '../model/types.js';
import type { TemplateFolder } from './builtin.js';

export interface Conversation {
  id: string;
  turns: Array<{ role: string; text: string }>;
}

export interface DataRunReport {
  template: string;
  total: number;
  succeeded: number;
  failures: Array<{ id: string; error: string }>;
  results: Map<string, RunResult>;
}

/**
 * Runs a template over conversations (as `{turns}` transcripts) with the given model, a few at a time,
 * and reports every failure: how CI proves a template holds up on real calls.
 */
export async function runTemplateOverData(template: TemplateFolder, conversations: Conversation[], models: ModelResolver, services: EngineServices, concurrency = 16): Promise<DataRunReport> {
  const compiled = compileGraph(template.graph, { templateLimits: services.templateLimits });
  if (!compiled.ok) throw new Error(`${template.meta.id} does not compile: ${JSON.stringify(compiled.errors)}`);
  const report: DataRunReport = { template: template.meta.id, total: conversations.length, succeeded: 0, failures: [], results: new Map() };
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < conversations.length) {
        const conversation = conversations[next++];
        const result = await runPlan(compiled.plan, { transcript: { turns: conversation.turns } }, { models, services });
        report.results.set(conversation.id, result);
        if (result.status === 'succeeded') report.succeeded++;
        else report.failures.push({ id: conversation.id, error: `${result.error?.code}: ${result.error?.message}` });
      }
    }),
  );
  return report;
}
