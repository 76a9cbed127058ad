/**
 * Scenario drafts for publishing tests on either store, written through the DataStore.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Graph } from '@shared/graph.js';
import type { DataStore } from '../storage/store.js';

/** Stores a new scenario with this draft; returns its id. */
export async function draftIn(store: DataStore, graph: Graph, name = graph.name): Promise<string> {
  const id = randomUUID();
  await store.db.insert(store.t.scenarios).values({ id, name, description: '', graph, createdAt: Date.now(), updatedAt: Date.now(), revision: 1 });
  return id;
}

/** Replaces a scenario's draft. */
export async function saveDraftIn(store: DataStore, id: string, graph: Graph): Promise<void> {
  await store.db.update(store.t.scenarios).set({ graph, updatedAt: Date.now() }).where(eq(store.t.scenarios.id, id));
}
