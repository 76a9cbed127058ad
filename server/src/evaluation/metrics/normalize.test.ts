import { describe, expect, it } from 'vitest';
import { isEmptyValue, listKeys, normalizePhone, normalizeText, normalizeValue, valuesEqual } from './normalize.js';
import { levenshteinSimilarity, lcsLength, rougeLF1, distribution, histogram } from './text-similarity.js';

describe('normalizeText', () => {
  it('turns full-width digits, letters and punctuation half-width (NFKC)', () => {
    expect(normalizeText('建国路８８号，３号楼')).toBe('建国路88号,3号楼');
    expect(normalizeText('光猫ＬＯＳ灯红')).toBe('光猫los灯红');
    expect(normalizeText('错误代码：６５１')).toBe('错误代码:651');
  });

  it('trims and collapses whitespace, the ideographic space included', () => {
    expect(normalizeText('  朝阳区　建国路88号 \n 3号楼  ')).toBe('朝阳区 建国路88号 3号楼');
  });

  it('lower-cases Latin letters and leaves Chinese unchanged', () => {
    expect(normalizeText('PPPoE 拨号 Error')).toBe('pppoe 拨号 error');
  });
});

describe('normalizePhone', () => {
  it.each([
    ['13800138000'],
    ['138 0013 8000'],
    ['138-0013-8000'],
    ['+86 138-0013-8000'],
    ['(+86)13800138000'],
    ['0086 13800138000'],
    ['8613800138000'],
    ['１３８００１３８０００'],
    ['幺三八零零幺三八零零零'],
  ])('reads %s as 13800138000', (raw) => {
    expect(normalizePhone(raw)).toBe('13800138000');
  });

  it('keeps the area code of a landline and drops its brackets and dashes', () => {
    expect(normalizePhone('(0571) 8888-1234')).toBe('057188881234');
    expect(normalizePhone('０５７１－８８８８１２３４')).toBe('057188881234');
    expect(normalizePhone('（010）6552 1234')).toBe('01065521234');
  });

  it('does not strip 86 from a number that is not a mobile after it', () => {
    expect(normalizePhone('86123')).toBe('86123');
  });

  it('leaves text without digits as normalised text', () => {
    expect(normalizePhone(' 未提供 ')).toBe('未提供');
  });
});

describe('values', () => {
  it('compares numbers and numeric strings under the number normaliser', () => {
    expect(normalizeValue('３.0', 'number')).toBe(3);
    expect(valuesEqual('651', 651, 'number')).toBe(true);
    expect(valuesEqual('651', 678, 'number')).toBe(false);
  });

  it('compares objects whatever their key order, strings normalised inside', () => {
    expect(valuesEqual({ a: 'ＸＹ', b: [1, 2] }, { b: [1, 2], a: ' xy ' }, 'text')).toBe(true);
  });

  it('treats a boolean and its text as one label', () => {
    expect(valuesEqual(true, ' TRUE ', 'text')).toBe(true);
    expect(valuesEqual(true, 'false', 'text')).toBe(false);
  });

  it('compares as given under none', () => {
    expect(valuesEqual('ABC', 'abc', 'none')).toBe(false);
  });

  it('knows empty values', () => {
    expect([undefined, null, '  ', [], {}].every(isEmptyValue)).toBe(true);
    expect([0, false, '0', ['x']].some(isEmptyValue)).toBe(false);
  });

  it('lists elements as sorted keys, dropping empty ones', () => {
    expect(listKeys(['重启光猫', ' 换网线 ', ''], 'text')).toEqual(['换网线', '重启光猫']);
    expect(listKeys(null, 'text')).toEqual([]);
  });
});

describe('text similarity', () => {
  it('gives 1 − normalised Levenshtein over Chinese characters', () => {
    expect(levenshteinSimilarity('宽带无法上网', '宽带不能上网')).toBeCloseTo(4 / 6, 10);
    // 反→说, 映 deleted, 了 inserted: 3 edits over 8 characters.
    expect(levenshteinSimilarity('客户反映宽带断网', '客户说宽带断网了')).toBeCloseTo(1 - 3 / 8, 10);
    expect(levenshteinSimilarity('', '')).toBe(1);
    expect(levenshteinSimilarity('投诉', '')).toBe(0);
  });

  it('counts a character outside the BMP as one character', () => {
    expect(levenshteinSimilarity('好👍', '好')).toBe(0.5);
    expect(rougeLF1('好👍', '好')).toBeCloseTo(2 / 3, 10);
  });

  it('gives character ROUGE-L F1 from the longest common subsequence', () => {
    expect(lcsLength('客户反映宽带断网', '客户说宽带断网了')).toBe(6);
    expect(rougeLF1('客户反映宽带断网', '客户说宽带断网了')).toBeCloseTo(0.75, 10);
    // LCS 2 (报修) of reference 4 and candidate 2: R = 0.5, P = 1, F1 = 2/3.
    expect(rougeLF1('宽带报修', '报修')).toBeCloseTo(2 / 3, 10);
    expect(rougeLF1('', '')).toBe(1);
    expect(rougeLF1('退费', '改套餐')).toBe(0);
  });

  it('summarises scores with quartiles and a histogram per tenth', () => {
    expect(distribution([])).toBeNull();
    expect(distribution([0.2, 1, 0.6, 0.4, 0.8])).toMatchObject({ min: 0.2, median: 0.6, max: 1 });
    expect(histogram([0, 0.3, 0.35, 0.99, 1])).toEqual([1, 0, 0, 2, 0, 0, 0, 0, 0, 2]);
  });
});
