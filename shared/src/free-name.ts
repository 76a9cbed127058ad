/**
 * A name not yet taken, for things made from something else (a scenario made from a template): the
 * name itself when free, else the name with the first free number after it, `通话质检 2`, `通话质检 3`.
 */

/**
 * `base` (trimmed) when no name in `taken` equals it (ignoring case and surrounding spaces), else
 * `${base} N` with the smallest N ≥ 2 that is free. An existing `通话质检 2` as `base` counts on from
 * `通话质检`, giving `通话质检 3` rather than `通话质检 2 2`.
 */
export function freeName(base: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((n) => n.trim().toLowerCase()));
  const name = base.trim();
  if (!used.has(name.toLowerCase())) return name;
  const numbered = /^(.*\S)\s+(\d{1,6})$/.exec(name);
  const stem = numbered ? numbered[1] : name;
  for (let n = numbered ? Number(numbered[2]) + 1 : 2; ; n++) {
    const candidate = `${stem} ${n}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}
