import { compileGraph, runPlan, type RunResult } from '../engine/index.js';
import { lineGraph, noServices } from '../engine/testing.js';
import { ScriptedModel, type ScriptedReply } from '../model/scripted.js';
import type { ChatRequest } from '../model/types.js';
import type { EngineServices } from './kit.js';

/**
 * Compiles start → one node → end and runs it: the way node tests exercise an executor through the
 * real compiler (templates, references, schemas) with a scripted model.
 */
export async function runOne(
  node: { id?: string; kind: string; config: Record<string, unknown> },
  outputs: Array<{ name: string; value: string; type?: string }>,
  inputs: Record<string, unknown>,
  answer: (request: ChatRequest) => ScriptedReply = () => 'ok',
  services: EngineServices = noServices,
  supportsJsonSchema = true,
): Promise<{ result: RunResult; model: ScriptedModel }> {
  const graph = lineGraph([{ id: node.id ?? 'n', kind: node.kind, config: node.config }], outputs);
  const compiled = compileGraph(graph);
  if (!compiled.ok) throw new Error(`does not compile: ${JSON.stringify(compiled.errors)}`);
  const model = new ScriptedModel(answer, supportsJsonSchema);
  const result = await runPlan(compiled.plan, inputs, { models: model.resolver(), services });
  return { result, model };
}
