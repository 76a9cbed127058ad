/**
 * The stable codes of what can go wrong in a run, shared by the engine (which sets them) and the client
 * (which renders each in the reader's language from `runError.*`; a test fails on a code without both).
 *
 * A run error (`RunError`) has one of {@link RUN_ERROR_CODES}; its `details` say more: `model_error` (one of
 * {@link MODEL_ERROR_CODES}) for a failed model call, `node_error` (one of {@link NODE_ERROR_CODES}) for a
 * node's own failure, `cause: 'timeout'` with `timeout_ms` for a node past its timeoutMs setting.
 */

/** Codes of a failed run or node. */
export const RUN_ERROR_CODES = [
  'invalid_inputs',
  'deadline_exceeded',
  'cancelled',
  'model_error',
  'http_error',
  'code_error',
  /** No sandbox worker was free within MOFANG_CODE_QUEUE_MS: the server is busy, the script never started. */
  'code_queue_timeout',
  'node_error',
  'invalid_outputs',
  'end_not_reached',
] as const;
export type RunErrorCode = (typeof RUN_ERROR_CODES)[number];

/** Why a model call failed (`details.model_error`). */
export const MODEL_ERROR_CODES = [
  'rate_limited',
  'bad_request',
  'unauthorized',
  'not_found',
  'server_error',
  'timeout',
  'network',
  'malformed_response',
  'aborted',
  'empty_reply',
  'filtered',
  'truncated',
  'reply_too_large',
] as const;
export type ModelErrorCodeName = (typeof MODEL_ERROR_CODES)[number];

/** What a node threw (`details.node_error`): the node kit's `NodeError` codes. */
export const NODE_ERROR_CODES = [
  'code_error',
  'code_timeout',
  'code_memory',
  'code_output',
  'code_output_too_large',
  'code_output_too_deep',
  'code_too_large',
  'code_too_deep',
  'code_cancelled',
  'code_queue_timeout',
  'http_bad_url',
  'http_bad_header',
  'http_bad_body',
  'http_bad_json',
  'http_status',
  'http_refused',
  'http_too_large',
  'http_cancelled',
  'http_timeout',
  'http_network',
  'template_limit',
  'template_error',
  'invalid_outputs',
  'invalid_inputs',
  'invalid_pattern',
  'merge_empty',
  'model_output_invalid',
  'too_deep',
  'string_too_long',
  'array_too_long',
  'value_too_large',
] as const;
export type NodeErrorCode = (typeof NODE_ERROR_CODES)[number];

/** Codes of a node's warnings (it succeeded, but a reviewer should know). */
export const NODE_WARNING_CODES = ['truncated', 'keys_dropped', 'values_coerced', 'reply_repaired', 'usage_estimated'] as const;
export type NodeWarningCode = (typeof NODE_WARNING_CODES)[number];
