import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONFIG_ISSUE_CODES, PROBLEM_CODES, PROBLEM_MESSAGE_KEYS } from '@shared/problems';
import { CUSTOM_RULES, issueDetails } from '@shared/issues';
import { AuditQuerySchema } from '@shared/audit';
import { NewTemplateVersionBodySchema } from '@shared/template-api';
import { UpdateUserBodySchema } from '@shared/users';
import { CreateEndpointBodySchema } from '@shared/model-endpoints';
import { MODEL_ERROR_CODES, NODE_ERROR_CODES, NODE_WARNING_CODES, RUN_ERROR_CODES } from '@shared/run-errors';
import { en } from './en';
import { zh } from './zh';
import { issueText } from './issue-text';
import { ApiError } from '../api';
import { errorText } from '../auth/error-text';
import { NUL_CODE } from '@shared/nul';

/** The value at a dotted key of a message tree, if it is a text. */
function text(tree: unknown, key: string): string | undefined {
  let at: unknown = tree;
  for (const part of key.split('.')) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[part] : undefined;
  return typeof at === 'string' ? at : undefined;
}

function missing(keys: readonly string[]): { zh: string[]; en: string[] } {
  return { zh: keys.filter((k) => !text(zh, k)), en: keys.filter((k) => !text(en, k)) };
}

