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

describe('apiConfigFromEnv: MOFANG_SESSION_LEASE_MS', () => {
  it('is 30 s by default and when blank; reads ms in 5 s–10 min', () => {
    expect(DEFAULT_API_CONFIG.sessionLeaseMs).toBe(30_000);
    expect(apiConfigFromEnv({ MOFANG_SESSION_LEASE_MS: '' }).sessionLeaseMs).toBe(30_000);
    expect(apiConfigFromEnv({ MOFANG_SESSION_LEASE_MS: '10000' }).sessionLeaseMs).toBe(10_000);
  });

  it('refuses values outside its range or not whole, naming the variable and the limit', () => {
    expect(() => apiConfigFromEnv({ MOFANG_SESSION_LEASE_MS: '1000' })).toThrow(/MOFANG_SESSION_LEASE_MS must be at least 5000/);
    expect(() => apiConfigFromEnv({ MOFANG_SESSION_LEASE_MS: '900000' })).toThrow(/MOFANG_SESSION_LEASE_MS must be at most 600000/);
    expect(() => apiConfigFromEnv({ MOFANG_SESSION_LEASE_MS: '1.5e4x' })).toThrow(/MOFANG_SESSION_LEASE_MS must be a number/);
  });
});
