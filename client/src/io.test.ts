import { describe, expect, it } from 'vitest';
import { readGraphFile } from './io';

const file = (text: string) => new File([text], 'scenario.json', { type: 'application/json' });

describe('readGraphFile', () => {
  it('reads a mofang.graph/v1 file', async () => {
    const graph = { schema: 'mofang.graph/v1', name: 'x', nodes: [], edges: [] };
    await expect(readGraphFile(file(JSON.stringify(graph)))).resolves.toEqual({ ok: true, graph });
  });
  it('says why a file is not a graph', async () => {
    const notJson = await readGraphFile(file('{oops'));
    expect(notJson.ok).toBe(false);
    const wrong = await readGraphFile(file(JSON.stringify({ schema: 'other', name: 'x', nodes: [], edges: [] })));
    expect(wrong).toMatchObject({ ok: false, reason: expect.stringContaining('schema') });
  });
});
