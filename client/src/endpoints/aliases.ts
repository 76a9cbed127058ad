/**
 * The model aliases nodes may pick, fetched once per page load (and again after the endpoints page
 * changes something): shared by every model node's picker.
 */
import { useEffect, useState } from 'react';
import { endpointsApi, type ModelAliasInfo } from './api';

let cached: Promise<ModelAliasInfo[]> | null = null;
const listeners = new Set<() => void>();

function load(): Promise<ModelAliasInfo[]> {
  cached ??= endpointsApi.aliases().then(
    (reply) => reply.aliases,
    (error: unknown) => {
      cached = null;
      throw error;
    },
  );
  return cached;
}

/** Forgets the list (after an endpoint was added, changed or removed); pickers on screen fetch it again. */
export function refreshAliases(): void {
  cached = null;
  for (const listener of listeners) listener();
}

/** The aliases, or null while loading (and after a failure: the picker then accepts any alias). */
export function useModelAliases(): ModelAliasInfo[] | null {
  const [aliases, setAliases] = useState<ModelAliasInfo[] | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const bump = () => setGeneration((g) => g + 1);
    listeners.add(bump);
    return () => void listeners.delete(bump);
  }, []);
  useEffect(() => {
    let live = true;
    load().then(
      (list) => live && setAliases(list),
      () => live && setAliases(null),
    );
    return () => {
      live = false;
    };
  }, [generation]);
  return aliases;
}
