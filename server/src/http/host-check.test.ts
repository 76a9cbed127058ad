import { describe, expect, it } from 'vitest';
import { hostChecker, hostNameOfHeader, isLoopbackAddress } from './host-check.js';

describe('isLoopbackAddress', () => {
  it('knows loopback listen addresses from the others', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackAddress(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'mofang.example.com']) expect(isLoopbackAddress(host), host).toBe(false);
  });
});

describe('hostNameOfHeader', () => {
  it('drops the port and normalises the name', () => {
    expect(hostNameOfHeader('LocalHost:3000')).toBe('localhost');
    expect(hostNameOfHeader('[::1]:3000')).toBe('::1');
    expect(hostNameOfHeader('[0:0:0:0:0:0:0:1]')).toBe('::1');
    expect(hostNameOfHeader('mofang.example.com.')).toBe('mofang.example.com');
    expect(hostNameOfHeader('10.0.0.5:80')).toBe('10.0.0.5');
  });

  it('refuses what is not a host name', () => {
    for (const header of ['::1', '[evil.example]', 'a b', 'evil.example:x', 'evil.example:3000:1', '127.1', '0x7f.0.0.1', 'user@evil.example', '']) {
      expect(hostNameOfHeader(header), header).toBeUndefined();
    }
  });
});

describe('hostChecker', () => {
  it('on loopback answers only loopback names, any port', () => {
    const check = hostChecker({ listenHost: '127.0.0.1', allowedHosts: [] });
    for (const host of ['localhost:3000', '127.0.0.1:51234', '[::1]:8080', 'localhost']) expect(check(host), host).toBeUndefined();
    for (const host of ['attacker.example', 'attacker.example:3000', '10.0.0.5:3000', 'localhost.attacker.example']) {
      expect(check(host), host).toMatchObject({ status: 421, code: 'host_not_allowed', details: { setting: 'MOFANG_ALLOWED_HOSTS' } });
    }
    expect(check('attacker.example')?.message).toContain('MOFANG_ALLOWED_HOSTS');
  });

  it('beyond loopback also answers IP addresses, which a rebinding attack cannot send', () => {
    const check = hostChecker({ listenHost: '0.0.0.0', allowedHosts: [] });
    for (const host of ['10.0.0.5:3000', '[fd00::5]:3000', 'localhost:3000']) expect(check(host), host).toBeUndefined();
    expect(check('attacker.example:3000')).toMatchObject({ status: 421, code: 'host_not_allowed', details: { host: 'attacker.example' } });
  });

  it('answers the configured names, a leading dot for subdomains, and the public URL host', () => {
    const check = hostChecker({ listenHost: '0.0.0.0', allowedHosts: ['mofang.example.com', '.corp.example'], publicUrl: 'https://api.example.net:8443' });
    for (const host of ['mofang.example.com', 'MOFANG.example.com:443', 'corp.example', 'a.b.corp.example:3000', 'api.example.net:8443']) expect(check(host), host).toBeUndefined();
    for (const host of ['example.com', 'xcorp.example', 'mofang.example.com.attacker.example']) expect(check(host), host).toMatchObject({ status: 421 });
  });

  it('refuses a missing or malformed Host with 400', () => {
    const check = hostChecker({ listenHost: '127.0.0.1', allowedHosts: [] });
    expect(check(undefined)).toMatchObject({ status: 400, code: 'invalid_host', details: { host: null } });
    expect(check('a/b')).toMatchObject({ status: 400, code: 'invalid_host' });
  });

  it('gives the same verdict from its cache', () => {
    const check = hostChecker({ listenHost: '127.0.0.1', allowedHosts: [] });
    expect(check('attacker.example')).toEqual(check('attacker.example'));
    expect(check('localhost:1')).toBeUndefined();
    expect(check('localhost:1')).toBeUndefined();
  });
});
