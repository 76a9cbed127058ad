import { describe, expect, it } from 'vitest';
import { SLUG_PATTERN } from '@shared/publish.js';
import { deriveSlug } from './publish.js';

describe('deriveSlug', () => {
  const id = '3F2A9C1B-1111-2222-3333-444455556666';

  it('turns ascii words of the name into a lowercase dashed slug', () => {
    expect(deriveSlug('Work Order Fill', id)).toBe('work-order-fill');
    expect(deriveSlug('  宽带 Repair_v2 (Beta)!! ', id)).toBe('repair-v2-beta');
    expect(deriveSlug('Café Über', id)).toBe('cafe-uber');
  });

  it('falls back to scenario-<short id> when too little ascii is left', () => {
    expect(deriveSlug('工单填写', id)).toBe('scenario-3f2a9c1b');
    expect(deriveSlug('x', id)).toBe('scenario-3f2a9c1b');
  });

  it('always yields a valid slug, even from a very long name', () => {
    for (const name of ['a'.repeat(300), `${'ab-'.repeat(40)}`, '---', '9 lives']) expect(deriveSlug(name, id)).toMatch(SLUG_PATTERN);
  });
});
