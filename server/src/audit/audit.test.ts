import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditQuerySchema, type AuditAction, type AuditQuery } from '@shared/audit.js';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { openStore, openStoreFile, type Store } from '../storage/db.js';
import { TranscriptRetention } from '../storage/retention.js';
import { deleteScenario, getScenario } from '../storage/scenarios.js';
import { createScenarioNow } from '../storage/scenarios.testing.js';
import { dataStoreOf, type DataStore } from '../storage/store.js';
import { storesUnderTest } from '../storage/testing-stores.js';
import { auditCsvRows, auditPages, auditedChange, changedFields, digestOf, listAudit, recordAudit, recordAuditIn, writeAuditCsv, type AuditActor } from './index.js';

let store: Store;
beforeEach(() => {
  store = openStoreFile(':memory:');
});
afterEach(() => store.close());

const alice: AuditActor = { type: 'user', id: 'u-alice', name: 'alice', address: '127.0.0.1' };
const bob: AuditActor = { type: 'user', id: 'u-bob', name: '王小明, 设计', address: '10.0.0.8' };
const graph: Graph = { schema: GRAPH_FORMAT, name: 'g', nodes: [], edges: [] };

const query = (q: Record<string, unknown> = {}): AuditQuery => AuditQuerySchema.parse(q);

describe('digests', () => {
  it('is the SHA-256 of the RFC 8785 canonical JSON: key order does not matter, null has none', async () => {
    const a = digestOf({ b: 1, a: { d: [1, 'x'], c: '中文' } });
    expect(a).toBe(digestOf({ a: { c: '中文', d: [1, 'x'] }, b: 1 }));
    expect(a).toBe(createHash('sha256').update('{"a":{"c":"中文","d":[1,"x"]},"b":1}').digest('hex'));
    expect(digestOf({ a: 1 })).not.toBe(digestOf({ a: 2 }));
    expect(digestOf(null)).toBeNull();
    expect(digestOf(undefined)).toBeNull();
  });

  it('digests text with lone surrogates (JSON may carry them, RFC 8785 may not) as UTF-8 would encode it', async () => {
    const lone = { name: 'a\u0000\uffff\ud800', edges: [{ source: '\udc00x' }], ['k\ud800']: 1 };
    expect(digestOf(lone)).toMatch(/^[0-9a-f]{64}$/);
    expect(digestOf(lone)).toBe(digestOf({ name: 'a\u0000\uffff\ufffd', edges: [{ source: '\ufffdx' }], ['k\ufffd']: 1 }));
    // A well-formed pair is kept as it is.
    expect(digestOf({ s: '😀' })).not.toBe(digestOf({ s: '\ufffd\ufffd' }));
  });

  it('names the changed top-level fields, leaving out the ignored ones', async () => {
    expect(changedFields({ name: 'a', graph: { n: 1 }, revision: 1 }, { name: 'a', graph: { n: 2 }, revision: 2, description: 'x' }, ['revision'])).toEqual(['description', 'graph']);
    expect(changedFields(null, { a: 1 })).toEqual([]);
  });
});

