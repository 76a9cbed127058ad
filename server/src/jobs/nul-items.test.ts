/**
 * The NUL rule in the upload readers (shared/src/nul.ts): every format refuses U+0000 with the reason
 * `nul_character` and its place, and `refusal` sends it as its own code with the line, sheet, row and
 * column (or the path in a JSON line), never as `invalid_item`.
 */
import { describe, expect, it } from 'vitest';
import { itemsFromCsv, itemsFromJsonl, ItemLineError, rowItem } from './parse-items.js';
import { readJsonBody } from './json-items.js';
import { cellText } from './xlsx-items.js';
import { refusal } from './submission.js';

async function* chunks(...texts: string[]): AsyncGenerator<string> {
  yield* texts;
}

async function failure(items: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const item of items) void item;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

const schema = { type: 'object', properties: { transcript: { type: 'string' } } } as const;

describe('U+0000 in an upload', () => {
  it('JSONL: the line and the path in it; a key is named as a key', async () => {
    const error = await failure(itemsFromJsonl(chunks('{"inputs":{"transcript":"ok"}}\n', '\n{"inputs":{"transcript":"a\\u0000"}}\n')));
    expect(error).toBeInstanceOf(ItemLineError);
    expect(error).toMatchObject({ line: 3, reason: { code: 'nul_character', params: { path: 'inputs.transcript' } } });
    expect(refusal(error)).toMatchObject({ kind: 'invalid', code: 'nul_character', details: { line: 3, path: 'inputs.transcript' } });
    const key = await failure(itemsFromJsonl(chunks('{"inputs":{"a\\u0000b":"ok"}}\n')));
    expect(refusal(key)).toMatchObject({ code: 'nul_character', message: expect.stringContaining('at inputs.a\\u0000b (in a key)') });
  });

  it('a JSON body: the item by its number, and the fields besides items', async () => {
    expect(refusal(await failure(readJsonBody(chunks('{"items":[{"inputs":{"transcript":"ok"}},{"id":"\\u0000","inputs":{}}]}')).items))).toMatchObject({ code: 'nul_character', details: { line: 2, path: 'id' } });
    expect(await failure(readJsonBody(chunks('{"items":[{"inputs":{"transcript":"ok"}}],"webhook":{"url":"http://x/\\u0000"}}')).items)).toMatchObject({ code: 'nul_character', details: { path: 'body.webhook.url' } });
  });

  it('CSV: the line and the column, the header row too', async () => {
    const cell = refusal(await failure(itemsFromCsv(chunks('id,transcript\n1,ok\n2,"x\u0000"\n'), schema)));
    expect(cell).toMatchObject({ code: 'nul_character', details: { line: 3, column: 'transcript', reason: 'cell' }, message: expect.stringMatching(/^line 3, column "transcript" holds the NUL character/) });
    expect(refusal(await failure(itemsFromCsv(chunks('id,tr\u0000\n1,ok\n'), schema)))).toMatchObject({ details: { line: 1, column: '#2' } });
  });

  it('a sheet cell: its row, sheet and column (what a reader that decodes `_x0000_` would hand over)', () => {
    let error: unknown;
    try {
      cellText({ richText: [{ text: '坐席' }, { text: '\u0000' }] }, { row: 4, column: '通话内容', sheet: '通话' });
    } catch (e) {
      error = e;
    }
    expect(refusal(error)).toMatchObject({ code: 'nul_character', details: { line: 4, row: 4, sheet: '通话', column: '通话内容', reason: 'cell' }, message: expect.stringMatching(/^sheet "通话" row 4, column "通话内容" holds/) });
    expect(() => rowItem(['transcript'], ['ok'], schema, { line: 2 })).not.toThrow();
  });
});
