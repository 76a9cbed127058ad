/**
 * The rows of `npm run bench:dashboard` (./dashboard.ts): one audit-shaped scenario with `calls` audited
 * job items (the call-quality-audit template's eleven items: results, evidence turns, reasons, score,
 * verdict, red lines, report), spread over four jobs and seven days, 2% of them failed, and as many
 * `/v1` runs (usage, latency, error codes). Transcripts come from a JSONL file of real calls when one is
 * given (`{"turns": [{"role", "text"}]}` per line: ../shared/data/stc3-telecom-cn.jsonl), else short
 * made-up ones. Deterministic (a seeded generator), so both stores get the same rows.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { DataStore } from '../server/src/storage/store.js';

const T0 = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;
export const SCENARIO = 'bench-audit';

/** The call-quality-audit template's items: id, name, weight, red line. */
const ITEMS: Array<[string, string, number, boolean]> = [
  ['greeting', '开场问候并报工号', 10, false],
  ['closing', '规范结束语', 10, false],
  ['forbidden', '无服务禁语', 10, false],
  ['repeat', '不重复询问', 5, false],
  ['empathy', '客户不满时致歉安抚', 20, false],
  ['answer', '答复正确完整', 20, false],
  ['no_overpromise', '不过度承诺', 10, false],
  ['resolved', '问题解决或明确下一步', 15, false],
  ['abuse', '红线：辱骂客户', 0, true],
  ['false_promise', '红线：虚假承诺', 0, true],
  ['unauthorized_sale', '红线：未经同意办理业务', 0, true],
];

const REASONS = ['坐席在第一轮报出工号并问候客户', '未见规范结束语，通话直接结束', '坐席对客户的抱怨及时致歉并安抚情绪', '答复与客户问题不符，没有给出可执行的处理办法', '给出了明确的处理时限和下一步'];

/** A small seeded generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Turn = { id: string; role: string; text: string };

/** Transcripts of the JSONL file (at most 2,000), or made-up ones when it is missing. */
export function transcripts(file: string | undefined): Turn[][] {
  const out: Turn[][] = [];
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (out.length >= 2000) break;
      if (!line.trim()) continue;
      const turns = (JSON.parse(line) as { turns?: Array<{ role: string; text: string }> }).turns ?? [];
      if (turns.length > 0) out.push(turns.map((t, i) => ({ id: `t${i + 1}`, role: t.role, text: t.text })));
    }
  }
  if (out.length === 0) {
    for (let i = 0; i < 50; i++) out.push([{ id: 't1', role: 'agent', text: `您好，工号 ${1000 + i}，请问有什么可以帮您？` }, { id: 't2', role: 'customer', text: '宽带又断网了，已经报修两次了。' }, { id: 't3', role: 'agent', text: '非常抱歉给您带来不便，我马上为您加急处理，感谢来电。' }]);
  }
  return out;
}

/** One call's outputs, as the template's audit node writes them. */
function audit(next: () => number, turns: number): Record<string, unknown> {
  const items = ITEMS.map(([id, name, weight, fatal]) => {
    const roll = next();
    const result = fatal ? (roll < 0.03 ? 'fail' : 'pass') : roll < 0.2 ? 'fail' : roll < 0.3 ? 'na' : 'pass';
    const evidence = result === 'na' ? [] : [`t${1 + Math.floor(next() * turns)}`, `t${1 + Math.floor(next() * turns)}`];
    return { id, name, result, score: result === 'pass' ? weight : 0, weight, fatal, evidence, reason: REASONS[Math.floor(next() * REASONS.length)] };
  });
  const fatal = items.filter((i) => i.fatal && i.result === 'fail').map((i) => i.id);
  const scored = items.filter((i) => i.result !== 'na' && i.weight > 0);
  const max = scored.reduce((s, i) => s + i.weight, 0);
  const score = fatal.length > 0 ? 0 : max === 0 ? 100 : Math.round((scored.reduce((s, i) => s + i.score, 0) / max) * 1000) / 10;
  const verdict = fatal.length === 0 && score >= 80 ? 'pass' : 'fail';
  const failing = items.filter((i) => i.result === 'fail').map((i) => `✗ ${i.name}（轮次 ${i.evidence.join(', ')}）：${i.reason}`);
  const report = `质检结论：${verdict === 'pass' ? '合格' : '不合格'}，得分 ${score} / 100${fatal.length ? `，触犯红线 ${fatal.length} 项` : ''}\n${failing.join('\n')}`;
  return { report, score, maxScore: 100, verdict, fatal, items };
}

