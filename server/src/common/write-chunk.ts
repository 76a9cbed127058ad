import type { Writable } from 'node:stream';

/**
 * Writes `chunk` to `out`; when `out`'s buffer is full, returns a promise that settles once it drains
 * (or closes), so a long export waits for a slow reader instead of buffering everything. Returns
 * undefined when the write went straight through.
 */
export function writeChunk(out: Writable, chunk: string): Promise<void> | undefined {
  if (out.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
