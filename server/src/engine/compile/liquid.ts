/**
 * The engine's one Liquid instance, locked down: no file system and no file tags (see
 * shared/src/template-policy.ts), and every render bounded in time, memory and output size.
 */
import { Context, Liquid, toValueSync, type Emitter, type Template } from 'liquidjs';
import { refuseFileTags, SAFE_LIQUID_OPTIONS } from '@shared/template-policy.js';
import { NodeError } from '../../nodes/kit.js';
import type { Scope } from '../../nodes/kit.js';
import { TEMPLATE_LIMIT_SETTINGS, type TemplateLimits } from '../../common/template-limits.js';

export { DEFAULT_TEMPLATE_LIMITS, TEMPLATE_LIMIT_SETTINGS, type TemplateLimits } from '../../common/template-limits.js';

/** Longest template source, in characters (node config schemas already cap each field below it). */
export const TEMPLATE_PARSE_LIMIT = 1_000_000;

/** Objects print as JSON; every printed value counts against the render's memory limit. */
function printValue(this: { context?: Context }, value: unknown): string {
  const text = value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value ?? '');
  this.context?.memoryLimit.use(text.length);
  return text;
}

/** One Liquid engine for every template: objects print as JSON, unknown filters are errors. */
export const liquid = refuseFileTags(
  new Liquid({
    ...SAFE_LIQUID_OPTIONS,
    outputEscape: printValue,
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    parseLimit: TEMPLATE_PARSE_LIMIT,
  }),
);
// `| raw` skips the output escape; it still counts against the memory limit.
liquid.registerFilter('raw', {
  raw: true,
  handler(this: { context?: Context }, value: unknown) {
    const text = value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
    this.context?.memoryLimit.use(typeof text === 'string' ? text.length : 1);
    return value;
  },
});

class OutputLimitError extends Error {}
class RenderTimeError extends Error {}

/**
 * Steps (tags, outputs, runs of text) a render may take before its time limit applies. Liquid checks
 * the wall clock before each step; on a machine short of CPU a small template can be descheduled past
 * the limit without being at fault (seen: 150 ms for a 0.3 ms render at load 11 on 2 cores), so only a
 * render that has done real work is stopped. 20,000 steps take a few ms when the CPU is there.
 */
export const RENDER_STEPS_BEFORE_TIME_LIMIT = 20_000;

/**
 * Past this many times the limit a render stops however few steps it took: a few steps can each be
 * costly (a loop of 400 `contains` over a caller's 100 000-item list took 14 s in one render).
 */
export const RENDER_HARD_LIMIT_FACTOR = 3;

/** Stands in for Liquid's render limiter: Liquid calls `check(now)` before every step. */
class RenderClock {
  private steps = 0;
  private readonly hardDeadline: number;
  constructor(
    started: number,
    limitMs: number,
  ) {
    this.deadline = started + limitMs;
    this.hardDeadline = started + limitMs * RENDER_HARD_LIMIT_FACTOR;
  }
  private readonly deadline: number;
  check(now: number): void {
    this.steps++;
    if ((this.steps > RENDER_STEPS_BEFORE_TIME_LIMIT && now > this.deadline) || now > this.hardDeadline) throw new RenderTimeError();
  }
  use(): void {}
}

/** Collects a render's text, failing as soon as it passes `maxBytes` UTF-8 bytes. */
class BoundedEmitter implements Emitter {
  buffer = '';
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}
  write(html: unknown): void {
    const text = typeof html === 'string' ? html : html === null || html === undefined ? '' : Array.isArray(html) ? html.join('') : String(html);
    const room = this.maxBytes - this.bytes;
    // A UTF-16 code unit is 1 to 3 UTF-8 bytes: count bytes only when the length alone cannot decide
    // (and never for a text longer than the room, which may be a huge rope not worth flattening).
    if (text.length > room) throw new OutputLimitError();
    this.bytes += text.length * 3 <= room ? text.length : Buffer.byteLength(text);
    if (this.bytes > this.maxBytes) throw new OutputLimitError();
    this.buffer += text;
  }
}

/**
 * Renders parsed templates within `limits`. Throws a NodeError: `template_limit` (details: `limit`,
 * `value`, `setting`, `field`) when a limit is passed, `template_error` for any other render failure;
 * `field` names the config field in the message.
 */
export function renderBounded(templates: Template[], scope: Scope, limits: TemplateLimits, field?: string): string {
  const ctx = new Context(scope, liquid.options, { sync: true, memoryLimit: limits.memory }, { liquid });
  // Liquid's own limiter would stop any render past the time, starved or not (see RenderClock).
  Reflect.set(ctx, 'renderLimit', new RenderClock(performance.now(), limits.renderMs));
  const emitter = new BoundedEmitter(limits.outputBytes);
  try {
    toValueSync(liquid.renderer.renderTemplates(templates, ctx, emitter));
  } catch (error) {
    throw renderFailure(error, limits, field);
  }
  return emitter.buffer;
}

/** Checks a text rendered without Liquid (the fast path) against the output limit. */
export function checkOutputSize(text: string, limits: TemplateLimits, field?: string): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most texts need no byte count at all.
  if (text.length * 3 > limits.outputBytes && Buffer.byteLength(text) > limits.outputBytes) throw limitError('outputBytes', limits, field);
  return text;
}

function limitError(limit: keyof TemplateLimits, limits: TemplateLimits, field: string | undefined): NodeError {
  const setting = TEMPLATE_LIMIT_SETTINGS[limit];
  const value = limits[limit];
  const what =
    limit === 'renderMs'
      ? `took longer than ${value} ms to render`
      : limit === 'outputBytes'
        ? `rendered more than ${value} bytes of text`
        : `created more than ${value} characters or list elements while rendering`;
  return new NodeError('template_limit', `${where(field)} ${what}, the limit ${setting} sets; a loop over a huge range or list? Shorten the template, or ask an admin to raise ${setting}`, {
    details: { field, limit, value, setting },
  });
}

function renderFailure(error: unknown, limits: TemplateLimits, field: string | undefined): NodeError {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; depth++) {
    if (e instanceof OutputLimitError || (e instanceof RangeError && /string length/i.test(e.message))) return limitError('outputBytes', limits, field);
    if (e instanceof RenderTimeError || /template render limit exceeded/.test(e.message)) return limitError('renderMs', limits, field);
    if (/memory alloc limit exceeded/.test(e.message)) return limitError('memory', limits, field);
    e = Reflect.get(e, 'originalError') ?? e.cause;
  }
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new NodeError('template_error', `${where(field)} failed: ${message}`, { details: { field }, cause: error });
}

function where(field: string | undefined): string {
  return field === undefined ? 'the template' : `the template in field "${field}"`;
}
