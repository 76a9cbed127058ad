/**
 * Finder for the detail of Chinese postal addresses in free text: everything below the district
 * (street, road, house number, estate, building, unit, room) is masked, the province, city and
 * district before it are kept: `济南市历下区新泺大街 1166 号奥盛大厦 3 号楼 2 单元 501 室` →
 * `济南市历下区****`.
 *
 * The format is the one of GB/T 23705-2009 and the postal service's address order, province → city →
 * district/county → (town) → road + number → estate/building → building number → unit → floor → room.
 * An address is recognised by its numbered parts (`1166 号`, `3 号楼`, `2 单元`, `501 室`, `3-2-501 室`,
 * `十二组`), which must follow a road or estate name (`…大街`, `…路`, `…小区`, `…村`) or come two or more
 * together with a building part among them: a lone `1号` (`5月1号`, `第3号`) is a date or a queue
 * number, not an address. A road or estate named without any number is left alone.
 *
 * Linear: one bounded-pattern scan for the numbered parts, then a walk over the characters near each
 * group of them.
 */
import type { PiiSpan } from './pii-numbers.js';

/** What replaces an address's detail (its length is not shown). */
export const ADDRESS_MASK = '****';

/**
 * A numbered part: Arabic digits (maybe `3-2-501`) or Chinese numerals, an optional space (as ASR and
 * people write `1166 号`), and a unit. `号楼` and `号院` come before `号` so the longer unit is taken.
 */
const NUMBERED_PART = /(?<![0-9])(?:[0-9]{1,6}(?:-[0-9]{1,5}){0,3}|(?<![一二三四五六七八九十百零〇两])[一二三四五六七八九十百零〇两]{1,4}) ?(?:号楼|号院|号|栋|幢|座|单元|层|楼|室|户|组)/g;

/** Units that only buildings have (a lone `3号` can be a date, a lone `2单元` cannot be much else). */
const BUILDING_UNIT = /(?:号楼|号院|栋|幢|座|单元|层|室|户)$/;

/** The end of a road or estate name, right before a numbered part. */
const PLACE_SUFFIX = /(?:大街|大道|路|街|巷|弄|胡同|里|小区|大厦|花园|公寓|家园|苑|村|社区|广场|中心|院|庄|屯|城|园|湾|府|邸|公馆|大楼|宿舍|[0-9一二三四五六七八九十][区期])$/;

/** Units after which a bare number is the room (`5栋2单元301`, `305号楼1203`). */
const ROOM_AFTER = /(?:号楼|栋|幢|座|单元|层|楼)$/;
/**
 * A room number right after a building part, not followed by a word that makes it a time, a date, an
 * amount or a count (`3号楼 12点`, `2单元 3个`).
 */
const ROOM = /^[ -]?[0-9]{1,5}(?![0-9]| ?[点时分秒号月日年岁个元块度%.:：])/;

/** Largest gap (estate or building name, spaces) between two numbered parts of one address. */
const MAX_GAP = 12;
/** How far left of a road or estate suffix its name may reach. */
const MAX_NAME = 16;

const CJK = /[\u3400-\u9fff]/;
/**
 * Where a name stops when read leftwards: the administrative levels that are kept (province, city,
 * district, county, banner, prefecture, league) and the words that introduce an address in speech.
 */
const ADMIN_END = /[省市县旗州盟]/;
const LEAD_WORD = /[在住是到于址为的往去从给寄送:：]/;

/** Whether the `区` at `i` ends a district (历下区) rather than a residential area (阳光小区, 社区, 园区, 三区). */
function districtEnd(text: string, i: number): boolean {
  return text[i] === '区' && !/[小社园景校厂矿0-9一二三四五六七八九十]/.test(text[i - 1] ?? '');
}

/** Start of the road or estate name whose suffix ends at `end` (exclusive), walking left. */
function nameStart(text: string, end: number): number {
  let i = end;
  while (i > 0 && end - i < MAX_NAME) {
    const c = text[i - 1];
    if (!CJK.test(c) && !/[A-Za-z0-9]/.test(c)) break;
    if (ADMIN_END.test(c) || districtEnd(text, i - 1) || LEAD_WORD.test(c)) break;
    i--;
  }
  return i;
}

/** Whether `gap` (between two numbered parts) can be a building or estate name. */
function joins(gap: string): boolean {
  return gap.length <= MAX_GAP && /^[\u3400-\u9fffA-Za-z ]*$/.test(gap);
}

/** The address details in `norm` (the half-width text), as spans replaced by {@link ADDRESS_MASK}. */
export function findAddresses(norm: string): PiiSpan[] {
  if (!/[号栋幢座单元层楼室户组]/.test(norm)) return [];
  const parts: Array<{ start: number; end: number; unit: string }> = [];
  NUMBERED_PART.lastIndex = 0;
  for (let m = NUMBERED_PART.exec(norm); m !== null; m = NUMBERED_PART.exec(norm)) parts.push({ start: m.index, end: m.index + m[0].length, unit: m[0] });

  const spans: PiiSpan[] = [];
  let i = 0;
  while (i < parts.length) {
    // A group: numbered parts joined by short names (`1166 号奥盛大厦 3 号楼 2 单元 501 室`).
    let j = i;
    while (j + 1 < parts.length && joins(norm.slice(parts[j].end, parts[j + 1].start))) j++;
    const first = parts[i];
    const building = parts.slice(i, j + 1).some((p) => BUILDING_UNIT.test(p.unit));
    // A road or estate name right before the group (spaces between allowed).
    let before = first.start;
    while (before > 0 && norm[before - 1] === ' ') before--;
    const suffix = PLACE_SUFFIX.exec(norm.slice(Math.max(0, before - 4), before));
    let start = -1;
    if (suffix) {
      start = nameStart(norm, before - suffix[0].length);
      // The suffix alone is no name (`区3号楼` after a district): start at the group then.
      if (start === before - suffix[0].length) start = first.start;
    } else if (j > i && building) start = first.start;
    let end = parts[j].end;
    if (ROOM_AFTER.test(parts[j].unit)) end += ROOM.exec(norm.slice(end, end + 8))?.[0].length ?? 0;
    if (start >= 0) spans.push({ start, end, replacement: ADDRESS_MASK, kind: 'address' });
    i = j + 1;
  }
  return spans;
}
