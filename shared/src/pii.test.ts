import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findPii, idChecksumValid, luhnValid, maskText, maskValue } from './pii.js';

// Real-looking values: the ID numbers carry a correct MOD 11-2 check digit, the cards a correct Luhn digit.
const ID = '370102199001011231';
const ID_X = '11010519491231002X';
const CARD_19 = '6222021234567890128';
const CARD_16 = '6225880123456783';
const VISA = '4367421234567896';

describe('check digits', () => {
  it('ISO 7064 MOD 11-2 accepts real ID numbers (X included) and refuses a changed digit', () => {
    expect(idChecksumValid(ID)).toBe(true);
    expect(idChecksumValid(ID_X)).toBe(true);
    expect(idChecksumValid(ID_X.toLowerCase())).toBe(true);
    expect(idChecksumValid('370102199001011234')).toBe(false);
    expect(idChecksumValid('37010219900101123')).toBe(false);
  });
  it('Luhn accepts real card numbers and refuses a changed digit', () => {
    expect([CARD_19, CARD_16, VISA].every(luhnValid)).toBe(true);
    expect(luhnValid('6222021234567890127')).toBe(false);
  });
});

describe('maskText: phone numbers', () => {
  it.each([
    ['联系电话：13912345678。', '联系电话：139****5678。'],
    ['电话 139 1234 5678，谢谢', '电话 139 **** 5678，谢谢'],
    ['号码是139-1234-5678', '号码是139-****-5678'],
    ['+86 139 1234 5678', '+86 139 **** 5678'],
    ['+8613912345678', '+86139****5678'],
    ['0086-15617731137', '0086-156****1137'],
    ['我的手机１３９１２３４５６７８', '我的手机１３９****５６７８'],
    ['手机１３９－１２３４－５６７８', '手机１３９－****－５６７８'],
    ['tel:18812345678;', 'tel:188****5678;'],
  ])('%s', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });

  it.each([
    ['座机010-12345678', '座机010-****5678'],
    ['济南的0531-8888888', '济南的0531-***8888'],
    ['(0531)88889999 转人工', '(0531)****9999 转人工'],
    ['（0532）83091736', '（0532）****1736'],
    ['报障号053283091736', '报障号0532****1736'],
    ['打 021 6888 1234', '打 021 **** 1234'],
  ])('landline %s', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });

  it('finds every number in a long turn and leaves the words between them', () => {
    const text = `客户：我手机13912345678打不通，你打我老婆的15617731137，或者家里座机0531-88886666也行。`;
    expect(maskText(text)).toBe('客户：我手机139****5678打不通，你打我老婆的156****1137，或者家里座机0531-****6666也行。');
  });
});

describe('maskText: ID numbers, bank cards, e-mail', () => {
  it('masks ID numbers with a valid check digit, X included, also grouped or full-width', () => {
    expect(maskText(`身份证号${ID}`)).toBe('身份证号370***********1231');
    expect(maskText(`身份证${ID_X}，核对一下`)).toBe('身份证110***********002X，核对一下');
    expect(maskText('证件号 370102 19900101 1231')).toBe('证件号 370*** ******** 1231');
    expect(maskText('１１０１０５１９４９１２３１００２Ｘ')).toBe('１１０***********００２Ｘ');
  });

  it('masks bank cards that pass Luhn, contiguous or grouped, keeping the first and last 4 digits', () => {
    expect(maskText(`卡号${CARD_19}`)).toBe('卡号6222***********0128');
    expect(maskText('卡号 6222 0212 3456 7890 128 请核对')).toBe('卡号 6222 **** **** ***0 128 请核对');
    expect(maskText(`信用卡 4367-4212-3456-7896`)).toBe('信用卡 4367-****-****-7896');
    expect(maskText(`卡号${CARD_16} 12`)).toBe('卡号6225********6783 12');
  });

  it('masks e-mail addresses, keeping the domain', () => {
    expect(maskText('邮箱 zhang.san@example.com，发票发这里')).toBe('邮箱 z********@example.com，发票发这里');
    expect(maskText('13912345678@163.com')).toBe('1**********@163.com');
    expect(maskText('邮箱ｌｉｓｉ＠ｑｑ．ｃｏｍ')).toBe('邮箱ｌ***＠ｑｑ．ｃｏｍ');
  });
});

describe('maskText: addresses', () => {
  it.each([
    ['济南市历下区新泺大街 1166 号奥盛大厦 3 号楼 2 单元 501 室', '济南市历下区****'],
    ['客户：山东省济南市历下区新泺大街1166号奥盛大厦3号楼2单元501室。', '客户：山东省济南市历下区****。'],
    ['我住在阳光小区3号楼2单元501室', '我住在****'],
    ['地址是朝阳区建国路88号', '地址是朝阳区****'],
    ['历城区唐王镇张家村3组', '历城区****'],
    ['浦东新区世纪大道100号环球金融中心', '浦东新区****环球金融中心'],
    ['就在5栋3单元1202室，上来就是', '就在****，上来就是'],
    ['海淀区中关村南大街5号院3-2-501室', '海淀区****'],
  ])('%s', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });
});

