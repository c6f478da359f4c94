import { describe, expect, it } from 'vitest';
import { DELIVERY_STATES } from './api';
import {
  canConfirm, causeLabel, formatCount, formatDuration, formatRate, isMoving, preparationProgress, sendProgress, showsDashboard,
  stateBadge, STATE_COLORS,
} from './state';

describe('stateBadge', () => {
  it('has a label and a colour for every state', () => {
    for (const s of DELIVERY_STATES) {
      const b = stateBadge(s);
      expect(b.label).not.toBe('');
      expect(b.color).toBe(STATE_COLORS[s]);
    }
    expect(stateBadge('finished')).toEqual({ label: 'Finished', color: 'teal' });
    expect(stateBadge('failed')).toEqual({ label: 'Failed', color: 'red' });
  });

  it('shows an unknown state as it is', () => {
    expect(stateBadge('archived')).toEqual({ label: 'archived', color: 'gray' });
  });

  it('tells the dashboard states from the editor states', () => {
    expect(['draft', 'preparing', 'ready'].map(showsDashboard)).toEqual([false, false, false]);
    expect(['scheduled', 'sending', 'paused', 'stopped', 'finished', 'failed'].every(showsDashboard)).toBe(true);
    expect(isMoving('preparing')).toBe(true);
    expect(isMoving('paused')).toBe(false);
  });
});

describe('causeLabel', () => {
  it('names the built-in causes and the typology rules', () => {
    expect(causeLabel('opted_out')).toBe('Opted out of email');
    expect(causeLabel('filter:vip')).toBe('Filter: vip');
    expect(causeLabel('fatigue:weekly')).toBe('Fatigue: weekly');
    expect(causeLabel('other')).toBe('other');
  });
});

describe('counters', () => {
  it('formats durations', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(180)).toBe('3 min');
    expect(formatDuration(7500)).toBe('2 h 05 min');
    expect(formatDuration(3 * 86400 + 4 * 3600 + 5)).toBe('3 d 4 h');
  });

  it('formats rates', () => {
    expect(formatRate(0)).toBe('—');
    expect(formatRate(1234.4)).toBe('1,234/s');
    expect(formatRate(12.34)).toBe('12.3/s');
    expect(formatRate(0.5)).toBe('30/min');
    expect(formatRate(0.001)).toBe('4/h');
  });

  it('computes progress', () => {
    expect(sendProgress({ toSend: 0, sent: 0, failed: 0 })).toBe(0);
    expect(sendProgress({ toSend: 200, sent: 90, failed: 10 })).toBe(50);
    expect(sendProgress({ toSend: 10, sent: 12, failed: 0 })).toBe(100);
    expect(preparationProgress({ done: 1, total: 4 })).toBe(25);
    expect(preparationProgress({ done: 0, total: 0 })).toBe(0);
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});

describe('canConfirm', () => {
  it('lets supervisors and administrators confirm, no one else', () => {
    expect(canConfirm('administrator')).toBe(true);
    expect(canConfirm('supervisor')).toBe(true);
    expect(canConfirm('marketer')).toBe(false);
    expect(canConfirm('analyst')).toBe(false);
    expect(canConfirm('data_manager')).toBe(false);
  });
});
