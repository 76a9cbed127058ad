/**
 * Keeps deploy/docker-compose.yml, deploy/nginx.conf and the Dockerfile valid without running Docker:
 * the services and their wiring, health checks on /api/ready, and every setting the servers are given
 * is one the server really reads (a renamed setting fails here, not in someone's deployment).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../server/src/config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const deployDir = path.join(root, 'deploy');
const composeText = readFileSync(path.join(deployDir, 'docker-compose.yml'), 'utf8');
const nginx = readFileSync(path.join(deployDir, 'nginx.conf'), 'utf8');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

const Healthcheck = z.object({ test: z.array(z.string()).min(2), interval: z.string(), timeout: z.string(), retries: z.number().int().min(1) }).passthrough();
const Service = z
  .object({
    image: z.string().optional(),
    build: z.object({ context: z.string(), dockerfile: z.string() }).optional(),
    environment: z.record(z.string(), z.string()).optional(),
    ports: z.array(z.string()).optional(),
    volumes: z.array(z.string()).optional(),
    healthcheck: Healthcheck.optional(),
    depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
    stop_grace_period: z.string().optional(),
  })
  .passthrough();
const Compose = z.object({ services: z.record(z.string(), Service), volumes: z.record(z.string(), z.unknown()).optional() }).passthrough();

const compose = Compose.parse(parse(composeText, { merge: true }));
const mofangServers = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}` with a sample value, as `docker compose` would fill them. */
function interpolate(value: string): string {
  const samples: Record<string, string> = { POSTGRES_PASSWORD: 'secret', MOFANG_SECRET_KEY: 'ab'.repeat(32) };
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_all, name: string, kind?: string, rest?: string) => samples[name] ?? (kind === '-' ? (rest ?? '') : `sample-${name}`));
}

/** Whether the server's configuration reads `name`: its value changes the configuration, or a bad value is refused naming it. */
function configReads(name: string, value: string): boolean {
  const without = loadConfig({});
  try {
    if (JSON.stringify(loadConfig({ [name]: value })) !== JSON.stringify(without)) return true;
  } catch {
    return true;
  }
  try {
    loadConfig({ [name]: 'x-not-a-valid-value-x' });
    return false;
  } catch (error) {
    return error instanceof Error && error.message.includes(name);
  }
}

function ms(duration: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(duration);
  if (!m) throw new Error(`not a duration: ${duration}`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1_000 : 60_000);
}

describe('deploy/docker-compose.yml', () => {
  it('has PostgreSQL 15, two Mofang servers built from the Dockerfile and a load balancer', () => {
    expect(compose.services.postgres?.image).toMatch(/^postgres:15/);
    expect(compose.services.postgres?.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(mofangServers.map(([name]) => name).sort()).toEqual(['mofang-1', 'mofang-2']);
    for (const [, s] of mofangServers) {
      expect(existsSync(path.join(deployDir, s.build?.context ?? '', s.build?.dockerfile ?? ''))).toBe(true);
      expect(s.depends_on?.postgres?.condition).toBe('service_healthy');
    }
    expect(compose.services.lb?.ports).toEqual(['8080:80']);
    expect(compose.services.lb?.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(Object.keys(compose.services.lb?.depends_on ?? {}).sort()).toEqual(['mofang-1', 'mofang-2']);
  });

  it("checks each server's readiness on the port it listens on, and waits out its drain before killing it", () => {
    for (const [name, s] of mofangServers) {
      const env = s.environment ?? {};
      expect(s.healthcheck?.test.join(' '), name).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${env.PORT}/api/ready(?![\\w/-])`));
      expect(ms(s.stop_grace_period ?? '10s'), name).toBeGreaterThan(Number(env.MOFANG_DRAIN_TIMEOUT_MS));
      expect(env.MOFANG_DATABASE_URL, name).toMatch(/^postgres:\/\/.+@postgres:5432\//);
      // Own volumes: two servers never share one SQLite file.
      expect(s.volumes?.length, name).toBe(1);
    }
    const volumes = mofangServers.map(([, s]) => s.volumes?.[0]?.split(':')[0]);
    expect(new Set(volumes).size).toBe(mofangServers.length);
  });

  it('gives the servers only settings the server reads (a renamed setting fails here)', () => {
    const unread: string[] = [];
    for (const [, s] of mofangServers) {
      for (const [name, raw] of Object.entries(s.environment ?? {})) {
        if (!configReads(name, interpolate(raw))) unread.push(name);
      }
    }
    expect(unread).toEqual([]);
    // The check itself tells a setting the server does not read.
    expect(configReads('MOFANG_NO_SUCH_SETTING', '1')).toBe(false);
  });
});

describe('deploy/nginx.conf', () => {
  it('balances over exactly the compose file\'s servers, on their port, and retries a refused connection elsewhere', () => {
    const upstream = [...nginx.matchAll(/^\s*server\s+([a-z0-9-]+):(\d+)\b/gm)].map((m) => `${m[1]}:${m[2]}`).sort();
    expect(upstream).toEqual(mofangServers.map(([name, s]) => `${name}:${s.environment?.PORT}`).sort());
    expect(nginx).toMatch(/proxy_next_upstream\s+error/);
    expect(nginx).toMatch(/proxy_buffering\s+off/);
  });
});

describe('Dockerfile', () => {
  it('builds on Node 20 with npm ci, runs `mofang start` and checks /api/ready', () => {
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    expect(dockerfile).toContain('npm run build');
    expect(dockerfile).toContain('CMD ["node", "bin/mofang.mjs", "start"]');
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*http:\/\/127\.0\.0\.1:3000\/api\/ready(?![\w/-])/);
    expect(existsSync(path.join(root, 'bin', 'mofang.mjs'))).toBe(true);
    for (const name of [...dockerfile.matchAll(/\b((?:MOFANG_[A-Z0-9_]+)|PORT|HOST)=(\S+)/g)]) expect(configReads(name[1], name[2]), name[1]).toBe(true);
  });
});
