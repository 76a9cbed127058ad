import { redactDatabaseUrl } from './common/database-config.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has defaults that listen on loopback with the simulator', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', dataDir: path.resolve('data'), httpAllow: [] });
    expect(c.model.endpoints[0]).toMatchObject({ kind: 'simulator' });
  });

  it('reads the variables, treating blanks as unset', () => {
    const c = loadConfig({ PORT: '8080', HOST: '', MOFANG_DATA_DIR: '/tmp/x', MOFANG_HTTP_ALLOW: '10.0.0.0/8, api.internal' });
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: '/tmp/x', httpAllow: ['10.0.0.0/8', 'api.internal'] });
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ MOFANG_HTTP_ALLOW: '10.0.0.0/99' })).toThrow(/MOFANG_HTTP_ALLOW/);
    expect(() => loadConfig({ MOFANG_MODEL_BASE_URL: 'http://10.0.0.5:8000/v1' })).toThrow(/MOFANG_MODEL/);
    expect(() => loadConfig({ MOFANG_JOB_UPLOAD_LIMIT: 'lots' })).toThrow(/MOFANG_JOB_UPLOAD_LIMIT must look like 64mb/);
    expect(() => loadConfig({ MOFANG_JOB_XLSX_UNPACKED_LIMIT: '10b' })).toThrow(/MOFANG_JOB_XLSX_UNPACKED_LIMIT must be at least 1kb/);
    expect(() => loadConfig({ MOFANG_ALLOWED_HOSTS: 'https://mofang.example.com' })).toThrow(/MOFANG_ALLOWED_HOSTS: "https:\/\/mofang.example.com" is not a host name/);
    expect(() => loadConfig({ MOFANG_CORS_ORIGINS: '*' })).toThrow(/MOFANG_CORS_ORIGINS: "\*" is not an origin/);
  });

  it('reads the front door settings', () => {
    expect(loadConfig({}).web).toEqual({ allowedHosts: [], corsOrigins: [] });
    expect(loadConfig({ MOFANG_ALLOWED_HOSTS: 'mofang.example.com', MOFANG_CORS_ORIGINS: 'https://crm.example.com' }).web).toEqual({ allowedHosts: ['mofang.example.com'], corsOrigins: ['https://crm.example.com'] });
  });

  it('reads the job upload limits in bytes', () => {
    expect(loadConfig({}).jobs).toEqual({ limitBytes: 256 * 1024 ** 2, xlsxUnpackedBytes: 256 * 1024 ** 2 });
    expect(loadConfig({ MOFANG_JOB_UPLOAD_LIMIT: '1GB', MOFANG_JOB_XLSX_UNPACKED_LIMIT: '512kb' }).jobs).toEqual({ limitBytes: 1024 ** 3, xlsxUnpackedBytes: 512 * 1024 });
  });

  it('reads the job lease, unset by default', () => {
    expect(loadConfig({}).jobLeaseMs).toBeUndefined();
    expect(loadConfig({ MOFANG_JOB_LEASE_MS: '10000' }).jobLeaseMs).toBe(10_000);
    expect(() => loadConfig({ MOFANG_JOB_LEASE_MS: '100' })).toThrow(/MOFANG_JOB_LEASE_MS must be at least 5000/);
  });

  it('reads the template limits, each bounded, naming the variable when bad', () => {
    expect(loadConfig({}).templates).toEqual({ renderMs: 100, outputBytes: 4 * 1024 * 1024, memory: 1_000_000 });
    const c = loadConfig({ MOFANG_TEMPLATE_RENDER_MS: '250', MOFANG_TEMPLATE_OUTPUT_BYTES: '1048576', MOFANG_TEMPLATE_MEMORY: ' ' });
    expect(c.templates).toEqual({ renderMs: 250, outputBytes: 1048576, memory: 1_000_000 });
    expect(() => loadConfig({ MOFANG_TEMPLATE_RENDER_MS: 'fast' })).toThrow(/MOFANG_TEMPLATE_RENDER_MS must be a number/);
    expect(() => loadConfig({ MOFANG_TEMPLATE_RENDER_MS: '0' })).toThrow(/MOFANG_TEMPLATE_RENDER_MS must be at least 1/);
    expect(() => loadConfig({ MOFANG_TEMPLATE_RENDER_MS: '600000' })).toThrow(/MOFANG_TEMPLATE_RENDER_MS must be at most 60000/);
    expect(() => loadConfig({ MOFANG_TEMPLATE_OUTPUT_BYTES: '1.5' })).toThrow(/MOFANG_TEMPLATE_OUTPUT_BYTES must be a whole number/);
    expect(() => loadConfig({ MOFANG_TEMPLATE_MEMORY: '-3' })).toThrow(/MOFANG_TEMPLATE_MEMORY/);
  });

  it('reads the transcript retention in days, by default the run retention, naming the variable when bad', () => {
    expect(loadConfig({}).transcriptRetentionDays).toBe(30);
    expect(loadConfig({ MOFANG_RUN_RETENTION_DAYS: '7' }).transcriptRetentionDays).toBe(7);
    expect(loadConfig({ MOFANG_RUN_RETENTION_DAYS: '7', MOFANG_TRANSCRIPT_RETENTION_DAYS: '90' }).transcriptRetentionDays).toBe(90);
    expect(loadConfig({ MOFANG_TRANSCRIPT_RETENTION_DAYS: ' ' }).transcriptRetentionDays).toBe(30);
    expect(() => loadConfig({ MOFANG_TRANSCRIPT_RETENTION_DAYS: 'forever' })).toThrow(/MOFANG_TRANSCRIPT_RETENTION_DAYS must be a number of days/);
    expect(() => loadConfig({ MOFANG_TRANSCRIPT_RETENTION_DAYS: '0' })).toThrow(/MOFANG_TRANSCRIPT_RETENTION_DAYS must be at least 1/);
    expect(() => loadConfig({ MOFANG_TRANSCRIPT_RETENTION_DAYS: '2.5' })).toThrow(/MOFANG_TRANSCRIPT_RETENTION_DAYS must be a whole number/);
    expect(() => loadConfig({ MOFANG_TRANSCRIPT_RETENTION_DAYS: '40000' })).toThrow(/MOFANG_TRANSCRIPT_RETENTION_DAYS must be at most 36500/);
  });

  it('reads the drain timeout in ms (default 30000; 0 waits for nothing), naming the variable when bad', () => {
    expect(loadConfig({}).drainTimeoutMs).toBe(30_000);
    expect(loadConfig({ MOFANG_DRAIN_TIMEOUT_MS: '5000' }).drainTimeoutMs).toBe(5_000);
    expect(loadConfig({ MOFANG_DRAIN_TIMEOUT_MS: '0' }).drainTimeoutMs).toBe(0);
    expect(loadConfig({ MOFANG_DRAIN_TIMEOUT_MS: ' ' }).drainTimeoutMs).toBe(30_000);
    expect(() => loadConfig({ MOFANG_DRAIN_TIMEOUT_MS: 'soon' })).toThrow(/MOFANG_DRAIN_TIMEOUT_MS must be a number/);
    expect(() => loadConfig({ MOFANG_DRAIN_TIMEOUT_MS: '-1' })).toThrow(/MOFANG_DRAIN_TIMEOUT_MS must be at least 0/);
    expect(() => loadConfig({ MOFANG_DRAIN_TIMEOUT_MS: '3600001' })).toThrow(/MOFANG_DRAIN_TIMEOUT_MS must be at most 3600000/);
  });
});

