/**
 * How far one template render may go: read by the configuration, handed to the engine through the
 * node services, enforced by the engine's Liquid instance (engine/compile/liquid.ts).
 */

/** How far one render of one template may go. */
export interface TemplateLimits {
  /**
   * Wall-clock time of one render, in ms (checked as Liquid's `renderLimit` is, before every step, once
   * the render has taken `RENDER_STEPS_BEFORE_TIME_LIMIT` (engine/compile/liquid.ts) steps); the event loop is busy meanwhile.
   */
  renderMs: number;
  /** Size of one rendered text, in UTF-8 bytes. */
  outputBytes: number;
  /**
   * Liquid's `memoryLimit`: characters and array elements one render may create (ranges, filters such as
   * `append`, `join`, `split`, and every printed value).
   */
  memory: number;
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = { renderMs: 100, outputBytes: 4 * 1024 * 1024, memory: 1_000_000 };

/** The environment variable that sets each limit, named in the error a template over it gets. */
export const TEMPLATE_LIMIT_SETTINGS: Record<keyof TemplateLimits, string> = {
  renderMs: 'MOFANG_TEMPLATE_RENDER_MS',
  outputBytes: 'MOFANG_TEMPLATE_OUTPUT_BYTES',
  memory: 'MOFANG_TEMPLATE_MEMORY',
};
