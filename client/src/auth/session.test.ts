import { describe, expect, it } from 'vitest';
import { noteReply, onUnauthenticated, sessionHeaders, setCsrfToken } from './session';

describe('the session as requests see it', () => {
  it('sends the CSRF token with changes only', () => {
    setCsrfToken('tok');
    expect(sessionHeaders('POST')).toEqual({ 'x-csrf-token': 'tok' });
    expect(sessionHeaders('delete')).toEqual({ 'x-csrf-token': 'tok' });
    expect(sessionHeaders('GET')).toEqual({});
    setCsrfToken(null);
    expect(sessionHeaders('POST')).toEqual({});
  });

  it('reports a lost session (401 unauthenticated) but not a wrong password or a forbidden action', () => {
    let calls = 0;
    const off = onUnauthenticated(() => calls++);
    setCsrfToken('tok');
    noteReply(401, 'invalid_credentials');
    noteReply(403, 'forbidden');
    expect(calls).toBe(0);
    expect(sessionHeaders('POST')).toEqual({ 'x-csrf-token': 'tok' });
    noteReply(401, 'unauthenticated');
    expect(calls).toBe(1);
    expect(sessionHeaders('POST')).toEqual({});
    off();
    noteReply(401, 'unauthenticated');
    expect(calls).toBe(1);
  });
});
