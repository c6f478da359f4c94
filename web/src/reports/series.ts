// The report's time series without React or ECharts: the hourly rows with the missing hours
// filled with zeros, the running totals of the cumulative view, and the chart data (axis labels
// and one array per series) the charts draw.

import type { HourlyRow } from './api';

const HOUR_MS = 3_600_000;
/** At most this many hours are drawn (a month); an older start is cut off. */
export const MAX_HOURS = 24 * 31;

/** The hourly counters the opens-and-clicks chart draws, in legend order. */
export const ACTIVITY_SERIES = [
  { key: 'opens', label: 'Opens' },
  { key: 'uniqueOpens', label: 'Unique opens' },
  { key: 'machineOpens', label: 'Machine opens' },
  { key: 'clicks', label: 'Clicks' },
] as const satisfies readonly { key: keyof HourlyRow; label: string }[];

type Counter = Exclude<keyof HourlyRow, 'hour'>;
const COUNTERS: Counter[] = [
  'sent', 'hardBounces', 'softBounces', 'opens', 'uniqueOpens', 'machineOpens', 'clicks', 'uniqueClicks',
  'unsubscribes', 'mirrorViews', 'complaints',
];

function emptyRow(hour: string): HourlyRow {
  const row = { hour } as HourlyRow;
  for (const c of COUNTERS) row[c] = 0;
  return row;
}

/** The hour's start in milliseconds, or NaN when the text is not a time. */
function hourOf(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? Number.NaN : Math.floor(t / HOUR_MS) * HOUR_MS;
}

function isoHour(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The rows sorted by hour, with a zero row for every hour missing between the first and the last
 * (the server sends only hours that have counters), keeping the last MAX_HOURS hours. Rows for
 * the same hour are added up; rows whose hour does not parse are dropped.
 */
export function fillHours(rows: HourlyRow[]): HourlyRow[] {
  const byHour = new Map<number, HourlyRow>();
  for (const r of rows) {
    const h = hourOf(r.hour);
    if (Number.isNaN(h)) continue;
    const have = byHour.get(h);
    if (!have) {
      byHour.set(h, { ...emptyRow(isoHour(h)), ...r, hour: isoHour(h) });
      continue;
    }
    for (const c of COUNTERS) have[c] += r[c] ?? 0;
  }
  if (byHour.size === 0) return [];
  const hours = [...byHour.keys()].sort((a, b) => a - b);
  const last = hours[hours.length - 1];
  const first = Math.max(hours[0], last - (MAX_HOURS - 1) * HOUR_MS);
  const out: HourlyRow[] = [];
  for (let h = first; h <= last; h += HOUR_MS) out.push(byHour.get(h) ?? emptyRow(isoHour(h)));
  return out;
}

/** Running totals: element i is the sum of values[0..i]. */
export function cumulative(values: number[]): number[] {
  let sum = 0;
  return values.map((v) => (sum += Number.isFinite(v) ? v : 0));
}

/** "11-29 14:00" in the browser's time zone (the axis label of an hour). */
export function hourLabel(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:00`;
}

export interface ChartSeries {
  key: string;
  label: string;
  values: number[];
}

export interface ActivityData {
  labels: string[];
  series: ChartSeries[];
}

/** The opens-and-clicks chart's data: per hour, or as running totals when `cumulated`. */
export function activityData(rows: HourlyRow[], cumulated: boolean): ActivityData {
  const filled = fillHours(rows);
  return {
    labels: filled.map((r) => hourLabel(r.hour)),
    series: ACTIVITY_SERIES.map(({ key, label }) => {
      const values = filled.map((r) => r[key]);
      return { key, label, values: cumulated ? cumulative(values) : values };
    }),
  };
}

/** Whether the hourly rows hold any open or click (the chart's empty state otherwise). */
export function hasActivity(rows: HourlyRow[]): boolean {
  return rows.some((r) => r.opens + r.machineOpens + r.clicks > 0);
}
