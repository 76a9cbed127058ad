/**
 * Numbers read out digit by digit, as speech recognition writes them: `一三八一二三四五六七八`,
 * `幺三八…` (幺 is how 1 is said on the phone), `两` for 2, `〇`/`零`/`○` for 0, the financial capitals
 * `壹贰叁…` and mixes with Arabic digits (`138一二三四五六七八`). {@link foldDigitReadings} writes such runs
 * with Arabic digits so the number finders see them, keeping the text's length (one character for one),
 * so positions in the result are positions in the original and the original characters are what is shown.
 *
 * Only runs of at least 7 digits (separators allowed between them, one at a time) with a Chinese digit
 * among them are rewritten: a count, a date or a duration is written with place words (`三十五分钟`,
 * `二〇二四年五月`, `一百二十元`) or is too short, and stays as it is. Linear: one bounded pattern.
 */

/** Each Chinese digit character and the digit it reads as. */
const DIGIT_OF: Readonly<Record<string, string>> = {
  零: '0', 〇: '0', '○': '0',
  一: '1', 幺: '1', 壹: '1',
  二: '2', 两: '2', 贰: '2',
  三: '3', 叁: '3',
  四: '4', 肆: '4',
  五: '5', 伍: '5',
  六: '6', 陆: '6',
  七: '7', 柒: '7',
  八: '8', 捌: '8',
  九: '9', 玖: '9',
};

const CN = '零〇○一幺壹二两贰三叁四肆五伍六陆七柒八捌九玖';
/** What may stand between two digits of one number: a space, a dot, a hyphen or a dash. */
export const DIGIT_SEPARATORS = ' .\\-\u2010-\u2015\u2212';
/** A run: a digit, then at least 6 more, each maybe after one separator. */
const RUN = new RegExp(`[0-9${CN}](?:[${DIGIT_SEPARATORS}]?[0-9${CN}]){6,}`, 'g');
const HAS_CN = new RegExp(`[${CN}]`);
const ONE_CN = new RegExp(`[${CN}]`, 'g');

/**
 * `norm` (a half-width text) with each digit-by-digit reading of 7 or more digits that holds a Chinese
 * digit written with Arabic digits (see the module comment); the same string when there is none.
 */
export function foldDigitReadings(norm: string): string {
  if (!HAS_CN.test(norm)) return norm;
  RUN.lastIndex = 0;
  return norm.replace(RUN, (run) => (HAS_CN.test(run) ? run.replace(ONE_CN, (c) => DIGIT_OF[c] ?? c) : run));
}
