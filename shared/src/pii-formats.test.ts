/**
 * The transcript formats a security test found unmasked: numbers read out in Chinese digits, digits
 * spaced or dotted or dashed, `86` without `+`, grouped ID numbers, dotted cards, residential areas
 * numbered like districts, room numbers without `室`, and object keys. Then what must stay readable.
 */
import { describe, expect, it } from 'vitest';
import { findPii, maskText, maskValue } from './pii.js';

describe('maskText: numbers as ASR and people write them', () => {
  it.each([
    ['电话一三八一二三四五六七八', '电话一三八****五六七八'],
    ['电话幺三八一二三四五六七八。', '电话幺三八****五六七八。'],
    ['号码138一二三四五六七八', '号码138****五六七八'],
    ['号码一三八 一二三四 五六七八', '号码一三八 **** 五六七八'],
    ['幺三九零零幺幺两两三三', '幺三九****两两三三'],
    ['壹叁捌壹贰叁肆伍陆柒捌', '壹叁捌****伍陆柒捌'],
    ['１３８一二三四５６７８', '１３８****５６７８'],
    ['手机 1 3 8 1 2 3 4 5 6 7 8 好的', '手机 1 3 8 * * * * 5 6 7 8 好的'],
    ['手机138.1234.5678', '手机138.****.5678'],
    ['手机138—1234—5678', '手机138—****—5678'],
    ['手机138–1234–5678', '手机138–****–5678'],
    ['打8613812345678', '打86138****5678'],
    ['打86 138 1234 5678', '打86 138 **** 5678'],
    ['座机010.12345678', '座机010.****5678'],
    ['座机零五三幺八八八八六六六六', '座机零五三幺****六六六六'],
  ])('%s', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });

  it('masks ID numbers grouped with hyphens or dots, spaced, or read in Chinese digits', () => {
    expect(maskText('身份证110101-19900307-4514')).toBe('身份证110***-********-4514');
    expect(maskText('身份证110101.19900307.4514')).toBe('身份证110***.********.4514');
    expect(maskText('身份证一一零一零一一九九零零三零七四五一四')).toBe('身份证一一零***********四五一四');
    expect(maskText('1 1 0 1 0 1 1 9 9 0 0 3 0 7 4 5 1 4')).toBe('1 1 0 * * * * * * * * * * * 4 5 1 4');
  });

  it('masks bank cards grouped with dots or dashes, and read in Chinese digits', () => {
    expect(maskText('卡号6222.0212.3456.7890.128')).toBe('卡号6222.****.****.***0.128');
    expect(maskText('卡号6222—0212—3456—7890—128')).toBe('卡号6222—****—****—***0—128');
    expect(maskText('卡号六二二二零二一二三四五六七八九零一二八')).toBe('卡号六二二二***********零一二八');
  });
});

describe('maskText: addresses', () => {
  it.each([
    ['朝阳区望京西园三区305号楼1203', '朝阳区****'],
    ['北京市朝阳区望京西园三区 305 号楼 1203 室', '北京市朝阳区****'],
    ['幸福小区5栋2单元301', '****'],
    ['我住幸福小区5栋2单元301，下午在家', '我住****，下午在家'],
    ['万科城二期3栋1单元1502', '****'],
  ])('%s', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });

  it('leaves a time or a count after a building part', () => {
    expect(maskText('幸福小区5栋2单元 12点以后在家')).toBe('**** 12点以后在家');
    expect(maskText('在3号楼2单元 3个人')).toBe('在**** 3个人');
  });
});

describe('maskText: what must stay readable', () => {
  it.each([
    '通话时长三十五分钟',
    '等了一个小时二十分钟',
    '二〇二四年五月六日下午三点半',
    '2024.05.06 13:45 来电',
    '2024-05-06',
    '套餐一百二十九元，优惠五十元',
    '价格 1,388.00 元，折后 1.388 万',
    '订单号 12345678901 23', // 11 digits, not starting 1[3-9]
    '订单号 1381234567890', // 13 digits
    '工单 20240506-0001',
    '一二三四五六七，开始', // seven counted, not a number
    '第一二三四五六七八九十名', // a list of places
    '十三号楼下集合', // a lone 13号
    '电话 1 3 8 1 2 3 4 5 6 7', // 10 digits
  ])('%s', (text) => {
    expect(maskText(text)).toBe(text);
  });
});

describe('maskValue: keys', () => {
  it('masks an object key that is a phone number, and keeps two that mask alike apart', () => {
    expect(maskValue({ '13912345678': { name: 'x' }, phone: 1 })).toEqual({ '139****5678': { name: 'x' }, phone: 1 });
    expect(Object.keys(maskValue({ '13912345678': 1, '13987655678': 2 }) as object)).toEqual(['139****5678', '139****5678#2']);
  });
});

describe('linear time on adversarial text (new formats)', () => {
  it.each([
    ['Chinese digits', '一'.repeat(1_000_000)],
    ['spaced Chinese digits', '三 '.repeat(500_000)],
    ['dotted digits', '1.'.repeat(500_000)],
    ['dashed digits', '6—'.repeat(500_000)],
    ['rooms', '5栋2单元'.repeat(160_000)],
  ])('%s', (_name, text) => {
    const started = performance.now();
    expect(findPii(text).length).toBeLessThan(200_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a megabyte of Chinese-digit phone numbers is masked whole', () => {
    const text = '电话幺三八一二三四五六七八，'.repeat(70_000);
    const masked = maskText(text);
    expect(masked.length).toBe(text.length);
    expect(masked.split('幺三八****五六七八').length - 1).toBe(70_000);
  });
});
