import { describe, expect, it } from 'vitest';
import { apiConfigFromEnv, DEFAULT_API_CONFIG } from './api-config.js';

describe('apiConfigFromEnv: MOFANG_PUBLIC_URL', () => {
  it('is unset by default and when blank', () => {
    expect(DEFAULT_API_CONFIG.publicUrl).toBeUndefined();
    expect(apiConfigFromEnv({ MOFANG_PUBLIC_URL: ' ' }).publicUrl).toBeUndefined();
  });

  it('reads an http(s) URL without its trailing slash', () => {
    expect(apiConfigFromEnv({ MOFANG_PUBLIC_URL: 'https://mofang.example.com/' }).publicUrl).toBe('https://mofang.example.com');
    expect(apiConfigFromEnv({ MOFANG_PUBLIC_URL: 'http://10.0.0.5:8080/mofang' }).publicUrl).toBe('http://10.0.0.5:8080/mofang');
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => apiConfigFromEnv({ MOFANG_PUBLIC_URL: 'mofang.example.com' })).toThrow(/MOFANG_PUBLIC_URL must be an http\(s\) URL/);
    expect(() => apiConfigFromEnv({ MOFANG_PUBLIC_URL: 'ftp://mofang.example.com' })).toThrow(/MOFANG_PUBLIC_URL/);
  });
});
