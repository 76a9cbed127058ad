import { describe, expect, it } from 'vitest';
import { isEmptyValue, listKeys, normalizePhone, normalizeText, normalizeValue, valuesEqual } from './normalize.js';
import { levenshteinSimilarity, lcsLength, rougeLF1, distribution, histogram } from './text-similarity.js';

describe('normalizeText', () => {
  it('turns full-width digits, letters and punctuation half-width (NFKC)', () => {
    expect(normalizeText('建国路８８号，３号楼')).toBe('建国路88号,3号楼');
    expect(normalizeText('光猫ＬＯＳ灯红')).toBe('光猫los灯红');
    expect(normalizeText('错误代码：６５１')).toBe('错误代码:651');
  });

  it('trims and collapses whitespace, the ideographic space included, and drops it beside Chinese', () => {
    expect(normalizeText('  朝阳区　建国路88号 \n 3号楼  ')).toBe('朝阳区建国路88号3号楼');
    expect(normalizeText('西湖区文三路 90 号')).toBe('西湖区文三路90号');
    expect(normalizeText(' Line  1\t\tRoom 2 ')).toBe('line 1 room 2');
  });

  it('lower-cases Latin letters and leaves Chinese unchanged', () => {
    expect(normalizeText('PPPoE 拨号 Error 651')).toBe('pppoe拨号error 651');
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

  it('finds the same LCS length as the dynamic programme on random texts', () => {
    const dp = (a: string, b: string) => {
      const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) t[i][j] = a[i - 1] === b[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
      return t[a.length][b.length];
    };
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const text = (n: number) => Array.from({ length: n }, () => '宽带断网投诉退费光猫'[Math.floor(random() * 10)]).join('');
    for (let k = 0; k < 200; k++) {
      const a = text(Math.floor(random() * 90));
      const b = text(Math.floor(random() * 90));
      expect(lcsLength(a, b)).toBe(dp(a, b));
    }
  });

  it('computes the LCS of long texts quickly', () => {
    const a = '客户反映宽带断网，要求尽快上门维修。'.repeat(300);
    const b = '客户说宽带断网了，希望明天上门维修。'.repeat(300);
    const started = performance.now();
    expect(lcsLength(a, b)).toBeGreaterThan(3000);
    expect(performance.now() - started).toBeLessThan(2000);
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
    expect(distribution([0.2, 1, 0.6, 0.4, 0.8])).toEqual({ min: 0.2, p25: 0.4, median: 0.6, p75: 0.8, max: 1 });
    // Type 7: index (n − 1)·p = 0.75 between 0.1 and 0.5.
    expect(distribution([0.5, 0.1])?.p25).toBeCloseTo(0.2, 10);
    expect(histogram([0, 0.3, 0.35, 0.99, 1])).toEqual([1, 0, 0, 2, 0, 0, 0, 0, 0, 2]);
  });
});
