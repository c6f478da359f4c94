// How report numbers read: rates as percentages ("23.5%", "–" when the denominator is 0), counts,
// the KPI cards of a delivery's report with the formula each one's tooltip gives, and the labels
// of devices, failure types and tracking event kinds.

import type { ReportCounts, ReportRates } from './api';

/** The dash shown for a rate whose denominator is 0 (null from the server) or a missing value. */
export const NO_VALUE = '–';

/**
 * A fraction 0..1 as a percentage: "23.5%", "100%", "0%", "<0.1%" for a tiny non-zero rate,
 * "–" for null, undefined or a non-finite value.
 */
export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return NO_VALUE;
  if (rate === 0) return '0%';
  const pct = rate * 100;
  if (Math.abs(pct) < 0.05) return rate > 0 ? '<0.1%' : '>-0.1%';
  const rounded = Math.round(pct * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`;
}

/** "12,345"; "–" for null, undefined or a non-finite value. */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NO_VALUE;
  return n.toLocaleString('en-US');
}

/** A rate computed here the way the server does: null when the denominator is 0, 4 decimals. */
export function rateOf(numerator: number, denominator: number): number | null {
  if (!denominator) return null;
  return Math.round((numerator / denominator) * 10000) / 10000;
}

export interface Kpi {
  key: string;
  label: string;
  /** The rate as a percentage, or the count for a card without a rate. */
  value: string;
  /** The count under the big number: "1,234 unique opens". */
  detail: string;
  /** The formula, for the tooltip. */
  formula: string;
  color: string;
}

/** The six KPI cards of a delivery's report, in order. */
export function kpis(counts: ReportCounts, rates: ReportRates): Kpi[] {
  const n = formatNumber;
  return [
    {
      key: 'delivered',
      label: 'Delivered',
      value: formatPercent(rates.deliveredRate),
      detail: `${n(counts.delivered)} of ${n(counts.processed)} processed`,
      formula: 'Delivered rate = delivered / processed. Delivered: messages sent and not bounced later; processed: sent + hard bounces + soft bounces + ignored.',
      color: 'teal',
    },
    {
      key: 'openRate',
      label: 'Open rate',
      value: formatPercent(rates.openRate),
      detail: `${n(counts.uniqueOpens)} unique opens`,
      formula: 'Open rate = unique opens / delivered. Machine opens (privacy proxies, scanners) are left out; a click counts as an open.',
      color: 'blue',
    },
    {
      key: 'clickThroughRate',
      label: 'Click-through rate',
      value: formatPercent(rates.clickThroughRate),
      detail: `${n(counts.uniqueClicks)} unique clicks`,
      formula: 'Click-through rate = unique clicks / delivered (recipients who clicked at least one link).',
      color: 'indigo',
    },
    {
      key: 'reactivity',
      label: 'Reactivity',
      value: formatPercent(rates.reactivity),
      detail: `${n(counts.uniqueClicks)} clicks of ${n(counts.uniqueOpens)} openers`,
      formula: 'Reactivity = unique clicks / unique opens: of those who opened, how many clicked.',
      color: 'violet',
    },
    {
      key: 'bounceRate',
      label: 'Bounce rate',
      value: formatPercent(rates.bounceRate),
      detail: `${n(counts.hardBounces)} hard, ${n(counts.softBounces)} soft`,
      formula: 'Bounce rate = (hard bounces + soft bounces) / processed. Soft bounces count once their retries are over.',
      color: 'red',
    },
    {
      key: 'unsubscribeRate',
      label: 'Unsubscribe rate',
      value: formatPercent(rates.unsubscribeRate),
      detail: `${n(counts.unsubscribes)} unsubscribed`,
      formula: 'Unsubscribe rate = unsubscribes / delivered (through the unsubscribe link or the one-click header).',
      color: 'orange',
    },
  ];
}

const DEVICES: Record<string, string> = {
  desktop: 'Desktop',
  mobile: 'Mobile',
  tablet: 'Tablet',
  proxy: 'Privacy proxy',
  bot: 'Bot or scanner',
  other: 'Other',
  '': 'Unknown',
};

/** "Desktop", "Privacy proxy"; an unknown device as it is. */
export function deviceLabel(device: string): string {
  return DEVICES[device] ?? device;
}

/** "Mobile · Gmail", "Desktop" when the client is unknown. */
export function deviceClientLabel(device: string, client: string): string {
  const d = deviceLabel(device);
  return client ? `${d} · ${client}` : d;
}

const KINDS: Record<string, { label: string; color: string }> = {
  open: { label: 'Open', color: 'blue' },
  click: { label: 'Click', color: 'indigo' },
  unsubscribe: { label: 'Unsubscribe', color: 'orange' },
  mirror: { label: 'Mirror page', color: 'gray' },
};

/** A tracking event kind's label and badge colour; an unknown kind as it is, in gray. */
export function kindBadge(kind: string): { label: string; color: string } {
  return KINDS[kind] ?? { label: kind, color: 'gray' };
}

const FAILURE_TYPES: Record<string, string> = { hard: 'Hard bounce', soft: 'Soft bounce', ignored: 'Ignored' };

export function failureTypeLabel(type: string): string {
  return FAILURE_TYPES[type] ?? type;
}

/** A date input's "YYYY-MM-DD" as the RFC 3339 time of that local midnight ("" gives null). */
export function dayStart(day: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The local day after `day` ("YYYY-MM-DD"), for an inclusive "to" date sent as an exclusive bound. */
export function nextDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1);
  return localDay(d);
}

/** A Date as the local "YYYY-MM-DD" a date input holds. */
export function localDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