/** Every `.ts` file under a folder, tests left out. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The literal codes the server's API errors are thrown with (HttpError, DomainError, sendError). */
function apiErrorCodes(): string[] {
  const root = join(__dirname, '../../../server/src');
  const pattern = /(?:new HttpError\(\d+, |new [A-Z][A-Za-z]*Error\('[a-z_]+', |sendError\(res, \d+, )'([a-z0-9_]+)'/g;
  const codes = new Set<string>();
  for (const file of sources(root)) {
    if (file.includes(`${join('server', 'src', 'simulator')}`)) continue; // the model simulator answers model clients, not people
    for (const m of readFileSync(file, 'utf8').matchAll(pattern)) codes.add(m[1]);
  }
  return [...codes].sort();
}

describe('every message code the server sends has Chinese and English text', () => {
  it('compile problems: every code and variant, and every node config check', () => {
    for (const code of PROBLEM_CODES) expect(PROBLEM_MESSAGE_KEYS.some((k) => k === code || k.startsWith(`${code}_`)), code).toBe(true);
    for (const code of CONFIG_ISSUE_CODES) expect(PROBLEM_MESSAGE_KEYS).toContain(`invalid_config_${code}`);
    expect(missing(PROBLEM_MESSAGE_KEYS.map((k) => `problem.${k}`))).toEqual({ zh: [], en: [] });
  });

  it('run errors: run codes, model error codes, node error codes and node warnings', () => {
    expect(missing(RUN_ERROR_CODES.map((c) => `runError.${c}`))).toEqual({ zh: [], en: [] });
    expect(missing(MODEL_ERROR_CODES.map((c) => `runError.model.${c}`))).toEqual({ zh: [], en: [] });
    expect(missing(NODE_ERROR_CODES.map((c) => `runError.node.${c}`))).toEqual({ zh: [], en: [] });
    expect(missing(NODE_WARNING_CODES.map((c) => `run.warning.${c}`))).toEqual({ zh: [], en: [] });
  });

  it('API errors: every code thrown in server/src', () => {
    const codes = apiErrorCodes();
    expect(codes.length).toBeGreaterThan(40);
    expect(missing(codes.map((c) => `errors.${c}`))).toEqual({ zh: [], en: [] });
  });

  it('schema issues: each zod issue code reads in Chinese, with the field named and no English left', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng: 'zh', interpolation: { escapeValue: false } });
    const schema = z.object({
      name: z.string().min(1),
      note: z.string().max(3),
      count: z.number().int().min(1).max(5),
      level: z.enum(['low', 'high']),
      email: z.email(),
      list: z.array(z.string()).min(1),
      required: z.string(),
      step: z.number().multipleOf(5),
      slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'a slug is …'),
    }).strict();
    const parsed = schema.safeParse({ name: '', note: 'long', count: 9, level: 'mid', email: 'x', list: [], step: 3, slug: 'Bad Slug', extra: 1 });
    expect(parsed.success).toBe(false);
    const texts = issueDetails(parsed.error?.issues ?? []).map((issue) => issueText(issue, i18n.t, (k) => i18n.exists(k)));
    expect(texts).toHaveLength(10);
    expect(texts).toContain('name：不能为空');
    expect(texts).toContain('note：最多 3 个字符');
    expect(texts).toContain('required：必须填写（应为文本）');
    expect(texts).toContain('slug：API 路径名只能用 2–63 个小写字母、数字或短横线，并以字母或数字开头');
    // No zod English sentence left: once the field names and the values the user typed are taken out, no Latin word (API aside) remains.
    for (const t of texts) expect(t.replace(/^[a-z.]+：/, '').replace(/low|high|extra/g, ''), t).not.toMatch(/[A-Za-z]{4,}/);
  });

  it('a refinement that reserves a name says which name, in Chinese', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng: 'zh', interpolation: { escapeValue: false } });
    const parsed = CreateEndpointBodySchema.safeParse({ name: 'Simulator', base_url: 'http://127.0.0.1:1/v1', models: { default: 'm' } });
    const texts = issueDetails(parsed.error?.issues ?? []).map((issue) => issueText(issue, i18n.t, (k) => i18n.exists(k)));
    expect(texts).toEqual(['name：“simulator”是保留名称，请换一个']);
  });

  it('hand-written checks: every refinement in shared/ and server/ names a rule, and every rule has both languages', () => {
    expect(missing(CUSTOM_RULES.map((r) => `validation.rule.${r}`))).toEqual({ zh: [], en: [] });
    const roots = [join(__dirname, '../../../shared/src'), join(__dirname, '../../../server/src')];
    const unnamed: string[] = [];
    for (const file of roots.flatMap(sources)) {
      // Startup configuration (environment variables) is read by operators in the log, not shown in the UI.
      if (/config\.ts$/.test(file)) continue;
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/\.refine\(|ctx\.addIssue\(/g)) {
        const call = source.slice(m.index, m.index + 400);
        const named = /(rule|reserved): '([a-z_]+)'/.exec(call);
        if (!named) unnamed.push(`${file}: ${call.slice(0, 80)}`);
        else if (named[1] === 'rule' && !(CUSTOM_RULES as readonly string[]).includes(named[2])) unnamed.push(`${file}: rule ${named[2]} not in CUSTOM_RULES`);
      }
    }
    expect(unnamed).toEqual([]);
  });

  it('the audit from/to, template bump/version and display-name checks read in Chinese, no English inside', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng: 'zh', interpolation: { escapeValue: false } });
    const say = (issues: readonly z.core.$ZodIssue[]) => issueDetails(issues).map((issue) => issueText(issue, i18n.t, (k) => i18n.exists(k)));
    const audit = AuditQuerySchema.safeParse({ from: '2026-12-02', to: '2026-12-01' });
    const bump = NewTemplateVersionBodySchema.safeParse({ scenario_id: 's1', bump: 'minor', version: '1.2.0', notes: 'n' });
    const name = UpdateUserBodySchema.safeParse({ display_name: 'a\u202Eb' });
    const texts = [...say(audit.error?.issues ?? []), ...say(bump.error?.issues ?? []), ...say(name.error?.issues ?? [])];
    expect(texts).toEqual(['from：开始时间必须早于结束时间', 'bump：请选择升级方式（主版本、次版本或修订号）或填写版本号，二者只能选一个', expect.stringMatching(/^display_name：显示名不能包含控制字符/)]);
    for (const t of texts) expect(t.replace(/^[a-z_]+：/, ''), t).not.toMatch(/不符合要求|[A-Za-z]{4,}/);
  });

  it('job refusals: every refused line, cell and workbook reason has both languages, and every refusal names one', async () => {
    const root = join(__dirname, '../../../server/src/jobs');
    const items = new Set<string>();
    const xlsx = new Set<string>(['unreadable']);
    const unnamed: string[] = [];
    for (const file of sources(root)) {
      const source = readFileSync(file, 'utf8');
      for (const line of source.split('\n')) {
        // `code: NUL_CODE`: the NUL rule's refusal, sent as its own code (`errors.nul_character`), tested below.
        if (/new ItemLineError\(/.test(line) && !/code: '|{ code,|, reason\)|code: NUL_CODE/.test(line)) unnamed.push(`${file}: ${line.trim().slice(0, 80)}`);
        for (const m of line.matchAll(/ItemLineError\(.*?\{ code: '([a-z_]+)'/g)) items.add(m[1]);
        for (const m of line.matchAll(/\{ code: '(input_[a-z_]+)'/g)) items.add(m[1]);
        for (const m of line.matchAll(/throw fail\(.*, '([a-z_]+)'\);/g)) items.add(m[1]);
        for (const m of line.matchAll(/new XlsxError\(.*, '([a-z_]+)'\)/g)) xlsx.add(m[1]);
      }
    }
    expect(unnamed).toEqual([]);
    expect(items.size).toBeGreaterThan(15);
    expect(missing([...items].map((c) => `errors.invalid_item_${c}`))).toEqual({ zh: [], en: [] });
    expect(missing([...xlsx].map((c) => `errors.invalid_xlsx_${c}`))).toEqual({ zh: [], en: [] });
    expect(missing(['errors.invalid_mapping_not_object'])).toEqual({ zh: [], en: [] });
    // The reason's parameters fill its text: no English message inside.
    const i18n = i18next.createInstance();
    await i18n.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng: 'zh', interpolation: { escapeValue: false } });
    const refusal = new ApiError(400, 'invalid_item', 'sheet "Sheet1" row 3: invalid inputs at "inputs.transcript" (column "通话内容"): is required', { reason: 'input_missing', input: 'transcript', line: 3, sheet: 'Sheet1', row: 3, column: '通话内容', problem: 'invalid inputs' });
    expect(errorText(refusal, i18n.t, (k) => i18n.exists(k))).toBe('缺少必填输入“transcript”');
    const workbook = new ApiError(400, 'invalid_xlsx', 'the workbook is password-protected: save it without a password', { reason: 'encrypted' });
    expect(errorText(workbook, i18n.t, (k) => i18n.exists(k))).toBe('工作簿设置了密码：请去掉密码后再上传');
  });

  it('the NUL rule: one code wherever input enters, said with its path, or for a cell with the place around it', async () => {
    expect(missing([`errors.${NUL_CODE}`, `errors.${NUL_CODE}_cell`])).toEqual({ zh: [], en: [] });
    const i18n = i18next.createInstance();
    await i18n.init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng: 'zh', interpolation: { escapeValue: false } });
    const say = (e: ApiError) => errorText(e, i18n.t, (k) => i18n.exists(k));
    const body = new ApiError(400, NUL_CODE, 'the request body holds the NUL character (U+0000) at body.turns.3.text: …', { path: 'body.turns.3.text' });
    expect(say(body)).toBe('body.turns.3.text 处的文字含有空字符（U+0000），魔方不接受这个字符：请删除后重试');
    const cell = new ApiError(400, NUL_CODE, 'line 3, column "通话内容" holds the NUL character (U+0000): …', { reason: 'cell', line: 3, column: '通话内容' });
    expect(say(cell)).toBe('这个单元格含有空字符（U+0000），魔方不接受这个字符：请删除后重试');
    await i18n.changeLanguage('en');
    expect(say(body)).toBe('The text at body.turns.3.text holds the NUL character (U+0000), which Mofang does not accept: remove it and try again');
  });
});
