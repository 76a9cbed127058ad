import { describe, expect, it } from 'vitest';
import { listenRefusal } from './listen-guard.js';

describe('listenRefusal', () => {
  it('lets loopback addresses listen with no admin', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(listenRefusal(host, 0)).toBeUndefined();
  });

  it('refuses every other address while no admin exists, naming HOST and the way out', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'mofang.example']) {
      const refusal = listenRefusal(host, 0);
      expect(refusal).toContain(`listen on ${host} (HOST)`);
      expect(refusal).toContain('mofang users create');
      expect(refusal).toContain('MOFANG_DATA_DIR');
    }
  });

  it('lets any address listen once an admin exists', () => {
    expect(listenRefusal('0.0.0.0', 1)).toBeUndefined();
    expect(listenRefusal('192.168.1.20', 2)).toBeUndefined();
  });
});
