/**
 * Password hashing: argon2id (RFC 9106) through `@node-rs/argon2` (prebuilt Rust binding, no node-gyp),
 * stored as a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) that carries its own parameters, so a
 * later change of parameters still verifies old hashes. One-time passwords come from `crypto.randomBytes`.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

/** `Algorithm.Argon2id`: a const enum, which TypeScript's isolated modules cannot read, so its value. */
const ARGON2ID = 2 as Algorithm;

/**
 * OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): about 20–40 ms per hash on one core here, which
 * bounds a password guesser without letting a burst of sign-ins stall the server.
 */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password with argon2id and a fresh random salt; resolves to a PHC string. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** Whether `password` matches the PHC `stored` hash; false (never a throw) for a malformed hash. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password, verified against when a name does not exist or has no password, so a
 * failed sign-in takes as long whether or not the name exists (no user enumeration by timing).
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(oneTimePassword());
  return decoy;
}

/** Letters and digits without look-alikes (no 0/O, 1/l/I), for passwords people read off a screen. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A one-time password of `length` characters (default 16, ≈ 93 bits) drawn uniformly from a readable alphabet. */
export function oneTimePassword(length = 16): string {
  let out = '';
  // Rejection sampling: bytes ≥ the largest multiple of the alphabet size are skipped, so no letter is favoured.
  const limit = 256 - (256 % ALPHABET.length);
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}
