/**
 * The import rules of docs/ARCHITECTURE.md, enforced: dependency-cruiser reads every import of the
 * server, the shared contract and the client (type imports included) and checks them against
 * .dependency-cruiser.cjs. An import that crosses a forbidden arrow, or closes a cycle, fails here with
 * the rule's name and the two files.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
  cycle?: Array<{ name: string }>;
}

interface CruiseReport {
  summary: { violations: Violation[]; totalCruised: number; totalDependenciesCruised: number };
}

/** Runs dependency-cruiser's CLI with the repository's rules; resolves with its JSON report whatever the exit code. */
async function cruise(): Promise<CruiseReport> {
  const bin = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const args = [bin, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', 'server/src', 'shared/src', 'client/src'];
  try {
    const { stdout } = await run(process.execPath, args, { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    return JSON.parse(stdout) as CruiseReport;
  } catch (error) {
    // Violations exit non-zero, with the report on stdout.
    const stdout = typeof error === 'object' && error !== null && 'stdout' in error ? String(error.stdout) : '';
    if (stdout.trim().startsWith('{')) return JSON.parse(stdout) as CruiseReport;
    throw error;
  }
}

describe('architecture', () => {
  it('no import crosses a forbidden arrow or closes a cycle', async () => {
    const report = await cruise();
    // The whole code base was read, not an empty folder.
    expect(report.summary.totalCruised).toBeGreaterThan(300);
    const found = report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.cycle?.length ? v.cycle.map((c) => c.name).join(' → ') : v.to}`);
    expect(found).toEqual([]);
  }, 180_000);
});
