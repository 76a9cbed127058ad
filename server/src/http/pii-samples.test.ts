import { describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { maskValue } from '@shared/pii.js';
import { keepMaskedSamples } from './pii-samples.js';

const graph = (inputs?: Record<string, unknown>): Graph => ({ schema: GRAPH_FORMAT, name: 'g', nodes: [], edges: [], ...(inputs === undefined ? {} : { inputs }) });
const STORED = { transcript: '客户：电话 13912345678', channel: 'hotline', form: { phone: '13912345678' } };

describe('keepMaskedSamples', () => {
  it('keeps the stored value of each sample sent back exactly as it was shown masked', () => {
    const shown = maskValue(STORED) as Record<string, unknown>;
    expect(shown.transcript).toBe('客户：电话 139****5678');
    expect(keepMaskedSamples(graph(shown), graph(STORED)).inputs).toEqual(STORED);
  });
  it('saves an edited or new sample as sent, and drops a removed one', () => {
    const sent = { transcript: '客户：电话 139****5678 又断了', extra: 1 };
    expect(keepMaskedSamples(graph(sent), graph(STORED)).inputs).toEqual(sent);
  });
  it('returns the graph itself when nothing is restored or nothing is stored', () => {
    const g = graph({ channel: 'hotline' });
    expect(keepMaskedSamples(g, graph(STORED))).toBe(g);
    expect(keepMaskedSamples(g, undefined)).toBe(g);
    expect(keepMaskedSamples(graph(), graph(STORED)).inputs).toBeUndefined();
  });
});