describe('MOFANG_DATABASE_URL', () => {
  const key = { MOFANG_SECRET_KEY: 'a-shared-secret-key-for-all-servers' };
  it('selects PostgreSQL with the pool size, and SQLite when unset', () => {
    expect(loadConfig({}).database).toBeUndefined();
    expect(loadConfig({ MOFANG_DATABASE_URL: ' ' }).database).toBeUndefined();
    expect(loadConfig({ ...key, MOFANG_DATABASE_URL: 'postgres://u:p@db:5432/mofang' }).database).toEqual({ url: 'postgres://u:p@db:5432/mofang', poolSize: 10 });
    expect(loadConfig({ ...key, MOFANG_DATABASE_URL: 'postgresql://db/mofang', MOFANG_DATABASE_POOL_SIZE: '4' }).database?.poolSize).toBe(4);
  });
  it('refuses another scheme, no database, a bad pool size, or a pool size without a URL, naming the variable', () => {
    expect(() => loadConfig({ ...key, MOFANG_DATABASE_URL: 'mysql://db/mofang' })).toThrow(/MOFANG_DATABASE_URL must start with postgres:\/\//);
    expect(() => loadConfig({ ...key, MOFANG_DATABASE_URL: 'not a url' })).toThrow(/MOFANG_DATABASE_URL is not a URL/);
    expect(() => loadConfig({ ...key, MOFANG_DATABASE_URL: 'postgres://db:5432/' })).toThrow(/names no database/);
    expect(() => loadConfig({ ...key, MOFANG_DATABASE_URL: 'postgres://db/m', MOFANG_DATABASE_POOL_SIZE: '0' })).toThrow(/MOFANG_DATABASE_POOL_SIZE must be a whole number from 1 to 200/);
    expect(() => loadConfig({ MOFANG_DATABASE_POOL_SIZE: '5' })).toThrow(/MOFANG_DATABASE_URL is not/);
  });
  it('needs MOFANG_SECRET_KEY, which every server shares', () => {
    expect(() => loadConfig({ MOFANG_DATABASE_URL: 'postgres://db/mofang' })).toThrow(/MOFANG_SECRET_KEY must be set with MOFANG_DATABASE_URL/);
  });
  it('hides the password when it shows the URL', () => {
    expect(redactDatabaseUrl('postgres://mofang:s3cret@db:5432/mofang')).toBe('postgres://mofang:***@db:5432/mofang');
    expect(redactDatabaseUrl('%%')).not.toContain('%%');
  });
});
