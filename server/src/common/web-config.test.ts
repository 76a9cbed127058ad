import { describe, expect, it } from 'vitest';
import { DEFAULT_WEB_CONFIG, webConfigFromEnv } from './web-config.js';

describe('webConfigFromEnv', () => {
  it('defaults to no extra hosts and CORS off', () => {
    expect(webConfigFromEnv({})).toEqual(DEFAULT_WEB_CONFIG);
    expect(webConfigFromEnv({ MOFANG_ALLOWED_HOSTS: ' ', MOFANG_CORS_ORIGINS: '' })).toEqual({ allowedHosts: [], corsOrigins: [] });
  });

  it('reads host names, subdomain entries and origins, normalised', () => {
    const c = webConfigFromEnv({ MOFANG_ALLOWED_HOSTS: 'Mofang.Example.com, .corp.example,10.0.0.5,[fd00::1]', MOFANG_CORS_ORIGINS: 'https://CRM.example.com, http://10.0.0.8:8080/' });
    expect(c).toEqual({ allowedHosts: ['mofang.example.com', '.corp.example', '10.0.0.5', 'fd00::1'], corsOrigins: ['https://crm.example.com', 'http://10.0.0.8:8080'] });
  });

  it('names the variable and the entry when one is wrong', () => {
    for (const bad of ['https://mofang.example.com', 'mofang.example.com:3000', 'mofang.example.com/app', '*', 'a b']) {
      expect(() => webConfigFromEnv({ MOFANG_ALLOWED_HOSTS: bad }), bad).toThrow(/MOFANG_ALLOWED_HOSTS: ".*" is not a host name/);
    }
    for (const bad of ['*', 'crm.example.com', 'https://crm.example.com/path', 'ftp://crm.example.com', 'null']) {
      expect(() => webConfigFromEnv({ MOFANG_CORS_ORIGINS: bad }), bad).toThrow(/MOFANG_CORS_ORIGINS: ".*" is not an origin/);
    }
  });
});