describe('recording', () => {
  it('stores who, what, the digests and the summary; before/after default to a list of changed fields', async () => {
    const before = { id: 's1', name: 'old', revision: 1 };
    const after = { id: 's1', name: 'new', revision: 2 };
    recordAudit(store.db, alice, { action: 'scenario.update', target: { type: 'scenario', id: 's1', name: 'new' }, before, after }, 1_700_000_000_000);
    const [entry] = (await listAudit(dataStoreOf(store.db), query())).entries;
    expect(entry).toMatchObject({
      at: '2023-11-14T22:13:20.000Z',
      actor_type: 'user',
      actor_id: 'u-alice',
      actor_name: 'alice',
      client_address: '127.0.0.1',
      action: 'scenario.update',
      target_type: 'scenario',
      target_id: 's1',
      target_name: 'new',
      before_digest: digestOf(before),
      after_digest: digestOf(after),
      summary: 'changed: name',
      details: { fields: 'name' },
    });
    expect(entry?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('commits a change and its entry together, and neither when either fails', async () => {
    const made = auditedChange(store.db, alice, () => createScenarioNow(store.db, { name: 'kept', graph }), (s) => ({ action: 'scenario.create', target: { type: 'scenario', id: s.id, name: s.name }, after: s }));
    expect(await getScenario(dataStoreOf(store.db), made.id)).toBeDefined();
    expect((await listAudit(dataStoreOf(store.db), query())).entries).toHaveLength(1);

    let createdId = '';
    expect(() =>
      auditedChange(
        store.db,
        alice,
        () => (createdId = createScenarioNow(store.db, { name: 'rolled back', graph }).id),
        () => {
          throw new Error('describing failed');
        },
      ),
    ).toThrow('describing failed');
    expect(await getScenario(dataStoreOf(store.db), createdId)).toBeUndefined();
    expect((await listAudit(dataStoreOf(store.db), query())).entries).toHaveLength(1);
  });

  it('keeps its entries through the transcript retention, however old', async () => {
    const old = Date.parse('2020-01-01T00:00:00Z');
    recordAudit(store.db, alice, { action: 'auth.login', target: null }, old);
    const retention = new TranscriptRetention(dataStoreOf(store.db), { days: 1, now: () => Date.parse('2026-12-01T00:00:00Z') });
    await retention.sweep();
    expect((await listAudit(dataStoreOf(store.db), query())).entries.map((e) => e.at)).toEqual(['2020-01-01T00:00:00.000Z']);
  });

  it('keeps the history of a deleted scenario (no foreign keys)', async () => {
    const s = createScenarioNow(store.db, { name: 'gone', graph });
    recordAudit(store.db, alice, { action: 'scenario.create', target: { type: 'scenario', id: s.id, name: s.name }, after: s });
    expect(await deleteScenario(dataStoreOf(store.db), s.id)).toBe(true);
    expect((await listAudit(dataStoreOf(store.db), query({ target_id: s.id }))).entries).toHaveLength(1);
  });
});

describe('append-only', () => {
  beforeEach(() => recordAudit(store.db, alice, { action: 'auth.login', target: null }));

  it('refuses UPDATE and DELETE from a raw SQLite connection to the file, and the row stays as it was', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mofang-audit-'));
    const fileStore = openStore(dir);
    try {
      recordAudit(fileStore.db, alice, { action: 'auth.login', target: null });
      const raw = new Database(fileStore.file);
      try {
        expect(() => raw.prepare(`update audit_log set actor_name = 'mallory'`).run()).toThrow(/append-only: entries cannot be changed/);
        expect(() => raw.prepare('delete from audit_log').run()).toThrow(/append-only: entries cannot be deleted/);
        expect(() => raw.prepare('delete from audit_log where seq > 0').run()).toThrow(/append-only/);
        expect(raw.prepare('select actor_name from audit_log').all()).toEqual([{ actor_name: 'alice' }]);
      } finally {
        raw.close();
      }
    } finally {
      fileStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses them through the app's own connection too", async () => {
    expect(() => store.db.run(sql`update audit_log set summary = 'x'`)).toThrow();
    expect(() => store.db.run(sql`delete from audit_log`)).toThrow();
    expect((await listAudit(dataStoreOf(store.db), query())).entries).toHaveLength(1);
  });

  it('still takes new rows', async () => {
    recordAudit(store.db, bob, { action: 'auth.logout', target: null });
    expect((await listAudit(dataStoreOf(store.db), query())).entries.map((e) => e.action)).toEqual(['auth.logout', 'auth.login']);
  });
});

describe.each(storesUnderTest('audit_query'))('filters and pages on %s', (_name, open, skip) => {
  let ds: DataStore;
  beforeEach(async () => {
    if (skip) return;
    ds = await open();
    const t0 = Date.parse('2026-11-30T10:00:00Z');
    await recordAuditIn(ds, alice, { action: 'scenario.create', target: { type: 'scenario', id: 's1', name: 'A' } }, t0);
    await recordAuditIn(ds, bob, { action: 'scenario.publish', target: { type: 'scenario', id: 's1', name: 'A' } }, t0 + 60_000);
    // An action code outside the list, written by hand: a group filter must not take `_` as LIKE's wildcard.
    await ds.db.insert(ds.t.auditLog).values({ id: 'odd', at: t0 + 90_000, actorType: 'user', actorId: 'u-bob', actorName: 'bob', action: 'scenario_x.odd' as AuditAction });
    await recordAuditIn(ds, alice, { action: 'key.create', target: { type: 'key', id: 'k1', name: 'crm' } }, t0 + 120_000);
    // Sorts between `scenario.` and `scenario/` byte-wise only: a text range would take it on a collation that skips punctuation.
    await ds.db.insert(ds.t.auditLog).values({ id: 'odd2', at: t0 + 130_000, actorType: 'user', actorId: 'u-bob', actorName: 'bob', action: 'scenarioa' as AuditAction });
    await recordAuditIn(ds, { type: 'cli', id: 'root', name: 'root', address: null }, { action: 'user.create', target: { type: 'user', id: 'u9', name: 'zoe' } }, Date.parse('2026-12-01T00:00:00Z'));
  });
  const actions = async (q: Record<string, unknown>) => (await listAudit(ds, query(q))).entries.map((e) => e.action);

  it.skipIf(skip)('filters by actor id or name, actor type, exact action, action group, target and time range', async () => {
    expect(await actions({})).toEqual(['user.create', 'scenarioa', 'key.create', 'scenario_x.odd', 'scenario.publish', 'scenario.create']);
    expect(await actions({ actor: 'alice' })).toEqual(['key.create', 'scenario.create']);
    expect(await actions({ actor: 'u-bob' })).toEqual(['scenarioa', 'scenario_x.odd', 'scenario.publish']);
    expect(await actions({ actor_type: 'cli' })).toEqual(['user.create']);
    expect(await actions({ action: 'scenario.publish' })).toEqual(['scenario.publish']);
    // A group matches its own prefix only: `scenario` is not `scenario_x` (a LIKE would take `_` as a wildcard).
    expect(await actions({ action: 'scenario' })).toEqual(['scenario.publish', 'scenario.create']);
    expect(await actions({ action: 'scenario.*' })).toEqual(['scenario.publish', 'scenario.create']);
    expect(await actions({ action: 'scenario_x' })).toEqual(['scenario_x.odd']);
    expect(await actions({ target_type: 'scenario', target_id: 's1' })).toEqual(['scenario.publish', 'scenario.create']);
    expect(await actions({ from: '2026-11-30T10:01:00Z', to: '2026-11-30T10:02:00Z' })).toEqual(['scenario_x.odd', 'scenario.publish']);
    expect(await actions({ from: '2026-12-01' })).toEqual(['user.create']);
  });

  it.skipIf(skip)('pages newest first with a cursor until next_cursor is null', async () => {
    const first = await listAudit(ds, query({ limit: 2 }));
    expect(first.entries.map((e) => e.action)).toEqual(['user.create', 'scenarioa']);
    const second = await listAudit(ds, query({ limit: 3, cursor: first.next_cursor }));
    expect(second.entries.map((e) => e.action)).toEqual(['key.create', 'scenario_x.odd', 'scenario.publish']);
    const third = await listAudit(ds, query({ limit: 2, cursor: second.next_cursor }));
    expect(third.entries.map((e) => e.action)).toEqual(['scenario.create']);
    expect(third.next_cursor).toBeNull();
    const pages: number[] = [];
    for await (const p of auditPages(ds, {}, 2)) pages.push(p.length);
    expect(pages).toEqual([2, 2, 2]);
  });

  it('refuses bad filters with a message naming the parameter', async () => {
    const bad = (q: Record<string, unknown>) => {
      const r = AuditQuerySchema.safeParse(q);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(bad({ action: 'DROP TABLE' })).toEqual(['action']);
    expect(bad({ from: 'yesterday' })).toEqual(['from']);
    expect(bad({ from: '2026-12-02', to: '2026-12-01' })).toEqual(['from']);
    expect(bad({ limit: '0' })).toEqual(['limit']);
    expect(bad({ cursor: 'abc' })).toEqual(['cursor']);
    expect(bad({ actor_type: 'robot' })).toEqual(['actor_type']);
  });
});

describe('CSV', () => {
  it('quotes Chinese text with commas, quotes and line breaks, and reads back to the same cells', async () => {
    recordAudit(store.db, bob, { action: 'scenario.update', target: { type: 'scenario', id: 's1', name: '投诉,升级 "加急"\n第二行' }, summary: '=HYPERLINK("x")' });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeAuditCsv(out, auditPages(dataStoreOf(store.db), {}));
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.startsWith('\uFEFFat,actor_type,')).toBe(true);
    expect(text).toContain('"王小明, 设计"');
    expect(text).toContain('"投诉,升级 ""加急""\n第二行"');
    const rows: string[][] = parse(text, { bom: true });
    expect(rows).toHaveLength(2);
    const [header, row] = rows;
    const cell = (name: string) => row?.[header?.indexOf(name) ?? -1];
    expect(cell('actor_name')).toBe('王小明, 设计');
    expect(cell('target_name')).toBe('投诉,升级 "加急"\n第二行');
    // A cell a spreadsheet would run as a formula starts with a quote mark.
    expect(cell('summary')).toBe(`'=HYPERLINK("x")`);
    expect(auditCsvRows([])).toBe('');
  });
});
