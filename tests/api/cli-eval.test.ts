/**
 * `mofang eval`: a shipped template scored on a JSONL set made here, against a scripted OpenAI-compatible
 * server whose answers are known (so the metrics are exact), the exit codes a CI gate relies on (0 met,
 * 1 below a bar, 2 cannot evaluate), set files with mistakes, the simulator's warning and a published
 * version named by its slug.
 */
import { onPostgres, openTestStore, TEST_SECRET_KEY } from './test-store.js';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSecretBox } from '../../server/src/endpoints/secret-box.js';
import { insertEndpoint } from '../../server/src/endpoints/store.js';
import { startMockOpenAI, type MockOpenAI } from '../../server/src/model/mock-openai.testing.js';
import { findBySlug } from '../../server/src/storage/versions.js';
import { EvaluationSets } from '../../server/src/evaluation/sets.js';
import { mofang as runMofang, ROOT } from './cli-helpers.js';
import { echoGraph, removeDir, SIM_ENV, tempDir } from './helpers.js';

const TEMPLATE = path.join(ROOT, 'templates/complaint-risk/graph.json');

let dir: string;
let mock: MockOpenAI;

const completion = (content: string) => ({ id: 'c', object: 'chat.completion', created: 1, model: 'qwen2.5-7b-instruct', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
/** The template's model node answers "medium" for every call (no rule cue fires on the calm calls below, so risk_level is the model's). */
const medium = () => completion(JSON.stringify({ risk_level: 'medium', emotion: '平静', reasons: ['t1：客户语气平静'] }));

/** Runs `mofang …` against the test's data directory and the mock endpoint. */
function withMock(args: string[]) {
  return runMofang(args, { MOFANG_DATA_DIR: dir, MOFANG_MODEL_BASE_URL: mock.url, MOFANG_MODEL: 'qwen2.5-7b-instruct', MOFANG_MODEL_STREAM: '0' });
}

/** Runs `mofang …` with the zero-latency simulator. */
function withSimulator(args: string[], data = dir) {
  return runMofang(args, { ...SIM_ENV, MOFANG_DATA_DIR: data, MOFANG_MODEL_BASE_URL: '' });
}

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

const jsonl = (cases: unknown[]) => cases.map((c) => JSON.stringify(c)).join('\n') + '\n';

/** Four calm calls: three expect "medium" (right), one "high" (wrong) → accuracy 0.75. */
const CALLS = ['客户：请问流量包怎么办理？\n坐席：您可以在营业厅办理。', '客户：话费余额多少？\n坐席：您的余额是 35 元。', '客户：宽带什么时候上门？\n坐席：明天上午。', '客户：套餐能改吗？\n坐席：下个月生效。'];
let setFile: string;

beforeAll(async () => {
  dir = tempDir('mofang-cli-eval-');
  mock = await startMockOpenAI();
  setFile = file('set.jsonl', jsonl(CALLS.map((transcript, i) => ({ id: `call-${i + 1}`, inputs: { transcript }, expected: { risk_level: i === 3 ? 'high' : 'medium' } }))));
});
afterAll(async () => {
  await mock?.close();
  removeDir(dir);
});
beforeEach(() => {
  mock.replies = [];
  mock.failWith = undefined;
});

describe('mofang eval on a scripted endpoint', () => {
  it('scores 3 of 4 right as accuracy 0.75: a bar of 0.8 exits 1, 0.7 and 70% exit 0', async () => {
    mock.replies = CALLS.map(medium);
    const out = path.join(dir, 'result.json');
    const below = await withMock(['eval', TEMPLATE, '--set', setFile, '--min', 'risk_level.accuracy=0.8', '--out', out, '--per-case']);
    expect(below.code).toBe(1);
    expect(mock.requests).toHaveLength(4);
    const result = JSON.parse(below.stdout);
    expect(result.metrics['risk_level.accuracy']).toBe(0.75);
    expect(result.metrics['risk_level.recall[medium]']).toBe(1);
    expect(result.metrics['risk_level.recall[high]']).toBe(0);
    expect(result).toMatchObject({ target: { graph: TEMPLATE }, set: { file: setFile, cases: 4 }, cases: 4, failed: 0, failures: [], model: { simulated: false } });
    expect(result.target.plan_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(result.bars).toEqual({ ok: false, bars: [{ metric: 'risk_level.accuracy', min: 0.8 }], failures: [{ metric: 'risk_level.accuracy', value: 0.75, min: 0.8 }] });
    expect(result.per_case.map((c: { id: string; outputs: { risk_level: { correct: boolean } } }) => [c.id, c.outputs.risk_level.correct])).toEqual([
      ['call-1', true],
      ['call-2', true],
      ['call-3', true],
      ['call-4', false],
    ]);
    expect(result.per_case[3].outputs.risk_level).toMatchObject({ expected: 'high', actual: 'medium' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(result);
    expect(below.stderr).toMatch(/4\/4 cases…/);
    expect(below.stderr).toMatch(/below the bar: risk_level\.accuracy = 0\.75 < 0\.8/);
    expect(below.stderr).not.toMatch(/simulator/);

    for (const bar of ['risk_level.accuracy=0.7', 'risk_level.accuracy=70%']) {
      mock.replies = CALLS.map(medium);
      const met = await withMock(['eval', TEMPLATE, '--set', setFile, '--min', bar, '--min', 'risk_level.recall[medium]=1', '--concurrency', '2']);
      expect(met.code).toBe(0);
      expect(JSON.parse(met.stdout).bars).toMatchObject({ ok: true, failures: [] });
      expect(JSON.parse(met.stdout)).not.toHaveProperty('per_case');
    }
  });

  it('a failed case run counts as wrong and is listed with its error', async () => {
    mock.failWith = 400;
    const set = file('echo.jsonl', jsonl([{ id: 'a', inputs: { transcript: '客户：你好' }, expected: { reply: '您好' } }, { inputs: { transcript: '客户：在吗' }, expected: { reply: '在的' } }]));
    const r = await withMock(['eval', file('echo.json', JSON.stringify(echoGraph())), '--set', set, '--min', 'reply.pass_rate=0.5']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ cases: 2, failed: 2, metrics: { 'reply.pass_rate': 0 } });
    expect(result.failures.map((f: { id: string }) => f.id)).toEqual(['a', 'line-2']);
    expect(result.failures[0].error.code).toEqual(expect.any(String));
    expect(r.stderr).toMatch(/2 of 2 case runs failed/);
  });
});

describe('mofang eval with the endpoints stored in the data directory', () => {
  it('calls a stored endpoint when the environment names none, at its max concurrency', async () => {
    const data = tempDir('mofang-cli-eval-endpoints-');
    try {
      const store = await openTestStore(data);
      await insertEndpoint(store, openSecretBox({ dataDir: data, secretKey: onPostgres ? TEST_SECRET_KEY : undefined }), { name: 'qwen-hotline', base_url: mock.url, api_key: 'sk-test', models: { default: 'qwen2.5-7b-instruct' }, max_concurrency: 3, timeout_ms: null, supports_json_schema: true, stream: false, enabled: true });
      await store.close();
      mock.replies = CALLS.map(medium);
      const before = mock.requests.length;
      const r = await withSimulator(['eval', TEMPLATE, '--set', setFile, '--min', 'risk_level.accuracy=0.75'], data);
      expect(r.code).toBe(0);
      expect(mock.requests.length - before).toBe(4);
      const result = JSON.parse(r.stdout);
      expect(result.model).toEqual({ simulated: false, aliases: [{ alias: 'default', endpoint: 'qwen-hotline', model: 'qwen2.5-7b-instruct', simulator: false }] });
      expect(result.metrics['risk_level.accuracy']).toBe(0.75);
      expect(r.stderr).toMatch(/4 cases, 3 at a time/);
      expect(r.stderr).not.toMatch(/sk-test/);
    } finally {
      removeDir(data);
    }
  });
});

describe('mofang eval as a CI gate in a shell script (the compiled bin)', () => {
  /** Runs a gate script with `sh` from the repository root; resolves with its exit code and output. */
  function gate(bar: string, out: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const script = file('gate.sh', ['set -u', 'node bin/mofang.mjs eval "$GRAPH" --set "$SET" --min "$BAR" -o "$OUT" > /dev/null || exit 1', 'echo "gate passed"'].join('\n'));
    const env = { ...process.env, GRAPH: TEMPLATE, SET: setFile, BAR: bar, OUT: out, MOFANG_DATA_DIR: dir, MOFANG_MODEL_BASE_URL: mock.url, MOFANG_MODEL: 'qwen2.5-7b-instruct' };
    return new Promise((resolve) => {
      execFile('sh', [script], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }));
    });
  }

  it('fails the script below the bar and passes it at or above', async () => {
    mock.replies = CALLS.map(medium);
    const failing = await gate('risk_level.accuracy=80%', path.join(dir, 'gate-1.json'));
    expect(failing.code).toBe(1);
    expect(failing.stdout).toBe('');
    expect(failing.stderr).toMatch(/below the bar: risk_level\.accuracy = 0\.75 < 0\.8/);
    expect(JSON.parse(readFileSync(path.join(dir, 'gate-1.json'), 'utf8')).metrics['risk_level.accuracy']).toBe(0.75);
    mock.replies = CALLS.map(medium);
    const passing = await gate('risk_level.accuracy=0.75', path.join(dir, 'gate-2.json'));
    expect(passing.code).toBe(0);
    expect(passing.stdout).toBe('gate passed\n');
  });
});

describe('mofang eval: what it refuses (exit 2)', () => {
  it('a bad set line names its line number; unknown inputs and expected keys that are not end outputs too', async () => {
    const bad = file(
      'bad.jsonl',
      [
        JSON.stringify({ inputs: { transcript: CALLS[0] }, expected: { risk_level: 'low' } }),
        '',
        '{"inputs": {"transcript": "客户：你好"}, "expected": ',
        JSON.stringify({ inputs: { transcript: CALLS[1], channel: 'web' }, expected: { risk_level: 'low' } }),
        JSON.stringify({ inputs: { transcript: CALLS[2] }, expected: { risk: 'low' } }),
        JSON.stringify({ inputs: {}, expected: { risk_level: 'low' } }),
        JSON.stringify([1, 2]),
      ].join('\n'),
    );
    const r = await withSimulator(['eval', TEMPLATE, '--set', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/has 5 problems/);
    expect(r.stderr).toMatch(/line 3: not valid JSON/);
    expect(r.stderr).toMatch(/line 4: unknown input "channel"; the graph's inputs are "transcript"/);
    expect(r.stderr).toMatch(/line 5: "expected" names "risk", not an end output; the end outputs are "risk_level", "warn"/);
    expect(r.stderr).toMatch(/line 6: invalid inputs: .*transcript/);
    expect(r.stderr).toMatch(/line 7: a case is a JSON object/);
    expect(r.stderr).not.toMatch(/line 1:/);
  });

  it('an unknown metric lists the known names; a minimum on an error metric, a bad bar and a stored set name are refused', async () => {
    const unknown = await withSimulator(['eval', TEMPLATE, '--set', setFile, '--min', 'risk.accuracy=0.8']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no metric "risk\.accuracy".*known: .*risk_level\.accuracy/);
    // Named after the run: a class no case expects or gives.
    const unseen = await withSimulator(['eval', TEMPLATE, '--set', setFile, '--min', 'risk_level.f1[urgent]=0.5']);
    expect(unseen.code).toBe(2);
    expect(unseen.stderr).toMatch(/no metric "risk_level\.f1\[urgent\]" in this result; known: .*risk_level\.accuracy/);
    const direction = await withSimulator(['eval', TEMPLATE, '--set', setFile, '--min', 'score.mae=1']);
    expect(direction.code).toBe(2);
    expect(direction.stderr).toMatch(/lower is better/);
    const impossible = await withSimulator(['eval', TEMPLATE, '--set', setFile, '--min', 'risk_level.accuracy=150%']);
    expect(impossible.code).toBe(2);
    expect(impossible.stderr).toMatch(/lies between 0 and 1.*never a real bar/);
    expect((await withSimulator(['eval', TEMPLATE, '--set', setFile, '--min', 'risk_level.accuracy=-1'])).code).toBe(2);
    // Usage errors are "could not evaluate" too (1 means below a bar).
    expect((await withSimulator(['eval', TEMPLATE])).code).toBe(2);
    expect((await withSimulator(['eval', TEMPLATE, '--set', setFile, '-c', '0'])).code).toBe(2);
    const malformed = await withSimulator(['eval', TEMPLATE, '--set', setFile, '--min', 'risk_level.accuracy']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/<metric>=<number>/);
    const named = await withSimulator(['eval', TEMPLATE, '--set', 'regression']);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/--set "regression" names a stored evaluation set, which belongs to a published scenario: pass its slug/);
    const missing = await withSimulator(['eval', TEMPLATE, '--set', path.join(dir, 'missing.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
    const unwritable = await withSimulator(['eval', TEMPLATE, '--set', setFile, '-o', path.join(dir, 'no-such-dir', 'out.json')]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/could not write --out/);
    const versionOnFile = await withSimulator(['eval', TEMPLATE, '--set', setFile, '--version', '2']);
    expect(versionOnFile.code).toBe(2);
    expect(versionOnFile.stderr).toMatch(/--version applies to a published scenario's slug/);
  });
});

describe('mofang eval with the simulator and on published versions', () => {
  it('says simulated, warns that the numbers mean nothing, and evaluates a slug at its live or a chosen version', async () => {
    const data = tempDir('mofang-cli-eval-data-');
    try {
      expect((await withSimulator(['publish', TEMPLATE, '--slug', 'complaint-risk'], data)).code).toBe(0);
      const edited = JSON.parse(readFileSync(TEMPLATE, 'utf8'));
      edited.nodes.find((n: { id: string }) => n.id === 'judge').config.temperature = 0.1;
      expect((await withSimulator(['publish', file('v2.json', JSON.stringify(edited)), '--slug', 'complaint-risk'], data)).code).toBe(0);

      const live = await withSimulator(['eval', 'complaint-risk', '--set', setFile], data);
      expect(live.code).toBe(0);
      const result = JSON.parse(live.stdout);
      expect(result.target).toMatchObject({ slug: 'complaint-risk', version: 2 });
      expect(result.model.simulated).toBe(true);
      expect(result.cases).toBe(4);
      expect(live.stderr).toMatch(/simulator answered the model calls, so these numbers mean nothing/);

      const first = await withSimulator(['eval', 'complaint-risk', '--set', setFile, '--version', '1'], data);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout).target).toMatchObject({ slug: 'complaint-risk', version: 1 });
      expect(JSON.parse(first.stdout).target.plan_hash).not.toBe(result.target.plan_hash);

      // A stored set by name (its latest revision, or name@N), made as the 评测集 page makes one.
      const store = await openTestStore(data);
      try {
        const scenario = await findBySlug(store, 'complaint-risk');
        const sets = new EvaluationSets(store);
        const set = await sets.create(scenario?.id ?? '', { name: 'regression', description: '' });
        const lines = readFileSync(setFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { inputs: Record<string, unknown>; expected: Record<string, unknown> });
        await sets.addCases(set.id, lines.slice(0, 3), 'test');
        await sets.addCases(set.id, lines.slice(3), 'test');
      } finally {
        await store.close();
      }
      const stored = await withSimulator(['eval', 'complaint-risk', '--set', 'regression'], data);
      expect(stored.code).toBe(0);
      expect(JSON.parse(stored.stdout)).toMatchObject({ set: { name: 'regression', revision: 2, cases: 4 }, cases: 4 });
      const older = await withSimulator(['eval', 'complaint-risk', '--set', 'regression@1'], data);
      expect(JSON.parse(older.stdout)).toMatchObject({ set: { name: 'regression', revision: 1, cases: 3 } });
      const noSet = await withSimulator(['eval', 'complaint-risk', '--set', 'nightly'], data);
      expect(noSet.code).toBe(2);
      expect(noSet.stderr).toMatch(/no evaluation set "nightly" in this scenario; its sets: regression/);
      const noRevision = await withSimulator(['eval', 'complaint-risk', '--set', 'regression@7'], data);
      expect(noRevision.code).toBe(2);
      expect(noRevision.stderr).toMatch(/has revisions 1–2, not 7/);

      const none = await withSimulator(['eval', 'complaint-risk', '--set', setFile, '--version', '9'], data);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/has no version 9/);
      const unknown = await withSimulator(['eval', 'no-such-scenario', '--set', setFile], data);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/no published scenario "no-such-scenario"/);
    } finally {
      removeDir(data);
    }
    expect(existsSync(path.join(dir, 'mofang.db'))).toBe(false);
  });

  it('--help documents the set format, the bars and the exit codes', async () => {
    const r = await withSimulator(['eval', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--set <file\.jsonl\|name\[@revision\]>/);
    expect(r.stdout).toMatch(/--min <metric=value>/);
    expect(r.stdout).toMatch(/Exit codes: 0 every bar met, 1 below a bar, 2 could not evaluate/);
  });
});
