import { afterAll, describe, expect, it } from 'vitest';
import { compileGraph, runPlan } from '../engine/index.js';
import { createEngineServices } from '../services/index.js';
import { listBuiltinTemplates } from './builtin.js';
import { sampleModel } from './scripted-sample.js';

const services = createEngineServices({});
afterAll(() => services.close());

const templates = listBuiltinTemplates();

describe('built-in templates', () => {
  it('are all there, each with samples', () => {
    expect(templates.map((t) => t.meta.id)).toEqual(['broadband-repair', 'call-quality-audit', 'call-summary', 'complaint-risk', 'intent-routing', 'intent-triage']);
    for (const t of templates) {
      expect(t.meta.id).toBe(t.dir.split(/[\\/]/).at(-1));
      expect(t.samples.length).toBeGreaterThan(0);
      expect(t.meta.changelog[0].version).toBe(t.meta.version);
    }
  });

  for (const t of templates) {
    it(`${t.meta.id}: compiles`, () => {
      expect(compileGraph(t.graph).errors).toEqual([]);
    });
    for (const { file, sample } of t.samples) {
      it(`${t.meta.id}/${file}: produces the expected outputs under the scripted model`, async () => {
        const compiled = compileGraph(t.graph);
        if (!compiled.ok) throw new Error('does not compile');
        const skipped: string[] = [];
        const result = await runPlan(compiled.plan, sample.inputs, {
          services,
          models: sampleModel(sample).resolver(),
          onEvent: (e) => e.type === 'node.skipped' && skipped.push(e.node_id),
        });
        expect(result.error).toBeUndefined();
        expect(result.status).toBe(sample.expected.status);
        if (sample.expected.outputs) expect(result.outputs).toEqual(sample.expected.outputs);
        expect(skipped.sort()).toEqual([...sample.expected.skipped].sort());
      });
    }
  }
});
