/**
 * Run ids for API runs: UUID version 7 (RFC 9562), a millisecond timestamp followed by random bits.
 * Time-ordered ids append to the end of the runs and run_events indexes instead of landing on a random
 * page each, which keeps the write-behind flushes small (random v4 ids made each flush dirty hundreds
 * of index pages).
 */
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(16 * 256);
let offset = pool.length;
let lastMs = 0;
let sequence = 0;

/** A new UUIDv7 string, e.g. `01936d3c-7a1e-7c3f-9a2b-5e8f1d2c3b4a`; monotonic within a process. */
export function uuidv7(now = Date.now()): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + 16);
  offset += 16;
  // Within one millisecond a 12-bit counter in rand_a keeps ids increasing.
  if (now <= lastMs) {
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    sequence = bytes[6] & 0x07; // start low so the counter has room
  }
  bytes[0] = Math.floor(now / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(now / 2 ** 32) & 0xff;
  bytes[2] = (now >>> 24) & 0xff;
  bytes[3] = (now >>> 16) & 0xff;
  bytes[4] = (now >>> 8) & 0xff;
  bytes[5] = now & 0xff;
  bytes[6] = 0x70 | ((sequence >>> 8) & 0x0f);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
