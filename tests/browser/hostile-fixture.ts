/**
 * Hostile names for the escaping test: payloads that run script or add elements wherever a name is
 * drawn as HTML or Markdown instead of text, a scenario that carries them in every field a user names,
 * and a page check that finds any sign that one of them took effect.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Graph, GraphNode } from '@shared/graph';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Each payload does something visible if it is ever parsed: a dialog, an element, or `window.__pwned`. */
export const HOSTILE = {
  img: '<img src=x onerror=alert(1)>',
  script: '"><script>alert(2)</script>',
  js: 'javascript:alert(3)',
  tpl: "{{constructor.constructor('alert(4)')()}}",
  svg: '<svg id=injected-svg onload="window.__pwned=5"></svg>',
  md: '[点我](javascript:alert(6)) <b id=injected-b>粗</b> <a id=injected-a href="javascript:alert(7)">链</a>',
  style: '<style>body{display:none}</style><iframe id=injected-frame srcdoc="<script>parent.__pwned=8</script>"></iframe>',
} as const;

export const ALL = Object.values(HOSTILE);

/** A short name made of one payload and a plain word, so a test can also find it as text. */
export const named = (payload: string, word: string) => `${word} ${payload}`;

function node(graph: Graph, id: string): GraphNode {
  const found = graph.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

/**
 * The call-quality-audit template with a classifier and a form extractor in front of its audit, and a
 * hostile payload in the scenario's name and description, every node's name, every audit item's name,
 * class names and descriptions, field labels, descriptions, enums and hints, and the input and output
 * descriptions (which end up in the OpenAPI document and Swagger UI).
 */
export function hostileGraph(): Graph {
  const graph: Graph = JSON.parse(readFileSync(path.join(root, 'templates/call-quality-audit/graph.json'), 'utf8'));
  graph.name = named(HOSTILE.img, '质检');
  graph.description = `${HOSTILE.script} ${HOSTILE.md} ${HOSTILE.style}`;
  const start = node(graph, 'start');
  const audit = node(graph, 'audit');
  const end = node(graph, 'end');
  start.config = { inputs: [{ name: 'transcript', type: 'transcript', required: true, description: `${HOSTILE.md} ${HOSTILE.img}` }] };
  const classes = [
    { id: 'c_img', name: named(HOSTILE.img, '报修'), description: HOSTILE.md, examples: [HOSTILE.script] },
    { id: 'c_script', name: named(HOSTILE.script, '投诉'), description: HOSTILE.svg, examples: [] },
    { id: 'c_tpl', name: named(HOSTILE.tpl, '咨询'), description: HOSTILE.js, examples: [] },
  ];
  graph.nodes.push(
    { id: 'intent', kind: 'classify', version: 1, name: named(HOSTILE.svg, '意图'), position: { x: start.position.x + 150, y: start.position.y + 180 }, config: { input: '{{ start.transcript.text }}', classes, minConfidence: 0 } },
    {
      id: 'form',
      kind: 'extract',
      version: 1,
      name: named(HOSTILE.script, '填单'),
      position: { x: start.position.x + 300, y: start.position.y + 360 },
      config: {
        input: '{{ start.transcript }}',
        fields: [
          { name: 'phone', label: named(HOSTILE.img, '电话'), type: 'string', required: false, description: HOSTILE.md, patternHint: HOSTILE.svg },
          { name: 'topic', label: HOSTILE.js, type: 'string', required: false, description: HOSTILE.style, enum: [HOSTILE.img, HOSTILE.tpl, '其他'] },
        ],
      },
    },
  );
  // start → intent (every class) → form → audit → report → end: one straight line, nothing skipped.
  graph.edges = graph.edges.filter((e) => e.source !== 'start');
  graph.edges.push(
    ...['c_img', 'c_script', 'c_tpl', 'other'].map((port) => ({ id: `h_${port}`, source: 'intent', sourcePort: port, target: 'form', targetPort: 'in' })),
    { id: 'h_start', source: 'start', sourcePort: 'out', target: 'intent', targetPort: 'in' },
    { id: 'h_form', source: 'form', sourcePort: 'out', target: 'audit', targetPort: 'in' },
  );
  node(graph, 'start').name = named(HOSTILE.js, '开始');
  audit.name = named(HOSTILE.md, '评分');
  node(graph, 'report').name = named(HOSTILE.tpl, '报告');
  end.name = named(HOSTILE.style, '输出');
  const items = Array.isArray(audit.config.items) ? audit.config.items : [];
  audit.config = { ...audit.config, items: items.map((item: Record<string, unknown>, i: number) => ({ ...item, name: named(ALL[i % ALL.length], `项${i + 1}`) })) };
  const outputs = Array.isArray(end.config.outputs) ? end.config.outputs : [];
  end.config = {
    outputs: [
      ...outputs.map((o: Record<string, unknown>, i: number) => ({ ...o, description: ALL[(i + 3) % ALL.length] })),
      { name: 'intent', type: 'auto', value: '{{ intent.name }}', description: HOSTILE.md },
      { name: 'form', type: 'auto', value: '{{ form.form }}', description: HOSTILE.img },
    ],
  };
  return graph;
}

/** An item id a spreadsheet would run as a formula if the results CSV let it. */
export const FORMULA_ID = '=HYPERLINK("http://127.0.0.1/x","call")';

/** Job lines from the STC-3 sample, each item id a payload (the last one a spreadsheet formula). */
export function hostileJobItems(n: number): Array<{ id: string; inputs: Record<string, unknown> }> {
  return readFileSync(path.join(root, 'tests/fixtures/stc3-sample.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, n)
    .map((l, i) => {
      const row: { turns: unknown[] } = JSON.parse(l);
      return { id: i === n - 1 ? FORMULA_ID : named(ALL[i % ALL.length], `call${i + 1}`), inputs: { transcript: { turns: row.turns } } };
    });
}

/** What a page shows of the payloads having taken effect: elements they would add, a flag they set. */
export interface Injection {
  elements: string[];
  pwned: unknown;
}

/** Looks through the page (and its same-origin frames) for anything a payload would have created. */
export async function injections(page: Page): Promise<Injection> {
  return page.evaluate(() => {
    const found: string[] = [];
    const docs: Document[] = [document];
    for (const frame of Array.from(document.querySelectorAll('iframe'))) {
      try {
        if (frame.contentDocument) docs.push(frame.contentDocument);
      } catch {
        // a cross-origin frame is not ours to read
      }
    }
    for (const doc of docs) {
      for (const el of Array.from(doc.querySelectorAll('img[src="x"], [id^="injected"], svg[onload], iframe[srcdoc]'))) found.push(el.outerHTML.slice(0, 120));
      for (const el of Array.from(doc.querySelectorAll('style'))) {
        if ((el.textContent ?? '').trim() === 'body{display:none}') found.push(el.outerHTML.slice(0, 120));
      }
      for (const script of Array.from(doc.scripts)) if (/alert\(|__pwned/.test(script.textContent ?? '')) found.push(script.outerHTML.slice(0, 120));
      for (const el of Array.from(doc.querySelectorAll('[href], [src], [action], [formaction], [xlink\\:href]'))) {
        for (const attr of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
          const value = el.getAttribute(attr);
          if (value && /^\s*javascript:/i.test(value)) found.push(el.outerHTML.slice(0, 120));
        }
      }
      for (const el of Array.from(doc.querySelectorAll('*'))) {
        for (const attr of Array.from(el.attributes)) if (/^on/i.test(attr.name) && /alert|__pwned/.test(attr.value)) found.push(el.outerHTML.slice(0, 120));
      }
    }
    return { elements: found, pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null };
  });
}
