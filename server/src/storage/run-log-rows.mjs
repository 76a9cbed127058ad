// How the run log writes API runs: one `runs` row per run, its events in the row's `events` column as
// one JSON array. Plain JavaScript, shared by run-log.ts (types in run-log-rows.d.mts) and the writer
// thread (run-log-worker.mjs), which loads it without the TypeScript loader.
//
// Two halves. `toRow`, where the run ended: its values become JSON text, so what crosses to the writer
// thread is a flat object of strings and numbers (cloning text costs a copy; cloning the run's object
// tree cost more than writing JSON of it, on both threads). `createRunWriter`, on the writer's side:
// checks each row against the limits and inserts it. A run past them (nested deeper, or larger, than
// the log takes) or one JSON cannot write becomes a failed run that says why, without its values.

const INSERT_RUN = `insert into runs (id, scenario_id, kind, status, inputs, outputs, error, usage, latency_ms, model, version, api_key_id, created_at, finished_at, events)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const json = (v) => (v === undefined || v === null ? null : JSON.stringify(v));

/** The run's own values an event may hold as they are: stored once, in the row's column. */
const SHARED = ['inputs', 'outputs', 'usage'];
const MARKERS = { inputs: '$inputs', outputs: '$outputs', usage: '$usage' };

/**
 * A run's events as stored: what the row holds already is not written again. Each event's `run_id`
 * (the row's id) is left out, and so is any `inputs`, `outputs` or `usage` of an event that is the run's
 * own object (the same one: run.started's inputs, the entry node's inputs, the exit node's and
 * run.finished's outputs, run.finished's usage), marked `$inputs: 'run'` (…), a key no event has.
 * Within a node's event, a model call's trace that repeats the node's own prompt (`messages` equal to the
 * event's `inputs.messages`, message by message) or answer (`raw` equal to `outputs.text`) holds the marker
 * `$messages: 'inputs'` / `$raw: 'text'` instead: an llm node's prompt, the transcript in it, was stored
 * twice. {@link expandEvents} puts them back.
 */
export function compactEvents(r) {
  const events = r.events ?? [];
  const out = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e === null || typeof e !== 'object' || e.run_id !== r.id) {
      out[i] = e;
      continue;
    }
    const c = { ...e, run_id: undefined };
    for (const key of SHARED) {
      const own = r[key];
      if (typeof own === 'object' && own !== null && e[key] === own) {
        c[key] = undefined;
        c[MARKERS[key]] = 'run';
      }
    }
    if (Array.isArray(e.calls)) c.calls = compactCalls(e);
    out[i] = c;
  }
  return out;
}

/** Whether two prompts are the same messages (role and content each), as the model-call trace copies them. */
function sameMessages(a, b) {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
    if (x.role !== y.role || x.content !== y.content || Object.keys(x).length !== 2 || Object.keys(y).length !== 2) return false;
  }
  return true;
}

/** A node event's model-call traces, each without what repeats the event's prompt or answer. */
function compactCalls(e) {
  const messages = e.inputs?.messages;
  const text = e.outputs?.text;
  return e.calls.map((call) => {
    if (call === null || typeof call !== 'object') return call;
    const same = sameMessages(call.messages, messages);
    const raw = typeof text === 'string' && call.raw === text;
    if (!same && !raw) return call;
    const c = { ...call };
    if (same) {
      c.messages = undefined;
      c.$messages = 'inputs';
    }
    if (raw) {
      c.raw = undefined;
      c.$raw = 'text';
    }
    return c;
  });
}

/** The traces {@link compactCalls} stored, whole again. */
function expandCalls(e) {
  return e.calls.map((call) => {
    if (call === null || typeof call !== 'object' || (call.$messages === undefined && call.$raw === undefined)) return call;
    const { $messages, $raw, ...rest } = call;
    if ($messages === 'inputs') rest.messages = e.inputs?.messages?.map((m) => ({ role: m.role, content: m.content }));
    if ($raw === 'text') rest.raw = e.outputs?.text;
    return rest;
  });
}

/**
 * The events of a stored run as they were emitted (see {@link compactEvents}), from the parsed `events`
 * column and the run's id and parsed inputs, outputs and usage. Events stored whole pass unchanged.
 */
export function expandEvents(events, run) {
  if (!Array.isArray(events)) return [];
  return events.map((e) => {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return e;
    const { $inputs, $outputs, $usage, ...rest } = e;
    const out = 'run_id' in rest ? rest : { ...rest, run_id: run.id };
    if ($inputs === 'run') out.inputs = run.inputs;
    if ($outputs === 'run') out.outputs = run.outputs;
    if ($usage === 'run') out.usage = run.usage;
    if (Array.isArray(out.calls)) out.calls = expandCalls(out);
    return out;
  });
}

/**
 * The row of a finished run: its values as JSON text (null when absent), or, when one cannot be
 * written as JSON, `unwritable` saying why (and no values).
 */
export function toRow(r, check) {
  const row = {
    id: r.id,
    scenarioId: r.scenarioId,
    kind: r.kind ?? 'api',
    status: r.status,
    latencyMs: Math.round(r.latencyMs),
    model: r.model,
    version: r.version,
    apiKeyId: r.apiKeyId,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    usage: null,
    inputs: null,
    outputs: null,
    error: null,
    events: '[]',
    unwritable: null,
  };
  let field = 'usage';
  try {
    row.usage = json(r.usage);
    field = 'inputs';
    row.inputs = json(r.inputs);
    field = 'outputs';
    row.outputs = json(r.outputs);
    field = 'error';
    row.error = json(r.error);
    field = 'events';
    row.events = JSON.stringify(compactEvents(r));
  } catch (error) {
    // JSON.stringify recurses: a value nested deeper than the stack allows overflows it.
    const reason = error instanceof RangeError && /call stack/i.test(error.message) ? check.messages.depth[field] : error instanceof Error ? error.message : String(error);
    return { ...row, inputs: null, outputs: null, error: null, events: '[]', unwritable: reason };
  }
  return row;
}

/**
 * Whether JSON text nests objects and arrays deeper than `max` levels (the top level is 1). Strings are
 * skipped with indexOf, so a run's long transcripts cost next to nothing; the text is JSON.stringify's,
 * hence well formed.
 */
export function nestedDeeperThan(text, max) {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // To the closing quote: one not preceded by an odd number of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        let b = i - 1;
        while (text.charCodeAt(b) === 92) b--;
        if ((i - 1 - b) % 2 === 0) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return false;
}

/** The fields of a row holding JSON text, in the order they are checked. */
const TEXT_FIELDS = ['inputs', 'outputs', 'error', 'usage', 'events'];

/** Why a row cannot be stored as it is, or null when it can. */
export function breachOf(row, check) {
  if (row.unwritable !== null) return row.unwritable;
  let chars = 0;
  for (const field of TEXT_FIELDS) {
    const text = row[field];
    if (text === null) continue;
    // The run's fields sit one level under the run: their own levels count from there.
    if (nestedDeeperThan(text, check.depth - 1)) return check.messages.depth[field];
    chars += text.length;
  }
  // A UTF-16 unit is at most 3 bytes of UTF-8: only a run that could be past the limit is measured.
  if (chars * 3 > check.totalBytes) {
    let bytes = 0;
    for (const field of TEXT_FIELDS) if (row[field] !== null) bytes += Buffer.byteLength(row[field]);
    if (bytes > check.totalBytes) return check.messages.totalBytes;
  }
  return null;
}

/** The error of a run that could not be stored as it was. */
export function failedRunError(reason) {
  return { code: 'log_write_failed', message: `the run could not be stored as it was: ${reason}` };
}

/**
 * A function that writes a batch of rows (from {@link toRow}) in one immediate transaction on `db` (a
 * better-sqlite3 connection). A row that cannot be stored as it is is written failed, saying why; one
 * that cannot be written at all (its scenario was deleted while it was queued) is dropped with a line on
 * stderr, never the batch. Throws only when the transaction itself cannot run (the database is locked
 * past its busy timeout, the disk is full).
 */
export function createRunWriter(db, check) {
  const insertRun = db.prepare(INSERT_RUN);
  const deleteRun = db.prepare('delete from runs where id = ?');
  const insert = (r, status, inputs, outputs, error, events) =>
    insertRun.run(r.id, r.scenarioId, r.kind, status, inputs, outputs, error, r.usage, r.latencyMs, r.model, r.version, r.apiKeyId, r.createdAt, r.finishedAt, events);
  const insertFailed = (r, reason) => {
    // Replaces a row of the same id, should there be one (its old-layout events cascade).
    deleteRun.run(r.id);
    insert(r, 'failed', null, null, JSON.stringify(failedRunError(reason)), '[]');
  };
  const write = db.transaction((rows) => {
    for (const r of rows) {
      try {
        const reason = breachOf(r, check);
        if (reason !== null) {
          insertFailed(r, reason);
          continue;
        }
        try {
          insert(r, r.status, r.inputs, r.outputs, r.error, r.events);
        } catch (error) {
          insertFailed(r, error instanceof Error ? error.message : String(error));
        }
      } catch (error) {
        // Typically the scenario was deleted while the run was queued: that run is dropped, not the batch.
        console.error(`[mofang] run ${r.id} not logged: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  });
  return (rows) => write.immediate(rows);
}
