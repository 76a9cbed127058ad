/**
 * A scenario for human-review tests whose outputs follow its inputs (a code node, no model call), so a
 * test decides which rules a result matches: `conf` becomes `confidence`, `a` and `b` the model's and the
 * rule's level, `b = high` a red-line hit; `form` is a filled form with the evidence turn of its phone.
 */
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';

const CODE = `function main(inputs) {
  return {
    confidence: inputs.conf,
    model_level: inputs.a,
    rule_level: inputs.b,
    form: { name: '张三', phone: '13800138000', address: '人民路 1 号' },
    evidence: { name: ['t2'], phone: ['t4'], address: ['t4'] },
    fatal: inputs.b === 'high' ? ['abuse'] : [],
  };
}`;

/** start (transcript, conf, a, b) → code → end (confidence, model_level, rule_level, form, evidence, fatal). */
export function reviewGraph(name = 'review'): Graph {
  const outputs: Array<[string, string]> = [
    ['confidence', 'number'],
    ['model_level', 'string'],
    ['rule_level', 'string'],
    ['form', 'object'],
    ['evidence', 'object'],
    ['fatal', 'array'],
  ];
  return {
    schema: GRAPH_FORMAT,
    name,
    nodes: [
      {
        id: 'start',
        kind: 'start',
        version: 1,
        position: { x: 0, y: 0 },
        config: {
          inputs: [
            { name: 'transcript', type: 'transcript', required: true },
            { name: 'conf', type: 'number', required: true },
            { name: 'a', type: 'string', required: true },
            { name: 'b', type: 'string', required: true },
          ],
        },
      },
      {
        id: 'calc',
        kind: 'code',
        version: 1,
        position: { x: 300, y: 0 },
        config: { code: CODE, inputs: ['conf', 'a', 'b'].map((n) => ({ name: n, value: `{{ start.${n} }}` })), outputs: outputs.map(([n, type]) => ({ name: n, type })) },
      },
      { id: 'end', kind: 'end', version: 1, position: { x: 600, y: 0 }, config: { outputs: outputs.map(([n, type]) => ({ name: n, type, value: `{{ calc.${n} }}` })) } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'calc', targetPort: 'in' },
      { id: 'e2', source: 'calc', sourcePort: 'out', target: 'end', targetPort: 'in' },
    ],
  };
}

/** The inputs of one call: a four-turn transcript and the values the outputs follow. */
export function reviewInputs(conf: number, a: string, b: string, who = '张三'): Record<string, unknown> {
  return { transcript: `坐席：您好，请问有什么可以帮您？\n客户：我是${who}，宽带断了。\n坐席：请留一下电话和地址。\n客户：13800138000，人民路 1 号。`, conf, a, b };
}
