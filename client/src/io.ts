import { GraphSchema, type Graph } from '@shared/index';

/** Reads a chosen `.json` file as a graph, or says why it is not one. */
export async function readGraphFile(file: File): Promise<{ ok: true; graph: Graph } | { ok: false; reason: string }> {
  let data: unknown;
  try {
    data = JSON.parse(await file.text());
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const parsed = GraphSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid graph' };
  }
  return { ok: true, graph: parsed.data };
}

/** Offers a graph as a downloaded `<name>.json` file. */
export function downloadGraph(graph: Graph): void {
  const blob = new Blob([JSON.stringify(graph, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${graph.name.replace(/[\\/:*?"<>|]+/g, '_') || 'scenario'}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** Opens the browser's file picker for one `.json` file. */
export function pickJsonFile(): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.json,application/json';
    input.onchange = () => resolve(input.files?.[0] ?? null);
    input.click();
  });
}
