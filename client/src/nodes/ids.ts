const ALPHABET = '0123456789abcdefghijkmnopqrstuvwxyz';

/**
 * A generated id for a branch (a class of a classifier): `<prefix>_` and six random lowercase letters or
 * digits (36^6 ≈ 2·10^9 values, checked against `taken`). The id keys the branch's output port and the
 * classifier's `label` output, so it never changes once made: people edit the class's name, which may be
 * Chinese, renamed at will or briefly empty, and no wire or reference depends on it. A slug of the name
 * would be empty for Chinese names and would lie after a rename.
 */
export function freshBranchId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    const id = `${prefix}_${Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('')}`;
    if (!used.has(id)) return id;
  }
}
