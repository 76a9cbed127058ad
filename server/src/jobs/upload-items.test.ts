import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CompressedBodyError, decodedBody } from './upload-items.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('decodedBody', () => {
  it.each(['gzip', 'deflate', 'br'])('keeps a damaged %s body’s error for the reader, even when reading starts late (no uncaught exception)', async (encoding) => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const body = decodedBody(Readable.from([Buffer.from('this is not compressed at all')]), { contentEncoding: encoding });
      // As the job service does: a store round trip before the first item is read.
      await wait(100);
      const read = async () => {
        for await (const chunk of body) void chunk;
      };
      await expect(read()).rejects.toBeInstanceOf(CompressedBodyError);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
