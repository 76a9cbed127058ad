import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatorClient } from '../simulator/client.js';
import { fast } from '../simulator/config.js';
import { createEngineServices } from '../services/index.js';
import { listBuiltinTemplates } from './builtin.js';
import { runTemplateOverData, type Conversation } from './data-run.js';

const rows: Conversation[] = readFileSync(new URL('../../../tests/fixtures/stc3-sample.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
const services = createEngineServices({});
afterAll(() => services.close());

describe('templates over real conversations with the simulator', () => {
  const simulator = new SimulatorClient(fast());
  const models = { resolve: (alias: string) => ({ client: simulator, model: alias }) };
  for (const id of ['call-quality-audit', 'complaint-risk']) {
    it(`${id}: every sampled conversation ends without an error`, async () => {
      const template = listBuiltinTemplates().find((t) => t.meta.id === id);
      if (!template) throw new Error(`no template ${id}`);
      const report = await runTemplateOverData(template, rows, models, services);
      expect(report.failures).toEqual([]);
      expect(report.succeeded).toBe(rows.length);
      for (const result of report.results.values()) {
        const items = result.outputs?.items ?? result.outputs?.cues;
        expect(Array.isArray(items)).toBe(true);
      }
    });
  }
});
