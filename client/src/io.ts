import { GraphSchema, type Graph } from '@shared/index';
import { issueDetails } from '@shared/issues';
import { ApiError } from './api';

/**
 * A picked file's text parsed as JSON, or an {@link ApiError} `import_not_json` naming the file (details
 * `{ file }`), so `errorText` says it in the UI's language instead of the browser's parser message.
 */
export async function readJsonFile(file: File): Promise<{ ok: true; text: string; data: unknown } | { ok: false; error: ApiError }> {
  const text = await file.text();
  try {
    return { ok: true, text, data: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: new ApiError(0, 'import_not_json', error instanceof Error ? error.message : String(error), { file: file.name }) };
  }
}

/**
 * Reads a chosen `.json` file as a graph, or says why it is not one: an {@link ApiError} `import_not_json`
 * (not JSON) or `invalid_file` with the schema issues as details (translated with their field named).
 */
export async function readGraphFile(file: File): Promise<{ ok: true; graph: Graph } | { ok: false; error: ApiError }> {
  const read = await readJsonFile(file);
  if (!read.ok) return read;
  const parsed = GraphSchema.safeParse(read.data);
  if (!parsed.success) return { ok: false, error: new ApiError(0, 'invalid_file', parsed.error.issues[0]?.message ?? 'invalid graph', issueDetails(parsed.error.issues.slice(0, 3))) };
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
