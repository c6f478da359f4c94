import { describe, expect, it } from 'vitest';

import type { ReportCounts, ReportRates } from './api';
import { dayStart, deviceClientLabel, formatNumber, formatPercent, kindBadge, kpis, nextDay, NO_VALUE, rateOf } from './format';

describe('formatPercent', () => {
  it('shows a dash for a rate whose denominator is 0', () => {
    expect(formatPercent(null)).toBe('–');
    expect(formatPercent(undefined)).toBe('–');
    expect(formatPercent(Number.NaN)).toBe('–');
    expect(NO_VALUE).toBe('–');
  });
  it('rounds to one decimal and drops ".0"', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.2346)).toBe('23.5%');
    expect(formatPercent(0.25)).toBe('25%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect(formatPercent(0.0005)).toBe('0.1%');
    expect(formatPercent(0.1999)).toBe('20%');
  });
});

describe('numbers and rates', () => {
  it('formats counts with separators, a dash for null', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(null)).toBe('–');
  });
  it('computes a rate like the server: null when the denominator is 0, 4 decimals', () => {
    expect(rateOf(1, 0)).toBeNull();
    expect(rateOf(1, 3)).toBe(0.3333);
    expect(rateOf(0, 5)).toBe(0);
  });
});

const counts: ReportCounts = {
  targeted: 1000, excluded: 20, processed: 980, sent: 970, delivered: 960, hardBounces: 10, softBounces: 5, ignored: 0,
  opens: 700, uniqueOpens: 500, machineOpens: 80, clicks: 300, uniqueClicks: 120, unsubscribes: 4, mirrorViews: 9, complaints: 1,
};
const rates: ReportRates = {
  deliveredRate: 0.9796, bounceRate: 0.0153, hardBounceRate: 0.0102, softBounceRate: 0.0051, openRate: 0.5208,
  clickThroughRate: 0.125, reactivity: 0.24, unsubscribeRate: 0.0042, complaintRate: 0.001,
};

describe('kpis', () => {
  it('gives the six cards in order with their values, counts and formulas', () => {
    const cards = kpis(counts, rates);
    expect(cards.map((k) => k.label)).toEqual(['Delivered', 'Open rate', 'Click-through rate', 'Reactivity', 'Bounce rate', 'Unsubscribe rate']);
    expect(cards.map((k) => k.value)).toEqual(['98%', '52.1%', '12.5%', '24%', '1.5%', '0.4%']);
    expect(cards[0].detail).toBe('960 of 980 processed');
    expect(cards[4].detail).toBe('10 hard, 5 soft');
    expect(cards[1].formula).toMatch(/unique opens \/ delivered/);
    expect(cards[3].formula).toMatch(/unique clicks \/ unique opens/);
  });
  it('shows dashes before anything is delivered', () => {
    const none = { ...rates, openRate: null, clickThroughRate: null, reactivity: null };
    const cards = kpis({ ...counts, delivered: 0 }, none);
    expect(cards[1].value).toBe('–');
    expect(cards[3].value).toBe('–');
  });
});

describe('labels and dates', () => {
  it('names devices, clients and event kinds', () => {
    expect(deviceClientLabel('mobile', 'Gmail')).toBe('Mobile · Gmail');
    expect(deviceClientLabel('proxy', '')).toBe('Privacy proxy');
    expect(deviceClientLabel('toaster', '')).toBe('toaster');
    expect(kindBadge('click').label).toBe('Click');
    expect(kindBadge('weird')).toEqual({ label: 'weird', color: 'gray' });
  });
  it('turns date inputs into RFC 3339 bounds', () => {
    const start = dayStart('2026-03-01');
    expect(start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(new Date(start!).getDate()).toBe(1);
    expect(dayStart('')).toBeNull();
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });
});
