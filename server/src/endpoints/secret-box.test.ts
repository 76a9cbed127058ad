import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyFromDataDir, keyFromSetting, openSecretBox, SecretBox, SecretError } from './secret-box.js';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mofang-secret-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('secret box', () => {
  const box = new SecretBox(Buffer.alloc(32, 7));

  it('round-trips a key, with a fresh IV each time and no plain text stored', () => {
    const a = box.seal('sk-secret-1234', 'ep1');
    const b = box.seal('sk-secret-1234', 'ep1');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1:')).toBe(true);
    expect(a).not.toContain('sk-secret');
    expect(box.open(a, 'ep1')).toBe('sk-secret-1234');
    expect(box.open(box.seal('密钥', 'x'), 'x')).toBe('密钥');
  });

  it('fails clearly with another key, another row or a damaged value', () => {
    const sealed = box.seal('sk-secret', 'ep1');
    const other = new SecretBox(Buffer.alloc(32, 8));
    expect(() => other.open(sealed, 'ep1')).toThrow(SecretError);
    expect(() => other.open(sealed, 'ep1')).toThrow(/MOFANG_SECRET_KEY/);
    expect(() => box.open(sealed, 'ep2')).toThrow(SecretError);
    expect(() => box.open('v1:AAAA', 'ep1')).toThrow(/damaged/);
    expect(() => box.open('plain', 'ep1')).toThrow(/format/);
  });

  it('reads MOFANG_SECRET_KEY as hex, base64 or a passphrase, and refuses a short one', () => {
    const hex = 'ab'.repeat(32);
    expect(keyFromSetting(hex)).toEqual(Buffer.from(hex, 'hex'));
    expect(keyFromSetting(Buffer.alloc(32, 3).toString('base64'))).toEqual(Buffer.alloc(32, 3));
    expect(keyFromSetting('a long passphrase here')).toHaveLength(32);
    expect(keyFromSetting('a long passphrase here')).toEqual(keyFromSetting('a long passphrase here'));
    expect(() => keyFromSetting('short')).toThrow(/MOFANG_SECRET_KEY/);
  });

  it('makes a key file once, mode 0600, and reads the same key after', () => {
    const dir = temp();
    const first = keyFromDataDir(dir);
    expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(keyFromDataDir(dir)).toEqual(first);
    const sealed = openSecretBox({ dataDir: dir }).seal('k', 'c');
    expect(openSecretBox({ dataDir: dir }).open(sealed, 'c')).toBe('k');
    expect(() => openSecretBox({ dataDir: dir, secretKey: 'another passphrase!' }).open(sealed, 'c')).toThrow(SecretError);
  });
});