describe('maskText: what must stay', () => {
  it.each([
    '2024-05-01 10:30 来电',
    '金额 ¥1,234.56，账单 2024年5月',
    '坐席：您好，工号 2046，很高兴为您服务。',
    '5月1号上午九点到十二点都在家',
    '您是第3号，请稍候',
    '打10010、10000号、12300 投诉，或者 400-123-4567、95588',
    '订单号 1234567890123456 已发货', // starts with 1: no card issuer
    '订单号 2024050112345678 已发货', // a year, no card issuer
    '流水号 370102199001011234', // an ID's shape with a wrong check digit
    '宽带账号 ad05318821，错误 651',
    '电话 1391234567', // 10 digits: not a mobile number
    '源 stc3-3830772740080373', // an identifier glued to a word
    '套餐 3 个 G，19.9 元',
    '地铁3号线',
    '@中国联通客服 请解释下',
  ])('%s', (text) => {
    expect(maskText(text)).toBe(text);
  });
});

describe('maskText on the repository\'s samples', () => {
  const texts: string[] = [];
  for (const line of readFileSync(new URL('../../tests/fixtures/stc3-sample.jsonl', import.meta.url), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row: unknown = JSON.parse(line);
    if (typeof row === 'object' && row !== null && 'turns' in row && Array.isArray(row.turns)) for (const t of row.turns) texts.push(String(t.text));
  }
  const samples = new URL('../../templates/', import.meta.url);
  for (const dir of readdirSync(samples)) {
    const folder = new URL(`${dir}/samples/`, samples);
    try {
      for (const file of readdirSync(folder)) texts.push(readFileSync(new URL(file, folder), 'utf8'));
    } catch {
      // a template without samples
    }
  }

  it('masks exactly the customers\' numbers and addresses in them', () => {
    const found = texts.flatMap((t) => findPii(t).map((s) => `${s.kind}:${t.slice(s.start, s.end)}`));
    expect(new Set(found)).toEqual(
      new Set([
        'address:新泺大街 1166 号奥盛大厦 3 号楼 2 单元 501 室',
        'mobile:139 1234 5678',
        'mobile:13912345678',
        'mobile:15617731137',
        'landline:053283091736',
        'landline:01059052173',
      ]),
    );
  });

  it('masks the sample work-order call as a viewer would read it', () => {
    const call = texts.find((t) => t.includes('账号 ad05318821，我姓张'));
    const masked = maskText(call ?? '');
    expect(masked).toContain('电话 139 **** 5678');
    expect(masked).toContain('客户：济南市历下区****。');
    expect(masked).not.toMatch(/1166|501 室/);
  });
});

describe('maskValue', () => {
  it('masks strings and keys deeply and keeps shape and other values', () => {
    const value = { phone: '13912345678', '13912345678': 1, list: [{ text: `卡号${CARD_16}` }, 3, null, true], score: 92.5, nested: { deep: ['0531-8888888'] } };
    expect(maskValue(value)).toEqual({ phone: '139****5678', '139****5678': 1, list: [{ text: '卡号6225********6783' }, 3, null, true], score: 92.5, nested: { deep: ['0531-***8888'] } });
    expect(value.phone).toBe('13912345678');
  });
  it('masks a whole number that is a phone number, and only such numbers', () => {
    expect(maskValue({ phone: 13912345678, amount: 1234.56, count: 2046, ts: 1714550400000 })).toEqual({ phone: '139****5678', amount: 1234.56, count: 2046, ts: 1714550400000 });
  });
});

describe('linear time on adversarial text', () => {
  // Each would take minutes with a backtracking pattern; the assertions are on what is found.
  it.each([
    ['digits', '1'.repeat(1_000_000)],
    ['spaced digits', '6 '.repeat(500_000)],
    ['grouped digits', '666 '.repeat(250_000)],
    ['an e-mail local part without its @', `${'a.'.repeat(500_000)}@`],
    ['@ everywhere', 'a@'.repeat(500_000)],
    ['numbered parts', '1号'.repeat(330_000)],
    ['road names', `${'路'.repeat(1_000_000)}3号楼2单元`],
  ])('%s', (_name, text) => {
    const spans = findPii(text);
    expect(spans.length).toBeLessThan(10);
  });

  it('a megabyte of phone numbers is masked whole', () => {
    const text = '电话13912345678，'.repeat(70_000);
    const masked = maskText(text);
    expect(masked.length).toBe(text.length);
    expect(masked.includes('13912345678')).toBe(false);
    expect(masked.split('139****5678').length - 1).toBe(70_000);
  });
});
