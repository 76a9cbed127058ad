import { describe, expect, it } from 'vitest';
import { readSse } from './sse';
import { replay } from './reduce';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(enc.encode(chunk));
      c.close();
    },
  });
}

describe('readSse', () => {
  it('splits events across chunk boundaries, CRLF, comments and multi-line data', async () => {
    const got = [];
    for await (const m of readSse(streamOf([': hi\r\nevent: a\r\ndata: {"x"', ':1}\r\n\r\nevent: b\ndata: 1\ndata: 2\n\n', 'data: tail']))) got.push(m);
    expect(got).toEqual([
      { event: 'a', data: '{"x":1}' },
      { event: 'b', data: '1\n2' },
      { event: 'message', data: 'tail' },
    ]);
  });

  it('keeps event ids, splits a multi-byte character across chunks, and drops events without data', async () => {
    const bytes = new TextEncoder().encode('id: r1:0\nevent: x\ndata: 魔方\n\nevent: empty\n\n');
    const cut = 'id: r1:0\nevent: x\ndata: '.length + 1; // inside 魔's three bytes
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, cut));
        c.enqueue(bytes.slice(cut));
        c.close();
      },
    });
    const got = [];
    for await (const m of readSse(stream)) got.push(m);
    expect(got).toEqual([{ event: 'x', data: '魔方', id: 'r1:0' }]);
  });
});

describe('replay', () => {
  it('folds events into per-node states', () => {
    const usage = { model_calls: 1, prompt_tokens: 10, completion_tokens: 5 };
    const view = replay([
      { type: 'run.started', run_id: 'r', at: 0, inputs: {} },
      { type: 'node.started', run_id: 'r', at: 1, node_id: 'a', kind: 'llm', attempt: 1 },
      { type: 'node.finished', run_id: 'r', at: 2, node_id: 'a', kind: 'llm', inputs: {}, outputs: { text: 'x' }, latency_ms: 3, usage },
      { type: 'node.skipped', run_id: 'r', at: 3, node_id: 'b', kind: 'llm' },
      { type: 'run.finished', run_id: 'r', at: 4, outputs: { y: 1 }, usage, latency_ms: 4 },
    ]);
    expect(view.status).toBe('succeeded');
    expect(view.nodes.a).toMatchObject({ status: 'succeeded', tokens: 15, latency_ms: 3 });
    expect(view.nodes.b.status).toBe('skipped');
  });
});
