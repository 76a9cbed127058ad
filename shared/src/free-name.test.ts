import { describe, expect, it } from 'vitest';
import { freeName } from './free-name.js';

describe('freeName', () => {
  it('keeps a free name and numbers a taken one from 2', () => {
    expect(freeName('通话质检', ['工单填写'])).toBe('通话质检');
    expect(freeName('通话质检', ['通话质检'])).toBe('通话质检 2');
    expect(freeName('通话质检', ['通话质检', '通话质检 2', '通话质检 3'])).toBe('通话质检 4');
  });

  it('ignores case and spaces, and counts on from a numbered name', () => {
    expect(freeName(' Call audit ', ['call AUDIT'])).toBe('Call audit 2');
    expect(freeName('通话质检 2', ['通话质检', '通话质检 2'])).toBe('通话质检 3');
  });
});
