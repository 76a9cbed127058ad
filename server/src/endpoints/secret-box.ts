/**
 * Encryption at rest for secrets Mofang stores (model endpoints' API keys): AES-256-GCM from node:crypto,
 * a random 96-bit IV per value, the row's id as additional authenticated data (a value copied into
 * another row does not decrypt). The key is `MOFANG_SECRET_KEY` when set, else a random key kept in
 * `<data dir>/secret.key` (created once, mode 0600). Stored form: `v1:<base64(iv | tag | ciphertext)>`.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/** A secret that cannot be read back: the key is not the one it was encrypted with, or the value is damaged. */
export class SecretError extends Error {
  readonly code = 'secret_key_mismatch';
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The file holding the generated key when MOFANG_SECRET_KEY is not set. */
export const SECRET_KEY_FILE = 'secret.key';

/** Encrypts and decrypts short secrets with one 32-byte key. */
export class SecretBox {
  private readonly key: Buffer;

  /** `key`: exactly 32 bytes. */
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('a secret box needs a 32-byte key');
    this.key = Buffer.from(key);
  }

  /** The stored form of `plain`, bound to `context` (e.g. the row's id). */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plain text of a stored value. Throws {@link SecretError} when the key or the context is not the one it was sealed with. */
  open(sealed: string, context: string): string {
    if (!sealed.startsWith(VERSION)) throw new SecretError('the stored secret is not in a known format');
    const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretError('the stored secret is damaged');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretError('the stored secret cannot be decrypted: MOFANG_SECRET_KEY (or the data directory\'s secret.key) is not the key it was encrypted with');
    }
  }
}

/**
 * The key from a `MOFANG_SECRET_KEY` value: 64 hex characters or base64 of 32 bytes are used as they are;
 * any other text of at least 16 characters is a passphrase stretched with scrypt. Throws naming the
 * variable when the value is shorter.
 */
export function keyFromSetting(value: string): Buffer {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === 32) return bytes;
  }
  if (text.length < 16) throw new Error('MOFANG_SECRET_KEY must be 64 hex characters, base64 of 32 bytes, or a passphrase of at least 16 characters');
  return scryptSync(text, 'mofang-secret-key', 32);
}

/**
 * The key in `<dataDir>/secret.key`, made (32 random bytes, hex, mode 0600) when the file does not exist.
 * Throws when the file exists but does not hold a key.
 */
export function keyFromDataDir(dataDir: string): Buffer {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new Error(`${file} does not hold a secret key (64 hex characters); restore it, or remove it only if no endpoint key is stored`);
  return Buffer.from(text, 'hex');
}

/** The server's secret box: from `MOFANG_SECRET_KEY` when set, else the data directory's key file. */
export function openSecretBox(options: { secretKey?: string; dataDir: string }): SecretBox {
  return new SecretBox(options.secretKey ? keyFromSetting(options.secretKey) : keyFromDataDir(options.dataDir));
}
