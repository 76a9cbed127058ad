/**
 * Copy-paste snippets for a published scenario's API: curl (JSON and SSE), TypeScript (fetch with typed
 * inputs and outputs) and Python (requests), each with the real slug and an example input.
 */
import type { ScenarioContract } from './api';
import { tsInterface, typePrefix } from './schema-to-ts';

export interface SnippetTarget {
  /** e.g. `http://127.0.0.1:3000`. */
  origin: string;
  slug: string;
  contract: ScenarioContract;
}

export type SnippetKind = 'curl' | 'sse' | 'ts' | 'python';

/** The run endpoint of a slug. */
export function runUrl(origin: string, slug: string): string {
  return `${origin}/v1/scenarios/${slug}/run`;
}

/** Quotes a string for a POSIX shell (single quotes; an inner `'` becomes `'\''`). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function curl(t: SnippetTarget, sse: boolean): string {
  const body = JSON.stringify({ inputs: t.contract.exampleInputs }, null, 2);
  return [
    // The stream is its own operation in the OpenAPI document (`…/run/stream`); the Accept header says so too.
    `curl${sse ? ' -N' : ''} -X POST ${runUrl(t.origin, t.slug)}${sse ? '/stream' : ''} \\`,
    `  -H "Authorization: Bearer $MOFANG_API_KEY" \\`,
    `  -H 'Content-Type: application/json' \\`,
    ...(sse ? [`  -H 'Accept: text/event-stream' \\`] : []),
    `  -d ${shellQuote(body)}`,
  ].join('\n');
}

function typescript(t: SnippetTarget): string {
  const p = typePrefix(t.slug);
  const example = JSON.stringify(t.contract.exampleInputs, null, 2).replace(/\n/g, '\n  ');
  return `${tsInterface(`${p}Inputs`, t.contract.inputSchema)}

${tsInterface(`${p}Outputs`, t.contract.outputSchema)}

export interface ${p}Result {
  run_id: string;
  scenario: string;
  version: number;
  status: 'succeeded';
  outputs: ${p}Outputs;
  usage: { model_calls: number; prompt_tokens: number; completion_tokens: number };
  latency_ms: number;
  model: string;
}

/** Runs "${t.slug}" and waits for the result. */
export async function run${p}(inputs: ${p}Inputs, apiKey: string): Promise<${p}Result> {
  const res = await fetch('${runUrl(t.origin, t.slug)}', {
    method: 'POST',
    headers: { Authorization: \`Bearer \${apiKey}\`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ inputs }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(\`\${res.status} \${body.error.code}: \${body.error.message} (run \${body.run_id})\`);
  return body;
}

const result = await run${p}(
  ${example},
  process.env.MOFANG_API_KEY ?? '',
);
console.log(result.outputs);
`;
}

/** A Python literal for a JSON value (strings in JSON's escaping, which Python reads the same), indented by `depth` levels of 4. */
export function pyLiteral(value: unknown, depth = 0): string {
  const pad = '    '.repeat(depth + 1);
  const end = '    '.repeat(depth);
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'None';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[\n${value.map((v) => `${pad}${pyLiteral(v, depth + 1)},`).join('\n')}\n${end}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pyLiteral(v, depth + 1)},`).join('\n')}\n${end}}`;
  }
  return 'None';
}

function python(t: SnippetTarget): string {
  const example = pyLiteral({ inputs: t.contract.exampleInputs }, 1);
  return `import os
import requests

resp = requests.post(
    "${runUrl(t.origin, t.slug)}",
    headers={"Authorization": f"Bearer {os.environ['MOFANG_API_KEY']}"},
    json=${example},
    timeout=60,
)
body = resp.json()
if not resp.ok:
    raise RuntimeError(f"{resp.status_code} {body['error']['code']}: {body['error']['message']} (run {body.get('run_id')})")
print(body["outputs"])
`;
}

/** Every snippet for a target. */
export function snippets(t: SnippetTarget): Record<SnippetKind, string> {
  return { curl: curl(t, false), sse: curl(t, true), ts: typescript(t), python: python(t) };
}
