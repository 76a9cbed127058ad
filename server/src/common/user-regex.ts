/**
 * Regular expressions a designer or a caller writes (condition `matches`, audit `regex` rules, extract
 * field patterns), matched in time linear in the text: RE2's semantics through re2js, a maintained port
 * of Google's RE2. V8's backtracking engine can take exponential time on a pattern like `^(a+)+$` (29
 * characters of caller text held the server 19 s), and its linear fallback does not take the `u` flag.
 * RE2 has no backreferences or lookarounds; a pattern with them is refused with RE2's message.
 */
import { RE2JS } from 're2js';

/** A compiled pattern: whether a text contains a match, and the first match's text. */
export interface UserPattern {
  test(text: string): boolean;
  /** The first match's text, or null. */
  firstMatch(text: string): string | null;
}

/** A pattern that does not compile, with RE2's reason. */
export class UserPatternError extends Error {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'UserPatternError';
  }
}

/**
 * Compiles `source` with JavaScript-style `flags` (`i`, `s`, `m`; `u` and `g` change nothing: RE2 reads
 * Unicode and a test finds the first match). Throws {@link UserPatternError}.
 */
export function compileUserPattern(source: string, flags = ''): UserPattern {
  let bits = 0;
  if (flags.includes('i')) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('s')) bits |= RE2JS.DOTALL;
  if (flags.includes('m')) bits |= RE2JS.MULTILINE;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, bits);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserPatternError(source, /\\\d|\(\?[=!<]/.test(source) ? `${reason} (backreferences and lookarounds are not supported: they can make a match take exponential time)` : reason);
  }
  return {
    test: (text) => re.matcher(text).find(),
    firstMatch: (text) => {
      const m = re.matcher(text);
      return m.find() ? m.group() : null;
    },
  };
}

/** The reason `source` does not compile as a user pattern, or null when it does. */
export function userPatternProblem(source: string, flags = ''): string | null {
  try {
    compileUserPattern(source, flags);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
