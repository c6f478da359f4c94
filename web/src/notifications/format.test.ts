import { describe, expect, it } from 'vitest';

import { badgeText, internalPath, levelColor, timeAgo } from './format';

describe('notification bell helpers', () => {
  it('writes the badge', () => {
    expect(badgeText(0)).toBe('');
    expect(badgeText(-1)).toBe('');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(99)).toBe('99');
    expect(badgeText(100)).toBe('99+');
  });

  it('colours levels', () => {
    expect(levelColor('info')).toBe('blue');
    expect(levelColor('warning')).toBe('orange');
    expect(levelColor('error')).toBe('red');
    expect(levelColor('other')).toBe('gray');
  });

  it('says how long ago', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(timeAgo('2026-12-01T11:59:30Z', now)).toBe('just now');
    expect(timeAgo('2026-12-01T11:55:00Z', now)).toBe('5 min ago');
    expect(timeAgo('2026-12-01T09:00:00Z', now)).toBe('3 h ago');
    expect(timeAgo('2026-11-29T12:00:00Z', now)).toBe('2 d ago');
    expect(timeAgo('2026-11-01T12:00:00Z', now)).toBe('2026-11-01');
    expect(timeAgo('2026-12-01T12:00:05Z', now)).toBe('just now');
    expect(timeAgo('nonsense', now)).toBe('');
  });

  it('opens only paths of the application', () => {
    expect(internalPath('/workflows/3')).toBe('/workflows/3');
    expect(internalPath('')).toBeNull();
    expect(internalPath('//evil.example')).toBeNull();
    expect(internalPath('https://evil.example')).toBeNull();
  });
});