/** Fills `store` (empty, migrated) with the scenario, its jobs, `calls` job items and `calls` `/v1` runs. */
export async function fill(store: DataStore, calls: number, talks: Turn[][]): Promise<void> {
  const { db, t } = store;
  const graph = { schema: 'mofang.graph/v1', name: 'bench', nodes: [], edges: [] };
  await db.insert(t.scenarios).values({ id: SCENARIO, name: 'bench', graph, createdAt: T0, updatedAt: T0 });
  const jobs = 4;
  await db.insert(t.jobs).values(Array.from({ length: jobs }, (_, j) => ({ id: `job-${j}`, scenarioId: SCENARIO, slug: 'qa', version: 1, owner: 'k', purpose: 'batch' as const, status: 'completed' as const, total: Math.ceil(calls / jobs), bodyHash: 'h', createdAt: T0 + j * DAY })));
  const next = random(16);
  const BATCH = 500;
  for (let start = 0; start < calls; start += BATCH) {
    const items: Array<typeof t.jobItems.$inferInsert> = [];
    const runs: Array<typeof t.runs.$inferInsert> = [];
    for (let i = start; i < Math.min(calls, start + BATCH); i++) {
      const turns = talks[i % talks.length];
      const failed = next() < 0.02;
      const finishedAt = T0 + Math.floor((i / calls) * 7 * DAY) + Math.floor(next() * 60_000);
      items.push({
        jobId: `job-${i % jobs}`,
        seq: Math.floor(i / jobs) + 1,
        itemId: `call-${i}`,
        inputs: JSON.stringify({ transcript: turns }),
        status: failed ? 'failed' : 'succeeded',
        attempts: 1,
        runId: `run-${i}`,
        outputs: failed ? null : JSON.stringify(audit(next, turns.length)),
        error: failed ? JSON.stringify({ code: 'model_error', message: 'upstream 503' }) : null,
        latencyMs: 800 + Math.floor(next() * 4000),
        startedAt: finishedAt - 3000,
        finishedAt,
        model: 'qwen',
      });
      const code = next() < 0.05 ? (next() < 0.5 ? 'deadline_exceeded' : 'model_error') : undefined;
      runs.push({
        id: `v1-${i}`,
        scenarioId: SCENARIO,
        kind: 'api',
        status: code ? 'failed' : 'succeeded',
        inputs: null,
        outputs: code ? null : { verdict: 'pass', score: 90 },
        error: code ? { code, message: 'x' } : null,
        usage: { model_calls: 2, prompt_tokens: 900 + (i % 700), completion_tokens: 120 + (i % 90) },
        latencyMs: 300 + Math.floor(next() * 5000),
        model: 'qwen',
        version: 1,
        apiKeyId: 'k',
        createdAt: T0 + Math.floor((i / calls) * 7 * DAY),
        finishedAt: T0 + Math.floor((i / calls) * 7 * DAY) + 1000,
      });
    }
    await store.transaction(async (tx) => {
      await tx.db.insert(tx.t.jobItems).values(items);
      await tx.db.insert(tx.t.runs).values(runs);
    });
  }
}

/** The range `fill` spreads its rows over: [T0, T0 + 7 days). */
export const RANGE = { from: T0, to: T0 + 7 * DAY };
