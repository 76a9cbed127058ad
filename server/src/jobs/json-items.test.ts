import { describe, expect, it } from 'vitest';
import { JsonBodyError, readJsonBody } from './json-items.js';
import { ItemLineError } from './parse-items.js';

async function* chunks(text: string, size: number): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

async function read(text: string, size = 7) {
  const body = readJsonBody(chunks(text, size));
  const items = [];
  for await (const item of body.items) items.push(item);
  return { items, webhook: body.webhookUrl() };
}

const items = [
  { id: 'a', inputs: { transcript: '客户：网断了 "quoted" [not an array] {nor an object}, comma', n: [1, [2, { x: ']' }]] } },
  { inputs: { transcript: 'back\\slash \\" and \u00e9' } },
  { id: 7, inputs: {} },
];

describe('reading a JSON job body as it streams', () => {
  it('gives every item, whatever the chunk size, with the webhook before or after the items', async () => {
    const expected = [
      { line: 1, id: 'a', inputs: items[0].inputs },
      { line: 2, id: undefined, inputs: items[1].inputs },
      { line: 3, id: '7', inputs: {} },
    ];
    for (const text of [JSON.stringify({ items, webhook: { url: 'https://crm.example/hook' } }), JSON.stringify({ webhook: { url: 'https://crm.example/hook' }, items }, null, 2)]) {
      for (const size of [1, 2, 3, 5, 64, 1e6]) {
        expect(await read(text, size)).toEqual({ items: expected, webhook: 'https://crm.example/hook' });
      }
    }
    expect(await read('{"items":[{"inputs":{}}]}')).toEqual({ items: [{ line: 1, id: undefined, inputs: {} }], webhook: null });
    expect((await read('{"it\\u0065ms": [{"inputs": {"k": "v"}}]}')).items).toHaveLength(1);
  });

  it('names the item that is not valid JSON or not an item', async () => {
    await expect(read('{"items":[{"inputs":{}}, {"inputs": {nope}}]}')).rejects.toMatchObject({ line: 2, problem: expect.stringContaining('not valid JSON') });
    await expect(read('{"items":[{"inputs":{}}, 5]}')).rejects.toBeInstanceOf(ItemLineError);
  });

  it('refuses bodies that are not { "items": [ … ] }', async () => {
    for (const bad of ['', '[{"inputs":{}}]', '{"items": 5}', '{"item": []}', '{"items":[{"inputs":{}}],}x', '{"items":[{"inputs":{}},]}', '{"items":[{"inputs":{}},,{"inputs":{}}]}', '{"items":[{"inputs":{}}]', '{"items":[],"items":[]}', '{"items":[{"inputs":{}}],"webhook":{"url":"ftp://x"}}']) {
      const error = await read(bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error instanceof JsonBodyError || error instanceof ItemLineError, bad).toBe(true);
    }
    await expect(read(`{"items":[{"inputs":{}}],"junk":"${'x'.repeat(70_000)}"}`)).rejects.toThrow(/other than "items"/);
  });
});
