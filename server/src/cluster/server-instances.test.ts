/**
 * The heartbeat of servers sharing a store, and the `/v1` key limit it splits: on PostgreSQL two servers
 * (two stores over one database) count each other, one that stops drops out, and two V1 runtimes behind
 * a round-robin admit together what the key's limit allows (60 a minute: 60 ± 2 in the test's second,
 * where each alone would admit 60). On SQLite nothing is written and the count stays 1.
 */
import { describe, expect, it } from 'vitest';
import { createV1Runtime } from '../http/v1/runtime.js';
import { liveServerCount } from '../storage/server-instances.js';
import { storePairsUnderTest } from '../storage/testing-stores.js';
import { ServerInstances } from './server-instances.js';

describe.each(storePairsUnderTest('server_instances'))('servers sharing a store on %s', (name, open, skip) => {
  it.skipIf(skip)('count each other while they beat, and one fewer once one stops', async () => {
    const { a, b } = await open();
    const one = new ServerInstances(a, { beatMs: 60_000 });
    const two = new ServerInstances(b, { beatMs: 60_000 });
    await Promise.all([one.start(), two.start()]);
    await Promise.all([one.beat(), two.beat()]);
    const expected = name === 'PostgreSQL' ? 2 : 1;
    expect([one.count, two.count]).toEqual([expected, expected]);
    expect(await liveServerCount(a, 0)).toBe(name === 'PostgreSQL' ? 2 : 0);
    await two.close();
    await one.beat();
    expect(one.count).toBe(1);
    await one.close();
    expect(await liveServerCount(a, 0)).toBe(0);
  });

  it.skipIf(skip)('lets two /v1 runtimes behind a round-robin admit together one key\'s limit, not twice it', async () => {
    const { a, b } = await open();
    const runtimes = [createV1Runtime(a), createV1Runtime(b)];
    try {
      await Promise.all(runtimes.map((r) => r.instances.beat()));
      await Promise.all(runtimes.map((r) => r.instances.beat()));
      let admitted = 0;
      for (let i = 0; i < 400; i++) if (runtimes[i % 2]?.limiter.take('key-1', 60).ok) admitted++;
      // 60 a minute: one server alone admits its whole bucket; two split it (the second of refill the loop may take adds at most 1).
      if (name === 'PostgreSQL') expect(admitted).toBeGreaterThanOrEqual(60);
      if (name === 'PostgreSQL') expect(admitted).toBeLessThanOrEqual(62);
      else expect(admitted).toBeGreaterThanOrEqual(120);
    } finally {
      await Promise.all(runtimes.map((r) => r.close()));
    }
  });
});
