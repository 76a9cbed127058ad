import { isRecord } from '@shared/json.js';
import { getNodeDefinition } from '@shared/nodes/index.js';
import type { ChatRequest, ChatResponse, ModelClient, ModelResolver } from '../model/types.js';
import { SimulatorClient } from '../simulator/client.js';
import { fast } from '../simulator/config.js';
import type { ExecutionPlan, PlanNode } from './plan.js';
import { runPlan, type RunResult } from './run/runtime.js';
import type { EngineServices } from '../nodes/kit.js';

/** One execution of a plan with every branch decision forced. */
export interface Explored {
  /** Branching node id → the port it was made to take. */
  choices: Record<string, string>;
  result: RunResult;
}

/**
 * Test helper: runs a plan down every path its branches allow. Each branching node is made to take each
 * of its ports in turn (a classifier by the model's reply, anything else by forcing its result), decided
 * lazily so that only combinations a run can reach are tried; every other model call is answered by the
 * zero-latency simulator with schema-valid values. Returns one entry per distinct path.
 */
export async function runEveryBranch(plan: ExecutionPlan, inputs: unknown, services: EngineServices, limit = 500): Promise<Explored[]> {
  const pending: Array<Record<string, string>> = [{}];
  const explored: Explored[] = [];
  const simulator = new SimulatorClient(fast());
  while (pending.length > 0 && explored.length < limit) {
    const choices = { ...pending.shift() };
    const decide = (node: PlanNode): string => {
      const existing = choices[node.id];
      if (existing !== undefined) return existing;
      const ports = [...new Set(node.outgoing.map((i) => plan.edges[i].sourcePort))];
      const prefix = { ...choices };
      for (const other of ports.slice(1)) pending.push({ ...prefix, [node.id]: other });
      return (choices[node.id] = ports[0]);
    };
    const nodes = plan.nodes.map((node): PlanNode => {
      if (getNodeDefinition(node.kind)?.role !== 'branch') return node;
      return {
        ...node,
        step: {
          ...node.step,
          async run(ctx) {
            const port = decide(node);
            const result = await node.step.run(ctx);
            // A classifier already followed the scripted label; a condition is overruled here.
            const outputs = isRecord(result.outputs) && typeof result.outputs.result === 'boolean' ? { ...result.outputs, result: port === 'true' } : result.outputs;
            return { ...result, outputs, branch: [port] };
          },
        },
      };
    });
    const forcedModel: ModelClient = {
      name: 'explorer',
      supportsJsonSchema: true,
      chat(request: ChatRequest): Promise<ChatResponse> {
        const node = plan.nodes.find((n) => n.id === request.nodeId);
        if (node?.kind === 'classify') {
          const text = JSON.stringify({ label: decide(node), confidence: 0.9, reason: 'forced by the branch explorer' });
          return Promise.resolve({ text, model: 'explorer', promptTokens: 1, completionTokens: 1, finishReason: 'stop' });
        }
        return simulator.chat(request);
      },
    };
    const models: ModelResolver = { resolve: (alias) => ({ client: forcedModel, model: alias }) };
    const result = await runPlan({ ...plan, nodes }, inputs, { models, services });
    explored.push({ choices, result });
  }
  return explored;
}
