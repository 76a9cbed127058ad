import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportScenarioReplySchema, ImportTemplateReplySchema } from '@shared/template-api.js';
import { mofang as runMofang } from './cli-helpers.js';
import { echoGraph, removeDir, SIM_ENV, tempDir } from './helpers.js';

let work: string;
let storeA: string;
let storeB: string;

/** Runs `mofang …` in-process against a data directory; never rejects. */
function mofang(dataDir: string, args: string[]) {
  return runMofang(args, { ...SIM_ENV, MOFANG_DATA_DIR: dataDir });
}

const at = (name: string) => path.join(work, name);

beforeAll(() => {
  work = tempDir('mofang-tcli-');
  storeA = tempDir('mofang-tcli-a-');
  storeB = tempDir('mofang-tcli-b-');
});
afterAll(() => [work, storeA, storeB].forEach(removeDir));

describe('mofang export / import', () => {
  it('a template round trip through another store is byte-for-byte lossless', async () => {
    const out = await mofang(storeA, ['export', 'template', 'call-quality-audit', '--version', '1.0.0']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ format: 'mofang.template/v1', meta: { id: 'call-quality-audit', version: '1.0.0' } });
    // Store B already has the built-in at 1.0.0: the same version is refused.
    writeFileSync(at('audit.json'), out.stdout);
    const dup = await mofang(storeB, ['import', at('audit.json')]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/must be greater than 1\.0\.0/);

    // Under a new id it is a new template; exported again it is the same file (the id aside, which we changed).
    const renamed = out.stdout.replace(/"id": "call-quality-audit"/, '"id": "my-audit"');
    writeFileSync(at('my-audit.json'), renamed);
    const imported = await mofang(storeB, ['import', at('my-audit.json')]);
    expect(imported.code).toBe(0);
    expect(ImportTemplateReplySchema.parse(JSON.parse(imported.stdout))).toEqual({ kind: 'template', created: 'template', template_id: 'my-audit', version: '1.0.0' });
    const again = await mofang(storeB, ['export', 'template', 'my-audit', '-o', at('my-audit-2.json')]);
    expect(again.code).toBe(0);
    expect(readFileSync(at('my-audit-2.json'), 'utf8')).toBe(renamed);
  });

  it('a scenario round trip (by name, to a file) is byte-for-byte lossless', async () => {
    writeFileSync(at('graph.json'), JSON.stringify(echoGraph('回访场景')));
    const fromGraph = await mofang(storeA, ['import', at('graph.json')]);
    expect(fromGraph.code).toBe(0);
    const created = ImportScenarioReplySchema.parse(JSON.parse(fromGraph.stdout));
    expect(created).toMatchObject({ from: 'graph', name: '回访场景' });

    const first = await mofang(storeA, ['export', 'scenario', '回访场景', '-o', at('s1.json')]);
    expect(first.code).toBe(0);
    const reimported = ImportScenarioReplySchema.parse(JSON.parse((await mofang(storeB, ['import', at('s1.json')])).stdout));
    expect(reimported.from).toBe('scenario-file');
    await mofang(storeB, ['export', 'scenario', reimported.scenario_id, '-o', at('s2.json')]);
    expect(readFileSync(at('s2.json'), 'utf8')).toBe(readFileSync(at('s1.json'), 'utf8'));
  });

  it('a bad file or an unknown name is one clear line and exit 1', async () => {
    writeFileSync(at('bad.json'), JSON.stringify({ hello: 'world' }));
    writeFileSync(at('notjson.json'), '{nope');
    for (const [args, pattern] of [
      [['import', at('bad.json')], /unrecognised file: expected "format"/],
      [['import', at('notjson.json')], /is not valid JSON/],
      [['import', at('missing.json')], /does not exist/],
      [['export', 'scenario', 'no-such-scenario'], /no scenario with id or name/],
      [['export', 'template', 'no-such-template'], /no template with id/],
    ] as const) {
      const r = await mofang(storeA, [...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    }
  });
});
