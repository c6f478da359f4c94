// The report and tracking routes and shapes the UI relies on must match docs/openapi.yaml (the
// server's contract), as src/api/openapi.test.ts does for the rest of the client. Each
// `Record<keyof T, true>` must name exactly the fields of T (tsc rejects a missing or extra one).

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { REPORT_TABLES, TRACKING_KINDS } from './api';
import type {
  BounceRow, DeliveriesReport, DeliveryReport, DeliverySummary, DeviceRow, DomainRow, ExclusionRow, HotClicks, HourlyRow,
  LinkRow, ReportCounts, ReportRates, TrackingEvent,
} from './api';

const found = import.meta.glob<string>('../../../docs/openapi.yaml', { query: '?raw', import: 'default', eager: true });
const SPEC_TEXT = Object.values(found)[0];

type Schema = { properties?: Record<string, Schema>; items?: Schema; enum?: string[]; $ref?: string };

const counts = {
  targeted: true, excluded: true, processed: true, sent: true, delivered: true, hardBounces: true, softBounces: true, ignored: true,
  opens: true, uniqueOpens: true, machineOpens: true, clicks: true, uniqueClicks: true, unsubscribes: true, mirrorViews: true,
  complaints: true,
} satisfies Record<keyof ReportCounts, true>;
const rates = {
  deliveredRate: true, bounceRate: true, hardBounceRate: true, softBounceRate: true, openRate: true, clickThroughRate: true,
  reactivity: true, unsubscribeRate: true, complaintRate: true,
} satisfies Record<keyof ReportRates, true>;
const link = { linkId: true, label: true, category: true, url: true, clicks: true, uniqueClicks: true, share: true } satisfies Record<keyof LinkRow, true>;
const report = {
  deliveryId: true, label: true, state: true, startedAt: true, finishedAt: true, generatedAt: true, counts: true, rates: true,
  hourly: true, domains: true, devices: true, links: true, bounces: true, exclusions: true,
} satisfies Record<keyof DeliveryReport, true>;
const hourly = {
  hour: true, sent: true, hardBounces: true, softBounces: true, opens: true, uniqueOpens: true, machineOpens: true, clicks: true,
  uniqueClicks: true, unsubscribes: true, mirrorViews: true, complaints: true,
} satisfies Record<keyof HourlyRow, true>;
const domain = {
  domain: true, targeted: true, sent: true, delivered: true, hardBounces: true, softBounces: true, uniqueOpens: true,
  uniqueClicks: true, openRate: true, clickThroughRate: true,
} satisfies Record<keyof DomainRow, true>;
const device = { device: true, client: true, opens: true, machineOpens: true, clicks: true } satisfies Record<keyof DeviceRow, true>;
const bounce = { failureType: true, reason: true, count: true } satisfies Record<keyof BounceRow, true>;
const exclusion = { cause: true, count: true } satisfies Record<keyof ExclusionRow, true>;
const hot = { html: true, links: true } satisfies Record<keyof HotClicks, true>;
const many = { items: true, totals: true } satisfies Record<keyof DeliveriesReport, true>;
const summary = { deliveryId: true, label: true, state: true, startedAt: true, counts: true, rates: true } satisfies Record<keyof DeliverySummary, true>;
const event = {
  id: true, deliveryId: true, deliveryLabel: true, kind: true, linkId: true, linkLabel: true, url: true, machine: true, device: true,
  client: true, at: true,
} satisfies Record<keyof TrackingEvent, true>;

describe.skipIf(!SPEC_TEXT)('reports and tracking match docs/openapi.yaml', () => {
  const spec = SPEC_TEXT ? parse(SPEC_TEXT) : null;
  const paths = (spec?.paths ?? {}) as Record<string, { parameters?: { name?: string; schema?: Schema }[] }>;
  const schemas = (spec?.components?.schemas ?? {}) as Record<string, Schema>;
  const keys = (s: Schema | undefined) => Object.keys(s?.properties ?? {}).sort();
  const sorted = (o: object) => Object.keys(o).sort();

  it('declares every route the reports UI calls', () => {
    for (const p of ['/api/v1/deliveries/{id}/report', '/api/v1/deliveries/{id}/hot-clicks', '/api/v1/reports/deliveries',
      '/api/v1/reports/deliveries.csv', '/api/v1/profiles/{id}/tracking', '/api/v1/tracking/keys']) {
      expect(Object.keys(paths)).toContain(p);
    }
  });

  it('declares the CSV of every table', () => {
    const named = REPORT_TABLES.every((t) => `/api/v1/deliveries/{id}/report/${t}.csv` in paths);
    const file = paths['/api/v1/deliveries/{id}/report/{file}']?.parameters?.find((p) => p.name === 'file');
    const listed = [...(file?.schema?.enum ?? [])].sort();
    expect(named || listed.join() === REPORT_TABLES.map((t) => `${t}.csv`).sort().join(), `file names: ${listed.join(', ')}`).toBe(true);
  });

  it('has the same fields', () => {
    const r = schemas.DeliveryReport;
    expect(keys(schemas.ReportCounts)).toEqual(sorted(counts));
    expect(keys(schemas.ReportRates)).toEqual(sorted(rates));
    expect(keys(schemas.ReportLink)).toEqual(sorted(link));
    expect(keys(r)).toEqual(sorted(report));
    expect(keys(r?.properties?.hourly?.items)).toEqual(sorted(hourly));
    expect(keys(r?.properties?.domains?.items)).toEqual(sorted(domain));
    expect(keys(r?.properties?.devices?.items)).toEqual(sorted(device));
    expect(keys(r?.properties?.bounces?.items)).toEqual(sorted(bounce));
    expect(keys(r?.properties?.exclusions?.items)).toEqual(sorted(exclusion));
    expect(keys(schemas.HotClicks)).toEqual(sorted(hot));
    expect(keys(schemas.DeliveriesReport)).toEqual(sorted(many));
    expect(keys(schemas.DeliveriesReport?.properties?.items?.items)).toEqual(sorted(summary));
    expect(keys(schemas.TrackingEvent)).toEqual(sorted(event));
  });

  it('has the same tracking event kinds', () => {
    expect([...(schemas.TrackingEvent?.properties?.kind?.enum ?? [])].sort()).toEqual([...TRACKING_KINDS].sort());
  });
});
