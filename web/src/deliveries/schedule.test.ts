import { describe, expect, it } from 'vitest';
import { parseIdList, utcToZoned, zonedToUtc } from './schedule';

describe('zonedToUtc', () => {
  it('converts a wall-clock time in a zone to UTC, across daylight saving', () => {
    expect(zonedToUtc('2026-12-01T09:00', 'Europe/Paris')).toBe('2026-12-01T08:00:00Z');
    expect(zonedToUtc('2026-07-01T09:00', 'Europe/Paris')).toBe('2026-07-01T07:00:00Z');
    expect(zonedToUtc('2026-07-01T09:00', 'America/New_York')).toBe('2026-07-01T13:00:00Z');
    expect(zonedToUtc('2026-07-01T09:00', 'UTC')).toBe('2026-07-01T09:00:00Z');
  });
  it('refuses what it cannot read', () => {
    expect(zonedToUtc('tomorrow', 'UTC')).toBeNull();
    expect(zonedToUtc('2026-07-01T09:00', 'Mars/Olympus')).toBeNull();
  });
  it('round-trips', () => {
    expect(utcToZoned('2026-12-01T08:00:00Z', 'Europe/Paris')).toBe('2026-12-01T09:00');
    expect(utcToZoned('nope', 'UTC')).toBe('');
  });
});

describe('parseIdList', () => {
  it('keeps ids in order without repeats and reports the rest', () => {
    expect(parseIdList('3, 1\n2 3;x -4 0')).toEqual({ ids: [3, 1, 2], invalid: ['x', '-4', '0'] });
    expect(parseIdList('  ')).toEqual({ ids: [], invalid: [] });
  });
});
