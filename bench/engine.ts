/**
 * `npm run bench`: the engine's own cost. A 5-node scenario (start → extract → audit → template → end)
 * runs in process against the zero-latency simulator. Prints runs/s (sequential and 32 in flight) and
 * the engine's overhead per run: run latency minus the time spent inside model calls.
 */
import { compileGraph, runPlan } from '../server/src/engine/index.js';
import { SimulatorClient } from '../server/src/simulator/client.js';
import { fast } from '../server/src/simulator/config.js';
import type { ChatRequest, ChatResponse, ModelClient, ModelResolver } from '../server/src/model/types.js';
import { lineGraph, noServices } from '../server/src/engine/testing.js';

const TRANSCRIPT = {
  turns: [
    { role: 'agent', text: '您好，工号 1024，很高兴为您服务。' },
    { role: 'customer', text: '我家宽带从昨天开始上不了网，光猫 LOS 灯红了。' },
    { role: 'agent', text: '非常抱歉。请问您的联系电话和装机地址？' },
    { role: 'customer', text: '电话 13912345678，地址济南市历下区新泺大街 1166 号 501。' },
    { role: 'agent', text: '已为您登记报修，师傅 24 小时内上门，感谢来电，再见。' },
  ],
};

const graph = lineGraph(
  [
    { id: 'extract_1', kind: 'extract', config: { fields: [{ name: 'phone', required: true, pattern: '^1[3-9]\\d{9}$' }, { name: 'address', required: true }] } },
    {
      id: 'audit_1',
      kind: 'audit',
      config: {
        items: [
          { id: 'greeting', name: '问候', kind: 'rule', weight: 50, rule: { check: 'keywords', keywords: ['您好'], scope: { role: 'agent', position: 'first', turns: 1 } } },
          { id: 'answer', name: '答复完整', kind: 'model', weight: 50, criterion: '答复是否完整' },
        ],
      },
    },
    { id: 'summary', kind: 'template', config: { template: '电话 {{ extract_1.form.phone }}，质检 {{ audit_1.score }} 分（{{ audit_1.verdict }}）' } },
  ],
  [
    { name: 'form', value: '{{ extract_1.form }}' },
    { name: 'score', value: '{{ audit_1.score }}' },
    { name: 'summary', value: '{{ summary.text }}' },
  ],
);

/** Counts the time spent inside model calls, so the engine's own time can be told apart. */
class TimedClient implements ModelClient {
  modelMs = 0;
  constructor(private readonly inner: ModelClient) {}
  get name() {
    return this.inner.name;
  }
  get supportsJsonSchema() {
    return this.inner.supportsJsonSchema;
  }
  async chat(request: ChatRequest): Promise<ChatResponse> {
    const t0 = performance.now();
    try {
      return await this.inner.chat(request);
    } finally {
      this.modelMs += performance.now() - t0;
    }
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const compiled = compileGraph(graph);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors, null, 2));
  const plan = compiled.plan;
  const timed = new TimedClient(new SimulatorClient(fast()));
  const models: ModelResolver = { resolve: (alias) => ({ client: timed, model: alias }) };
  const inputs = { transcript: TRANSCRIPT };

  const check = await runPlan(plan, inputs, { models, services: noServices });
  if (check.status !== 'succeeded') throw new Error(`bench scenario failed: ${JSON.stringify(check.error)}`);

  for (let i = 0; i < 2000; i++) await runPlan(plan, inputs, { models, services: noServices }); // warm-up

  // Rounds of each mode, the median quoted: one round slowed by a collection must not move the figure.
  const runs = Number(process.env.BENCH_RUNS ?? 20000);
  const rounds = 5;
  const perRound = Math.ceil(runs / rounds);
  const overheads: number[] = [];
  const latencies: number[] = [];
  const sequentialRates: number[] = [];
  const concurrentRates: number[] = [];
  const inFlight = 32;
  for (let round = 0; round < rounds; round++) {
    let t0 = performance.now();
    for (let i = 0; i < perRound; i++) {
      timed.modelMs = 0;
      const s = performance.now();
      await runPlan(plan, inputs, { models, services: noServices });
      const total = performance.now() - s;
      latencies.push(total);
      overheads.push(total - timed.modelMs);
    }
    sequentialRates.push(perRound / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next++ < perRound) await runPlan(plan, inputs, { models, services: noServices });
      }),
    );
    concurrentRates.push(perRound / ((performance.now() - t0) / 1000));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  overheads.sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const rows = [
    ['scenario', '5 nodes (start → extract → audit → template → end), 2 model calls/run', ''],
    ['model', 'in-process simulator, zero latency', ''],
    ['runs', `${perRound * rounds} (median of ${rounds} rounds per mode)`, ''],
    [`runs/s, ${inFlight} in flight`, median(concurrentRates).toFixed(0), '≥ 10,000'],
    ['runs/s, sequential (1 in flight)', median(sequentialRates).toFixed(0), '≥ 5,000'],
    ['run latency p50 / p99 (ms)', `${percentile(latencies, 50).toFixed(3)} / ${percentile(latencies, 99).toFixed(3)}`, ''],
    ['engine overhead p50 / p99 (ms)', `${percentile(overheads, 50).toFixed(3)} / ${percentile(overheads, 99).toFixed(3)}`, 'p50 < 0.1'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.max(...rows.map((r) => r[1].length));
  console.log(`| ${'metric'.padEnd(width)} | ${'value'.padEnd(valueWidth)} | target |`);
  console.log(`| ${'-'.repeat(width)} | ${'-'.repeat(valueWidth)} | ------ |`);
  for (const [k, v, target] of rows) console.log(`| ${k.padEnd(width)} | ${v.padEnd(valueWidth)} | ${target} |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
