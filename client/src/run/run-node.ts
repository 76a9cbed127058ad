import { RunNodeResultSchema, type RunNodeResult } from '@shared/run-node';
import type { Graph } from '@shared/graph';
import { api, sendJson } from '../api';
import { useRun } from './run-store';

/**
 * Runs one node of the canvas's graph alone on the server, with the inputs its upstream produced in a
 * test run: the run shown on the canvas when there is one, else the scenario's newest. The node's new
 * trace replaces its entry in the shown run (the source run is loaded first when none is shown), so its
 * result tab shows it. Rejects with the server's ApiError (`no_last_run`, `upstream_not_run`, …).
 */
export async function runNodeAlone(scenarioId: string, nodeId: string, graph: Graph): Promise<RunNodeResult> {
  const shown = useRun.getState();
  const runId = shown.status !== 'idle' && shown.status !== 'running' && shown.runId ? shown.runId : undefined;
  const reply = RunNodeResultSchema.parse(
    await sendJson<unknown>('POST', `/api/scenarios/${encodeURIComponent(scenarioId)}/run-node`, { node_id: nodeId, graph, ...(runId ? { run_id: runId } : {}) }),
  );
  if (useRun.getState().runId !== reply.source_run_id) useRun.getState().show((await api.getRun(reply.source_run_id)).events);
  useRun.getState().showNode(reply.events, reply.simulated);
  return reply;
}
