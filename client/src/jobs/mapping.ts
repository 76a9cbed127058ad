/**
 * Which column of a job file feeds each input of the scenario: matched by name when the file is
 * picked (ignoring case, full-width/half-width forms and spaces, `_` and `-`), then chosen by hand.
 * Framework-free.
 */
import type { JobTemplateColumn } from '@shared/jobs';

/** Input name (or `id`) → the file's column; '' for none. */
export type ColumnChoice = Record<string, string>;

/** A name as matching compares it: NFKC (full-width letters and digits become half-width), lower case, no spaces, `_` or `-`. */
export function matchKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[\s_\-]+/g, '');
}

/** For each input (and `id`), the file's column of the same name (see {@link matchKey}), or '' when none. */
export function autoMap(inputs: JobTemplateColumn[], fileColumns: string[]): ColumnChoice {
  const byKey = new Map<string, string>();
  for (const column of fileColumns) if (!byKey.has(matchKey(column))) byKey.set(matchKey(column), column);
  const choice: ColumnChoice = { id: byKey.get('id') ?? '' };
  for (const input of inputs) choice[input.name] = byKey.get(matchKey(input.name)) ?? '';
  return choice;
}

/** The required inputs without a column, in the inputs' order. */
export function unmappedRequired(inputs: JobTemplateColumn[], choice: ColumnChoice): string[] {
  return inputs.filter((i) => i.required && !choice[i.name]).map((i) => i.name);
}

/**
 * The `?mapping=` to send: the chosen columns (those left empty dropped); `id` only for a table (CSV,
 * .xlsx), where the id is a column; in JSON the id is the item's own field.
 */
export function mappingToSend(choice: ColumnChoice, table: boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(choice).filter(([input, column]) => column !== '' && (table || input !== 'id')));
}
