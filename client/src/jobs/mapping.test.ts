import { describe, expect, it } from 'vitest';
import { autoMap, mappingToSend, matchKey, unmappedRequired } from './mapping';

const inputs = [
  { name: 'transcript', type: 'transcript' as const, required: true, description: '' },
  { name: 'agent_id', type: 'string' as const, required: false, description: '' },
  { name: 'priority', type: 'number' as const, required: true, description: '' },
];

describe('column mapping', () => {
  it('matches names ignoring case, full-width forms, spaces, _ and -', () => {
    expect(matchKey('Ｔｒａｎｓｃｒｉｐｔ ')).toBe('transcript');
    expect(autoMap(inputs, ['ID', 'TRANSCRIPT', 'Agent-ID', '备注'])).toEqual({ id: 'ID', transcript: 'TRANSCRIPT', agent_id: 'Agent-ID', priority: '' });
  });

  it('names the required inputs left without a column', () => {
    expect(unmappedRequired(inputs, { transcript: '通话', agent_id: '', priority: '' })).toEqual(['priority']);
    expect(unmappedRequired(inputs, { transcript: '通话', priority: 'p' })).toEqual([]);
  });

  it('sends the chosen columns, and the id column only for a table', () => {
    const choice = { id: '编号', transcript: '通话', agent_id: '', priority: 'p' };
    expect(mappingToSend(choice, true)).toEqual({ id: '编号', transcript: '通话', priority: 'p' });
    expect(mappingToSend(choice, false)).toEqual({ transcript: '通话', priority: 'p' });
  });
});
