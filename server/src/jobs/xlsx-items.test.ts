/**
 * The .xlsx reader's worker thread ends with every read: when the rows are all read, and when a row
 * fails part-way (the worker, waiting for the next batch to be asked for, would otherwise live on with
 * its heap, ≈ 30 MB, one per refused upload).
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildXlsx } from '../../../bench/xlsx-fixture.js';
import { ItemLineError } from './parse-items.js';
import { itemsFromXlsx, type XlsxLimits } from './xlsx-items.js';

const limits: XlsxLimits = { limitBytes: 64 * 1024 * 1024, limitSetting: 'L', unpackedBytes: 256 * 1024 * 1024, unpackedSetting: 'U' };
const schema = { type: 'object', properties: { transcript: { type: 'string' } } } as const;

async function* once(buffer: Buffer): AsyncGenerator<Uint8Array> {
  yield buffer;
}

/** Reads every item, or returns what it threw. */
async function readAll(buffer: Buffer): Promise<{ items: number; error?: unknown }> {
  let items = 0;
  try {
    for await (const item of itemsFromXlsx(once(buffer), schema, limits)) if (item) items++;
  } catch (error) {
    return { items, error };
  }
  return { items };
}

const threads = () => readdirSync('/proc/self/task').length;

async function settlesAt(count: number): Promise<number> {
  for (let waited = 0; waited < 5000 && threads() > count; waited += 50) await new Promise((r) => setTimeout(r, 50));
  return threads();
}

describe.runIf(existsSync('/proc/self/task'))('the .xlsx reader thread', () => {
  it('ends after a full read and after a row that fails part-way', async () => {
    const good = await buildXlsx(['transcript'], 1200, (i) => [`客户：你好 ${i}`]);
    // Row 3 holds an error: the reader throws with the rest of the first 500-row batch unread.
    const bad = await buildXlsx(['transcript'], 1200, (i) => [i === 1 ? { error: '#DIV/0!' } : `客户：你好 ${i}`]);
    expect(await readAll(good)).toEqual({ items: 1200 });
    await new Promise((r) => setTimeout(r, 500));
    const baseline = threads();
    for (let i = 0; i < 3; i++) {
      const { error } = await readAll(bad);
      expect(error).toBeInstanceOf(ItemLineError);
    }
    expect(await readAll(good)).toEqual({ items: 1200 });
    expect(await settlesAt(baseline)).toBeLessThanOrEqual(baseline);
  }, 60_000);
});
