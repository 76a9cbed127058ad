/**
 * `npx tsx scripts/build-stc3-eval-set.ts [stc3-telecom-cn.jsonl]`: writes the complaint-risk template's
 * shipped evaluation set, templates/complaint-risk/eval/stc3-complaint-risk.jsonl, from the STC-3 Chinese
 * dialogue-quality data (../shared/data, or MOFANG_DATA_FILE, or the path given).
 *
 * Labels come from the mean of 19 annotators' scores (-2..2): a customer clearly dissatisfied
 * (S < -0.25) is a complaint risk, `expected.warn = true`; a customer clearly satisfied (S > 0.25) whose
 * task was accomplished (A > 0) is not, `expected.warn = false`. Conversations in between (S within
 * ±0.25, where annotators split, or satisfied but unresolved) are left out, so each label is one most
 * annotators agree on. Only `warn` is labelled: the scores say nothing about low / medium / high.
 *
 * The sample is reproducible without a random seed: each class is ordered by SHA-256 of
 * `stc3-complaint-risk:<id>` and its first 100 are taken; the file lists the 200 in that hash order.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Cases per class. */
const PER_CLASS = 100;
/** How far from 0 a satisfaction score must be for its label to count. */
const MARGIN = 0.25;

interface Conversation {
  id: string;
  turns: Array<{ role: string; text: string }>;
  quality: { A: number; S: number; E: number };
}

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const input = process.argv[2] ?? process.env.MOFANG_DATA_FILE ?? path.resolve(root, '../shared/data/stc3-telecom-cn.jsonl');
const outDir = path.join(root, 'templates/complaint-risk/eval');

const hash = (id: string) => createHash('sha256').update(`stc3-complaint-risk:${id}`).digest('hex');

const conversations: Conversation[] = readFileSync(input, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Conversation);

const label = (c: Conversation): boolean | undefined => {
  if (c.quality.S < -MARGIN) return true;
  if (c.quality.S > MARGIN && c.quality.A > 0) return false;
  return undefined;
};

const pick = (warn: boolean) =>
  conversations
    .filter((c) => label(c) === warn)
    .map((c) => ({ c, h: hash(c.id) }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
    .slice(0, PER_CLASS);

const chosen = [...pick(true), ...pick(false)].sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
if (chosen.length !== 2 * PER_CLASS) throw new Error(`only ${chosen.length} conversations have a clear label`);

const lines = chosen.map(({ c }) => JSON.stringify({ id: c.id, inputs: { transcript: { turns: c.turns.map((t) => ({ role: t.role, text: t.text })) } }, expected: { warn: label(c) } }));
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'stc3-complaint-risk.jsonl'), `${lines.join('\n')}\n`);
const positives = chosen.filter(({ c }) => label(c) === true).length;
process.stdout.write(`wrote ${chosen.length} cases (${positives} warn, ${chosen.length - positives} no warn) from ${conversations.length} conversations\n`);
