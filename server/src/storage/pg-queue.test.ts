/**
 * PgQueue (pg-boss over a PostgreSQL store): a start that failed (the database unreachable for a moment)
 * is tried again by the next call, on a fresh pg-boss instance (pg-boss 10 cannot start again one whose
 * start failed); after stop, start refuses. PostgreSQL only.
 */
import { describe, expect, it, vi } from 'vitest';
import { PgQueue } from './pg-queue.js';
import { storesUnderTest } from './testing-stores.js';

const stores = storesUnderTest('pg_queue').filter(([name]) => name === 'PostgreSQL');

describe.each(stores)('PgQueue on %s', (_name, open, skip) => {
  it.skipIf(skip)('tries a failed start again on a new pg-boss, then works; refuses to start after stop', async () => {
    const store = await open();
    const queue = new PgQueue(store, {}, ['mofang-test-q']);
    const first = queue.boss;
    vi.spyOn(first, 'start').mockRejectedValueOnce(new Error('terminating connection due to administrator command'));
    await expect(queue.start()).rejects.toThrow(/terminating connection/);
    expect(queue.boss).not.toBe(first);
    await queue.start();
    await queue.start();
    const id = await queue.boss.send('mofang-test-q', { n: 1 });
    expect(id).toBeTruthy();
    const [job] = await queue.boss.fetch<{ n: number }>('mofang-test-q');
    expect(job?.data).toEqual({ n: 1 });
    await queue.stop();
    await expect(queue.start()).rejects.toThrow(/stopped/);
  }, 30_000);
});
