/**
 * `npm run schema:export`: writes schema/mofang.graph.v1.json from the shared zod graph schema, for
 * outside tools and editors. A unit test checks the committed file is up to date.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { graphJsonSchema } from '@shared/graph.js';

/** Where the schema file lives, relative to the repository root. */
export const GRAPH_SCHEMA_FILE = 'schema/mofang.graph.v1.json';

/** The file's exact text: pretty JSON with a trailing newline. */
export function graphSchemaFileText(): string {
  return `${JSON.stringify(graphJsonSchema(), null, 2)}\n`;
}

const root = fileURLToPath(new URL('..', import.meta.url));
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = path.join(root, GRAPH_SCHEMA_FILE);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, graphSchemaFileText());
  console.log(`wrote ${GRAPH_SCHEMA_FILE}`);
}
