/**
 * The model aliases nodes may pick, fetched once per page load (and again after the endpoints page
 * changes something): shared by every model node's picker.
 */
import { useEffect, useState } from 'react';
import { endpointsApi, type ModelAliasInfo } from './api';

let cached: Promise<ModelAliasInfo[]> | null = null;
/** The list `cached` resolved to, so a picker mounted later starts with it instead of null. */
let settled: ModelAliasInfo[] | null = null;
const listeners = new Set<() => void>();

function load(): Promise<ModelAliasInfo[]> {
  if (cached) return cached;
  const request: Promise<ModelAliasInfo[]> = endpointsApi.aliases().then(
    (reply) => {
      if (cached === request) settled = reply.aliases;
      return reply.aliases;
    },
    (error: unknown) => {
      if (cached === request) cached = null;
      throw error;
    },
  );
  cached = request;
  return request;
}

/** Forgets the list (after an endpoint was added, changed or removed); pickers on screen fetch it again. */
export function refreshAliases(): void {
  cached = null;
  settled = null;
  for (const listener of listeners) listener();
}

/**
 * The aliases, or null while loading (and after a failure: the picker then accepts any alias). Once
 * fetched, a picker mounted later starts with the list: selecting a node renders its panel once, not
 * once loading and again loaded (issue 13, `npm run bench:panel`).
 */
export function useModelAliases(): ModelAliasInfo[] | null {
  const [aliases, setAliases] = useState<ModelAliasInfo[] | null>(() => settled);
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
