/**
 * Key material: `mf_` + 32 random bytes in base64url. Stored as a sha256 hex hash plus a display prefix.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Every key starts with this. */
export const KEY_PREFIX = 'mf_';
/** How many leading characters of a key are kept for display (`mf_` and five more). */
export const DISPLAY_PREFIX_LENGTH = 8;
/** `mf_` + 43 base64url characters (32 bytes). */
const KEY_PATTERN = /^mf_[A-Za-z0-9_-]{43}$/;

/** A fresh key with its hash and display prefix. */
export function generateKey(): { key: string; hash: string; prefix: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashKey(key), prefix: key.slice(0, DISPLAY_PREFIX_LENGTH) };
}

/** The stored form of a key: sha256, hex. A fast hash is right here: keys are 256 random bits, not passwords. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Whether a string has the shape of a key (checked before hashing or any lookup). */
export function looksLikeKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

/** Replaces anything that looks like a bearer token or a Mofang key in a log line. */
export function maskSecrets(text: string): string {
  return text.replace(/(bearer\s+)[^\s"',;]+/gi, '$1***').replace(/mf_[A-Za-z0-9_-]{8,}/g, (k) => `${k.slice(0, DISPLAY_PREFIX_LENGTH)}***`);
}
