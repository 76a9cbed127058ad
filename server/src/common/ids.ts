/**
 * Ids for runs and jobs: UUIDv7 (RFC 9562: the first 48 bits are the creation time in ms, so ids sort
 * by time across processes), made by the `uuid` package from random bytes drawn from a pool. uuid's
 * default takes 16 bytes from crypto.getRandomValues for every id, whose Web Crypto checks cost more
 * than the rest of the id; the pool is refilled with crypto.randomFillSync 256 ids at a time. Within
 * one millisecond, ids are unique (74 random bits) but not ordered (uuid's own sequence counter is
 * not used with given bytes); nothing orders runs or jobs by id.
 */
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

const POOL_IDS = 256;
const pool = new Uint8Array(16 * POOL_IDS);
let next = POOL_IDS;

/** A new UUIDv7 string, e.g. `0193a4d2-7c1e-7b3a-9f21-5c0d8e6a4b12`. */
export function newId(): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const random = pool.subarray(16 * next, 16 * next + 16);
  next += 1;
  return v7({ random, msecs: Date.now() });
}
