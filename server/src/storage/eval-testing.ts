/** Test helpers of the evaluation and review repositories' tests (on either store). */
import { GRAPH_FORMAT } from '@shared/graph.js';
import { newId } from '../common/ids.js';
import type { DataStore } from './store.js';

/** A scenario row written straight into the store (the scenarios repository is not on the DataStore yet); its id. */
export async function scenarioIn(store: DataStore, name = 's'): Promise<string> {
  const id = newId();
  await store.db.insert(store.t.scenarios).values({ id, name, graph: { schema: GRAPH_FORMAT, name: 'g', nodes: [], edges: [] }, createdAt: 1, updatedAt: 1 });
  return id;
}
