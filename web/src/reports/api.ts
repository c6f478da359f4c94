// Reports and tracking over HTTP (docs/reports.md): a delivery's report and its CSV tables, the
// hot-clicks view, the report across deliveries, a profile's opens and clicks, and the tracking
// keys. Types as the C++ server sends them: camelCase, RFC 3339 times or null, rates as
// fractions 0..1 (4 decimals) or null when their denominator is 0.

import { apiFetch, withQuery } from '../api/client';
import type { Page } from '../api';

const V1 = '/api/v1';

export interface ReportCounts {
  targeted: number;
  excluded: number;
  processed: number;
  sent: number;
  delivered: number;
  hardBounces: number;
  softBounces: number;
  ignored: number;
  opens: number;
  uniqueOpens: number;
  machineOpens: number;
  clicks: number;
  uniqueClicks: number;
  unsubscribes: number;
  mirrorViews: number;
  complaints: number;
}

export interface ReportRates {
  deliveredRate: number | null;
  bounceRate: number | null;
  hardBounceRate: number | null;
  softBounceRate: number | null;
  openRate: number | null;
  clickThroughRate: number | null;
  reactivity: number | null;
  unsubscribeRate: number | null;
  complaintRate: number | null;
}

export interface HourlyRow {
  hour: string;
  sent: number;
  hardBounces: number;
  softBounces: number;
  opens: number;
  uniqueOpens: number;
  machineOpens: number;
  clicks: number;
  uniqueClicks: number;
  unsubscribes: number;
  mirrorViews: number;
  complaints: number;
}

export interface DomainRow {
  domain: string;
  targeted: number;
  sent: number;
  delivered: number;
  hardBounces: number;
  softBounces: number;
  uniqueOpens: number;
  uniqueClicks: number;
  openRate: number | null;
  clickThroughRate: number | null;
}

export interface DeviceRow {
  device: string;
  client: string;
  opens: number;
  machineOpens: number;
  clicks: number;
}

export interface LinkRow {
  linkId: number;
  label: string;
  category: string;
  url: string;
  clicks: number;
  uniqueClicks: number;
  /** This link's clicks / all clicks; null when there is no click at all. */
  share: number | null;
}

export interface BounceRow {
  failureType: string;
  reason: string;
  count: number;
}

export interface ExclusionRow {
  cause: string;
  count: number;
}

export interface DeliveryReport {
  deliveryId: number;
  label: string;
  state: string;
  startedAt: string | null;
  finishedAt: string | null;
  generatedAt: string;
  counts: ReportCounts;
  rates: ReportRates;
  hourly: HourlyRow[];
  domains: DomainRow[];
  devices: DeviceRow[];
  links: LinkRow[];
  bounces: BounceRow[];
  exclusions: ExclusionRow[];
}

export interface HotClicks {
  /** The delivery's HTML; every tracked link's href is `#ov-link-<linkId>`. */
  html: string;
  links: LinkRow[];
}

export interface DeliverySummary {
  deliveryId: number;
  label: string;
  state: string;
  startedAt: string | null;
  counts: ReportCounts;
  rates: ReportRates;
}

export interface DeliveriesReport {
  items: DeliverySummary[];
  totals: { counts: ReportCounts; rates: ReportRates };
}

export const TRACKING_KINDS = ['open', 'click', 'unsubscribe', 'mirror'] as const;
export type TrackingKind = (typeof TRACKING_KINDS)[number];

export interface TrackingEvent {
  id: number;
  deliveryId: number;
  deliveryLabel: string;
  kind: TrackingKind | string;
  linkId: number | null;
  linkLabel: string | null;
  url: string | null;
  machine: boolean;
  device: string;
  client: string;
  at: string;
}

export interface TrackingKey {
  id: string;
  createdAt: string;
  retiredAt: string | null;
  current: boolean;
}

/** The tables a delivery's report exports as CSV. */
export const REPORT_TABLES = ['summary', 'hourly', 'domains', 'devices', 'links', 'bounces', 'exclusions'] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

export interface RangeParams {
  /** RFC 3339; the server's default range is the last 90 days. */
  from?: string | null;
  to?: string | null;
  limit?: number;
}

const delivery = (id: number) => `${V1}/deliveries/${encodeURIComponent(id)}`;

/** The URL of one table of a delivery's report as CSV (a plain link: the session cookie goes along). */
export function reportCsvUrl(id: number, table: ReportTable): string {
  return `${delivery(id)}/report/${table}.csv`;
}

/** The URL of the report across deliveries as CSV. */
export function deliveriesCsvUrl({ from, to }: RangeParams = {}): string {
  return withQuery(`${V1}/reports/deliveries.csv`, { from, to });
}

export const reports = {
  delivery: (id: number, signal?: AbortSignal) => apiFetch<DeliveryReport>(`${delivery(id)}/report`, { signal }),
  hotClicks: (id: number, signal?: AbortSignal) => apiFetch<HotClicks>(`${delivery(id)}/hot-clicks`, { signal }),
  deliveries: ({ from, to, limit }: RangeParams = {}, signal?: AbortSignal) =>
    apiFetch<DeliveriesReport>(`${V1}/reports/deliveries`, { query: { from, to, limit }, signal }),
  profileTracking: (profileId: number, params: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    apiFetch<Page<TrackingEvent>>(`${V1}/profiles/${encodeURIComponent(profileId)}/tracking`, {
      query: { limit: params.limit ?? 50, cursor: params.cursor },
      signal,
    }),
};

export const trackingKeys = {
  list: (signal?: AbortSignal) => apiFetch<{ items: TrackingKey[] }>(`${V1}/tracking/keys`, { signal }),
  rotate: () => apiFetch<TrackingKey>(`${V1}/tracking/keys`, { method: 'POST' }),
};

export const REPORTS_KEY = ['reports'] as const;
