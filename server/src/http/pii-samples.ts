/**
 * A scenario's sample inputs (`graph.inputs`: what a designer last typed in the Run panel, often a real
 * customer's call) reach a user without `pii:read` masked (`PiiView.graph` in `./pii.ts`). The editor
 * saves the whole graph back, masked samples included; this module keeps such a save from overwriting
 * the stored samples with their masked text.
 *
 * The rule, per input name: a value sent back exactly as the masked view showed it is the stored value,
 * unchanged, and the stored value is kept; any other value (edited, new) is what the user typed and is
 * saved as sent, even if it still holds masked parts (editing a masked sample replaces it with what the
 * user sees); a name left out is removed.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Graph } from '@shared/graph.js';
import { isRecord } from '@shared/json.js';
import { maskValue } from '@shared/pii.js';

/**
 * `incoming` (a graph a user without `pii:read` is saving) with each sample input that equals the masked
 * form of the `stored` graph's value under the same name replaced by the stored value (see the module
 * comment). Returns `incoming` itself when nothing is restored; never changes its arguments.
 */
export function keepMaskedSamples(incoming: Graph, stored: unknown): Graph {
  const storedInputs = isRecord(stored) && isRecord(stored.inputs) ? stored.inputs : undefined;
  if (incoming.inputs === undefined || storedInputs === undefined) return incoming;
  let restored: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(incoming.inputs)) {
    if (!Object.hasOwn(storedInputs, name)) continue;
    const original = storedInputs[name];
    if (isDeepStrictEqual(value, original) || !isDeepStrictEqual(value, maskValue(original))) continue;
    restored ??= { ...incoming.inputs };
    restored[name] = original;
  }
  return restored === undefined ? incoming : { ...incoming, inputs: restored };
}
