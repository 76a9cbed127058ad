import { compileUserPattern } from '../common/user-regex.js';
import type { Rule } from '@shared/nodes/audit.js';
import type { Turn } from '@shared/transcript.js';

export interface RuleOutcome {
  result: 'pass' | 'fail' | 'na';
  evidence: string[];
  reason: string;
}

/** The turns a rule looks at: by speaker role, then the first or last N of them. */
export function scopedTurns(turns: Turn[], scope: Rule['scope']): Turn[] {
  const byRole = scope.role === 'any' ? turns : turns.filter((t) => t.role === scope.role);
  if (scope.position === 'first') return byRole.slice(0, scope.turns);
  if (scope.position === 'last') return byRole.slice(-scope.turns);
  return byRole;
}

function where(scope: Rule['scope']): string {
  const who = scope.role === 'any' ? '' : scope.role === 'agent' ? '坐席' : scope.role === 'customer' ? '客户' : scope.role;
  const span = scope.position === 'first' ? `前 ${scope.turns} 轮` : scope.position === 'last' ? `后 ${scope.turns} 轮` : '全部轮次';
  return `${who}${span}`;
}

/** Compiles a rule into a function of the transcript's turns. */
export function compileRule(rule: Rule): (turns: Turn[]) => RuleOutcome {
  switch (rule.check) {
    case 'keywords': {
      return (turns) => {
        const scoped = scopedTurns(turns, rule.scope);
        const hits = rule.keywords.map((k) => ({ keyword: k, turns: scoped.filter((t) => t.text.includes(k)) }));
        const found = hits.filter((h) => h.turns.length > 0);
        const matched = rule.match === 'all' ? found.length === rule.keywords.length : found.length > 0;
        const evidence = [...new Set(found.flatMap((h) => h.turns.map((t) => t.id)))];
        return outcome(rule.expect, matched, evidence, `${where(rule.scope)}${matched ? '出现' : '未出现'}：${(found.length > 0 ? found : hits).map((h) => h.keyword).join('、')}`);
      };
    }
    case 'regex': {
      const regex = compileUserPattern(rule.pattern, rule.flags);
      return (turns) => {
        const hits = scopedTurns(turns, rule.scope).flatMap((t) => {
          const m = regex.firstMatch(t.text);
          return m !== null ? [{ id: t.id, quote: m.length > 30 ? `${m.slice(0, 30)}…` : m }] : [];
        });
        const reason = hits.length > 0 ? `${where(rule.scope)}出现“${hits.map((h) => h.quote).join('”“')}”` : `${where(rule.scope)}没有符合要求的表述`;
        return outcome(rule.expect, hits.length > 0, hits.map((h) => h.id), reason);
      };
    }
    case 'timing':
      return (turns) => timing(rule, turns);
    case 'repetition':
      return (turns) => {
        const groups = new Map<string, string[]>();
        for (const t of scopedTurns(turns, rule.scope)) {
          const key = t.text.replace(/[\s\p{P}]/gu, '');
          if (key.length < rule.minLength) continue;
          groups.set(key, [...(groups.get(key) ?? []), t.id]);
        }
        const repeated = [...groups.values()].filter((ids) => ids.length >= rule.times);
        const evidence = repeated.flat();
        return repeated.length > 0
          ? { result: 'fail', evidence, reason: `同一句话重复了 ${Math.max(...repeated.map((r) => r.length))} 次` }
          : { result: 'pass', evidence: [], reason: '没有重复提问' };
      };
  }
}

function outcome(expect: 'present' | 'absent', matched: boolean, evidence: string[], reason: string): RuleOutcome {
  const pass = expect === 'present' ? matched : !matched;
  return { result: pass ? 'pass' : 'fail', evidence: matched ? evidence : [], reason };
}

type TimingRule = Extract<Rule, { check: 'timing' }>;

function timing(rule: TimingRule, turns: Turn[]): RuleOutcome {
  const timed = turns.filter((t) => t.start !== undefined && t.end !== undefined);
  if (timed.length === 0 || timed.length < turns.length) return { result: 'na', evidence: [], reason: '转写没有时间信息' };
  let value = 0;
  let evidence: string[] = [];
  const t0 = timed[0].start ?? 0;
  if (rule.metric === 'first_response') {
    const first = timed.find((t) => t.role === 'agent');
    if (!first) return { result: 'na', evidence: [], reason: '坐席没有发言' };
    value = (first.start ?? 0) - t0;
    evidence = [first.id];
  } else if (rule.metric === 'duration') {
    value = (timed[timed.length - 1].end ?? 0) - t0;
  } else if (rule.metric === 'max_silence') {
    for (let i = 1; i < timed.length; i++) {
      const gap = (timed[i].start ?? 0) - (timed[i - 1].end ?? 0);
      if (gap > value) {
        value = gap;
        evidence = [timed[i - 1].id, timed[i].id];
      }
    }
  } else {
    for (const t of scopedTurns(timed, rule.scope)) {
      const length = (t.end ?? 0) - (t.start ?? 0);
      if (length > value) {
        value = length;
        evidence = [t.id];
      }
    }
  }
  const rounded = Math.round(value * 10) / 10;
  const tooLong = rule.max !== undefined && value > rule.max;
  const tooShort = rule.min !== undefined && value < rule.min;
  const bounds = [rule.min !== undefined ? `≥ ${rule.min}s` : '', rule.max !== undefined ? `≤ ${rule.max}s` : ''].filter(Boolean).join(' 且 ');
  return { result: tooLong || tooShort ? 'fail' : 'pass', evidence, reason: `${rule.metric} = ${rounded}s（要求 ${bounds || '无'}）` };
}
