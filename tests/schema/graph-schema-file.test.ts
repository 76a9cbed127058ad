import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GRAPH_SCHEMA_FILE, graphSchemaFileText } from '../../scripts/export-schema.js';

describe(GRAPH_SCHEMA_FILE, () => {
  it('is the schema generated from shared/src/graph.ts (run `npm run schema:export` after changing it)', () => {
    const committed = readFileSync(new URL(`../../${GRAPH_SCHEMA_FILE}`, import.meta.url), 'utf8');
    expect(committed).toBe(graphSchemaFileText());
  });
});
