import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { finalisedAt, parseSpeed, spokenSeconds, spokenWords, wallMs } from './replay-timing.js';

const model = { wordsPerSecond: 4, gapSeconds: 0.5 };

describe('spoken length', () => {
  it('counts a CJK character as a word, and each run of Latin letters or digits as one', () => {
    expect(spokenWords('您好，请问有什么可以帮您？')).toBe(11);
    expect(spokenWords('My broadband is down since 8 pm.')).toBe(7);
    expect(spokenWords('我的4G信号很差 please help')).toBe(6 + 3);
    expect(spokenWords('……？！')).toBe(0);
  });

  it('lasts words / rate seconds, at least half a second', () => {
    expect(spokenSeconds('宽带断了三天了，赶紧修', model)).toBe(10 / 4);
    expect(spokenSeconds('嗯', model)).toBe(0.5);
    expect(spokenSeconds('', model)).toBe(0.5);
  });
});

describe('finalisedAt', () => {
  it('without times (STC-3): each turn after the previous one, a gap and its own length', () => {
    const turns = [{ text: '您好请问有什么事情呢' }, { text: '宽带断了' }, { text: '好的我查一下' }];
    // 10/4 = 2.5; + 0.5 + 4/4 = 4; + 0.5 + 6/4 = 6
    expect(finalisedAt(turns, model)).toEqual([2.5, 4, 6]);
    expect(finalisedAt(turns, { wordsPerSecond: 2, gapSeconds: 0 })).toEqual([5, 7, 10]);
  });

  it('uses end when a turn has it, start plus its length when it has only a start', () => {
    const turns = [
      { text: '您好', start: 0, end: 1.2 },
      { text: '我要投诉你们的宽带', start: 1.5 },
      { text: '好的', start: 5, end: 6 },
    ];
    expect(finalisedAt(turns, model)).toEqual([1.2, 1.5 + 9 / 4, 6]);
  });

  it('never goes back in time, and mixes timed and untimed turns', () => {
    const turns = [{ text: '甲乙丙丁', end: 10 }, { text: '戊', end: 3 }, { text: '己庚辛壬' }];
    expect(finalisedAt(turns, model)).toEqual([10, 10, 11.5]);
  });
});

describe('parseSpeed and wallMs', () => {
  it('takes 10x, 10, 0.5x, 1X and max', () => {
    expect(parseSpeed('10x')).toBe(10);
    expect(parseSpeed('10')).toBe(10);
    expect(parseSpeed('0.5x')).toBe(0.5);
    expect(parseSpeed(' 1X ')).toBe(1);
    expect(parseSpeed('max')).toBe('max');
  });

  it('refuses zero, negatives and words', () => {
    for (const bad of ['0x', '-2x', 'fast', '', 'x', '1e3']) expect(() => parseSpeed(bad), bad).toThrow(CliError);
  });

  it('scales call seconds to wall milliseconds', () => {
    expect(wallMs(30, 10)).toBe(3000);
    expect(wallMs(30, 1)).toBe(30_000);
    expect(wallMs(30, 'max')).toBe(0);
  });
});
