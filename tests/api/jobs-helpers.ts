/**
 * Helpers for the jobs tests: the 44-row STC-3 fixture as job items, the audit template's graph, and
 * polling a job to the end.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GraphSchema, type Graph } from '@shared/graph.js';
import { JobProgressSchema, JobResultLineSchema, type JobProgress, type JobResultLine } from '@shared/jobs.js';
import { call } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Conversation {
  id: string;
  turns: Array<{ role: string; text: string }>;
}

/** The 44 conversations of tests/fixtures/stc3-sample.jsonl. */
export function sampleConversations(): Conversation[] {
  return readFileSync(`${root}tests/fixtures/stc3-sample.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const row: unknown = JSON.parse(l);
      if (typeof row !== 'object' || row === null || !('id' in row) || !('turns' in row) || !Array.isArray(row.turns)) throw new Error('bad fixture row');
      return { id: String(row.id), turns: row.turns.map((t: unknown) => (typeof t === 'object' && t !== null && 'role' in t && 'text' in t ? { role: String(t.role), text: String(t.text) } : { role: '', text: '' })) };
    });
}

/** `{id, inputs}` items of the fixture. */
export function sampleItems(): Array<{ id: string; inputs: { transcript: { turns: Conversation['turns'] } } }> {
  return sampleConversations().map((c) => ({ id: c.id, inputs: { transcript: { turns: c.turns } } }));
}

/** The call-quality-audit template's graph. */
export function auditGraph(): Graph {
  return GraphSchema.parse(JSON.parse(readFileSync(`${root}templates/call-quality-audit/graph.json`, 'utf8')));
}

/** Polls a progress URL until the job is no longer queued or running. */
export async function waitForJob(base: string, url: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<JobProgress> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(base, 'GET', url, undefined, headers);
    if (res.status !== 200) throw new Error(`progress ${res.status}: ${res.text}`);
    const progress = JobProgressSchema.parse(res.json);
    if (progress.status === 'completed' || progress.status === 'cancelled') return progress;
    if (Date.now() > until) throw new Error(`job not finished: ${JSON.stringify(progress)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Parses a JSONL results body. */
export function resultLines(text: string): JobResultLine[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JobResultLineSchema.parse(JSON.parse(l)));
}
