/**
 * Reads a JSON job body, `{ "items": [ … ], "webhook"?: { "url" } }`, as it streams in: the `items`
 * array is cut into its elements, each parsed by `JSON.parse` on its own, so a 100,000-item body is
 * never one 50 MB parse that holds the event loop (nor one tree in memory). Everything outside the
 * array (the webhook) is kept, small, and parsed at the end. The cutter only tracks strings and
 * bracket depth; JSON.parse does the parsing. (stream-json would do this too, but says it is not
 * made for untrusted input.)
 */
import { z } from 'zod';
import { JobWebhookSchema } from '@shared/jobs.js';
import { assertNoNul } from '../common/nul.js';
import { ItemLineError, toItem, type ParsedItem } from './parse-items.js';

/** Most characters of the body outside the `items` array. */
export const MAX_JSON_BODY_REST = 64 * 1024;

/** The body is not `{ "items": [ … ] }`. */
export class JsonBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonBodyError';
  }
}

const RestSchema = z.object({ items: z.array(z.unknown()).max(0), webhook: JobWebhookSchema.optional() });

/** A JSON body being read: its items, then (after the last one) its webhook. */
export interface JsonBodyReader {
  items: AsyncGenerator<ParsedItem>;
  /** The webhook URL, once `items` is exhausted; null when the body has none. */
  webhookUrl(): string | null;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

/** Starts reading a JSON body from its text chunks. */
export function readJsonBody(text: AsyncIterable<string>): JsonBodyReader {
  let webhook: string | null = null;
  async function* items(): AsyncGenerator<ParsedItem> {
    let depth = 0;
    let inString = false;
    let escaped = false;
    let started = false;
    let rest = '';
    /** Raw text of the last string closed at depth 1, and the key a `:` made of it. */
    let lastString = '';
    let stringStart = -1;
    let key: string | undefined;
    let inItems = false;
    let itemsSeen = false;
    let element: string[] = [];
    let count = 0;
    const keep = (piece: string) => {
      rest += piece;
      if (rest.length > MAX_JSON_BODY_REST) throw new JsonBodyError(`the body's fields other than "items" are over ${MAX_JSON_BODY_REST} characters`);
    };
    const finish = (): ParsedItem | undefined => {
      const raw = element.join('').trim();
      element = [];
      if (raw === '') return undefined;
      count += 1;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (error) {
        throw new ItemLineError(count, `not valid JSON (${error instanceof Error ? error.message : String(error)})`, undefined, undefined, { code: 'not_json' });
      }
      return toItem(value, count);
    };

    for await (const chunk of text) {
      let from = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (!inItems && depth === 1 && stringStart >= 0) lastString += chunk.slice(stringStart, i + 1);
            stringStart = -1;
          }
          continue;
        }
        if (c <= 32) continue;
        if (!started) {
          if (c !== OPEN_BRACE) throw new JsonBodyError('expected a JSON object { "items": [ … ] }');
          started = true;
        } else if (depth === 0) throw new JsonBodyError('unexpected text after the JSON object');
        if (c === QUOTE) {
          inString = true;
          if (!inItems && depth === 1) {
            lastString = '';
            stringStart = i;
          }
        } else if (c === COLON && !inItems && depth === 1) {
          try {
            key = String(JSON.parse(lastString));
          } catch {
            key = undefined;
          }
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          if (c === OPEN_BRACKET && depth === 1 && key === 'items') {
            if (itemsSeen) throw new JsonBodyError('"items" is given twice');
            itemsSeen = true;
            keep(chunk.slice(from, i + 1));
            inItems = true;
            from = i + 1;
          }
          depth += 1;
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          depth -= 1;
          if (inItems && depth === 1) {
            element.push(chunk.slice(from, i));
            const item = finish();
            if (item) yield item;
            else if (count > 0) throw new JsonBodyError(`"items" ends with a comma after item ${count}`);
            inItems = false;
            from = i;
          }
        } else if (c === COMMA && inItems && depth === 2) {
          element.push(chunk.slice(from, i));
          const item = finish();
          if (!item) throw new JsonBodyError(`item ${count + 1} of "items" is empty`);
          yield item;
          from = i + 1;
        }
        if (c === COMMA && depth === 1) key = undefined;
      }
      if (inString && stringStart >= 0) {
        lastString += chunk.slice(stringStart);
        stringStart = 0;
      }
      if (inItems) element.push(chunk.slice(from));
      else keep(chunk.slice(from));
    }
    if (!started) throw new JsonBodyError('the body is empty: expected { "items": [ … ] }');
    if (depth !== 0 || inString) throw new JsonBodyError('the body ends before its JSON object does');
    let parsed: unknown;
    try {
      parsed = JSON.parse(rest);
    } catch (error) {
      throw new JsonBodyError(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    // The fields besides "items" (the webhook) are stored too: the NUL rule holds for them.
    assertNoNul(parsed, 'body', 'the request body');
    const body = RestSchema.safeParse(parsed);
    if (!body.success) {
      const first = body.error.issues[0];
      throw new JsonBodyError(`expected { "items": [{ "id"?, "inputs" }], "webhook"?: { "url" } }${first ? ` (${first.path.join('.') || 'body'}: ${first.message})` : ''}`);
    }
    if (!itemsSeen) throw new JsonBodyError('expected { "items": [{ "id"?, "inputs" }] }: the body has no "items" array');
    webhook = body.data.webhook?.url ?? null;
  }
  return { items: items(), webhookUrl: () => webhook };
}
