import { describe, expect, it } from 'vitest';
import { compareValues, formatDateTime, roleLabel } from './format';

describe('format', () => {
  it('formats RFC 3339 times and keeps nulls visible', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('not a date');
    expect(formatDateTime('2025-11-28T19:26:00Z')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });

  it('labels roles', () => {
    expect(roleLabel('data_manager')).toBe('Data manager');
    expect(roleLabel('unknown_role')).toBe('unknown_role');
  });

  it('sorts text case-insensitively with numbers in order, nulls last', () => {
    expect(['b10', 'B2', 'a'].sort(compareValues)).toEqual(['a', 'B2', 'b10']);
    expect([null, 3, 1].sort(compareValues)).toEqual([1, 3, null]);
  });
});
