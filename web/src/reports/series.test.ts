import { describe, expect, it } from 'vitest';

import type { HourlyRow } from './api';
import { activityData, cumulative, fillHours, hasActivity, MAX_HOURS } from './series';

function row(hour: string, over: Partial<HourlyRow> = {}): HourlyRow {
  return {
    hour, sent: 0, hardBounces: 0, softBounces: 0, opens: 0, uniqueOpens: 0, machineOpens: 0, clicks: 0, uniqueClicks: 0,
    unsubscribes: 0, mirrorViews: 0, complaints: 0, ...over,
  };
}

describe('cumulative', () => {
  it('gives running totals', () => {
    expect(cumulative([1, 0, 3, 2])).toEqual([1, 1, 4, 6]);
    expect(cumulative([])).toEqual([]);
  });
  it('treats a non-finite value as 0', () => {
    expect(cumulative([1, Number.NaN, 2])).toEqual([1, 1, 3]);
  });
});

describe('fillHours', () => {
  it('sorts, fills the missing hours with zeros and normalizes the hour text', () => {
    const out = fillHours([row('2026-11-29T12:00:00Z', { opens: 2 }), row('2026-11-29T09:00:00Z', { opens: 5 })]);
    expect(out.map((r) => r.hour)).toEqual(['2026-11-29T09:00:00Z', '2026-11-29T10:00:00Z', '2026-11-29T11:00:00Z', '2026-11-29T12:00:00Z']);
    expect(out.map((r) => r.opens)).toEqual([5, 0, 0, 2]);
    expect(out[1].clicks).toBe(0);
  });
  it('adds up rows of the same hour and drops unparsable ones', () => {
    const out = fillHours([row('2026-11-29T09:00:00Z', { clicks: 1 }), row('2026-11-29T09:30:00Z', { clicks: 2 }), row('nonsense', { clicks: 9 })]);
    expect(out).toHaveLength(1);
    expect(out[0].clicks).toBe(3);
  });
  it('keeps at most MAX_HOURS hours, the latest', () => {
    const out = fillHours([row('2026-01-01T00:00:00Z', { opens: 1 }), row('2026-11-29T00:00:00Z', { opens: 1 })]);
    expect(out).toHaveLength(MAX_HOURS);
    expect(out[out.length - 1].hour).toBe('2026-11-29T00:00:00Z');
  });
  it('gives nothing for nothing', () => {
    expect(fillHours([])).toEqual([]);
  });
});

describe('activityData', () => {
  const rows = [
    row('2026-11-29T09:00:00Z', { opens: 3, uniqueOpens: 2, machineOpens: 1, clicks: 1 }),
    row('2026-11-29T11:00:00Z', { opens: 4, uniqueOpens: 3, clicks: 2 }),
  ];
  it('gives the four series per hour', () => {
    const d = activityData(rows, false);
    expect(d.labels).toHaveLength(3);
    expect(d.series.map((s) => s.key)).toEqual(['opens', 'uniqueOpens', 'machineOpens', 'clicks']);
    expect(d.series[0].values).toEqual([3, 0, 4]);
  });
  it('or cumulated', () => {
    const d = activityData(rows, true);
    expect(d.series[0].values).toEqual([3, 3, 7]);
    expect(d.series[3].values).toEqual([1, 1, 3]);
  });
  it('knows when there is nothing to draw', () => {
    expect(hasActivity([row('2026-11-29T09:00:00Z', { sent: 10 })])).toBe(false);
    expect(hasActivity(rows)).toBe(true);
  });
});
