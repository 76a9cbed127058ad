/**
 * `npm run bench:data`: every conversation of ../shared/data/stc3-telecom-cn.jsonl through the audit and
 * complaint-risk templates with the in-process simulator. Prints a table; exits 1 if any run failed.
 */
import { readFileSync } from 'node:fs';
import { createEngineServices } from '../server/src/services/index.js';
import { SimulatorClient } from '../server/src/simulator/client.js';
import { fast } from '../server/src/simulator/config.js';
import { listBuiltinTemplates } from '../server/src/templates/builtin.js';
import { runTemplateOverData, type Conversation } from '../server/src/templates/data-run.js';

const file = process.env.MOFANG_DATA_FILE ?? new URL('../../shared/data/stc3-telecom-cn.jsonl', import.meta.url).pathname;
const conversations: Conversation[] = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const services = createEngineServices({});
const simulator = new SimulatorClient(fast());
const models = { resolve: (alias: string) => ({ client: simulator, model: alias }) };

let failed = 0;
console.log('| template | conversations | succeeded | failed | seconds | runs/s |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const id of ['call-quality-audit', 'complaint-risk']) {
  const template = listBuiltinTemplates().find((t) => t.meta.id === id);
  if (!template) throw new Error(`no template ${id}`);
  const t0 = performance.now();
  const report = await runTemplateOverData(template, conversations, models, services, 32);
  const seconds = (performance.now() - t0) / 1000;
  failed += report.failures.length;
  console.log(`| ${id} | ${report.total} | ${report.succeeded} | ${report.failures.length} | ${seconds.toFixed(1)} | ${(report.total / seconds).toFixed(0)} |`);
  for (const f of report.failures.slice(0, 10)) console.log(`  failed ${f.id}: ${f.error}`);
}
await services.close();
process.exit(failed > 0 ? 1 : 0);
