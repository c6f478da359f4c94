// The ECharts options of the report charts, built from the report's JSON without touching ECharts
// itself (only its option type), so that they are plain data and testable: opens and clicks over
// time, bounces by reason, opens by device and by client, and open and click rates per delivery.

import type { EChartsCoreOption } from 'echarts/core';

import type { BounceRow, DeliverySummary, DeviceRow } from './api';
import { deviceLabel, failureTypeLabel } from './format';
import type { ActivityData } from './series';

export type ChartOption = EChartsCoreOption;

const COLORS: Record<string, string> = {
  opens: '#228be6',
  uniqueOpens: '#15aabf',
  machineOpens: '#adb5bd',
  clicks: '#7048e8',
  hard: '#e03131',
  soft: '#f08c00',
  ignored: '#fab005',
  openRate: '#228be6',
  clickThroughRate: '#7048e8',
};

const GRID = { left: 48, right: 24, top: 40, bottom: 40, containLabel: true };

/** Opens, unique opens, machine opens and clicks: bars per hour, or lines of running totals. */
export function activityOption(data: ActivityData, cumulated: boolean): ChartOption {
  return {
    animation: false,
    color: data.series.map((s) => COLORS[s.key] ?? '#868e96'),
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: GRID,
    xAxis: { type: 'category', data: data.labels, boundaryGap: !cumulated },
    yAxis: { type: 'value', minInterval: 1 },
    series: data.series.map((s) => ({
      name: s.label,
      type: cumulated ? 'line' : 'bar',
      data: s.values,
      ...(cumulated ? { smooth: false, symbolSize: 4 } : { barMaxWidth: 18 }),
    })),
  };
}

/** Final failures by reason, a horizontal bar per (type, reason), coloured by type. */
export function bouncesOption(rows: BounceRow[]): ChartOption {
  const sorted = [...rows].sort((a, b) => a.count - b.count);
  return {
    animation: false,
    tooltip: { trigger: 'item' },
    grid: { ...GRID, top: 16 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: sorted.map((r) => `${failureTypeLabel(r.failureType)}: ${r.reason || 'unknown'}`) },
    series: [{
      name: 'Messages',
      type: 'bar',
      barMaxWidth: 18,
      data: sorted.map((r) => ({ value: r.count, itemStyle: { color: COLORS[r.failureType] ?? '#868e96' } })),
    }],
  };
}

/** Opens (human and machine) per device family, summed over clients: the pie's slices, largest first. */
export function deviceSlices(rows: DeviceRow[]): { name: string; value: number }[] {
  const byDevice = new Map<string, number>();
  for (const r of rows) {
    const name = deviceLabel(r.device);
    byDevice.set(name, (byDevice.get(name) ?? 0) + r.opens + r.machineOpens);
  }
  return [...byDevice.entries()].map(([name, value]) => ({ name, value })).filter((s) => s.value > 0).sort((a, b) => b.value - a.value);
}

export function devicesOption(rows: DeviceRow[]): ChartOption {
  return {
    animation: false,
    tooltip: { trigger: 'item', formatter: '{b}: {c} opens ({d}%)' },
    legend: { bottom: 0 },
    series: [{
      name: 'Opens by device', type: 'pie', radius: ['35%', '65%'], center: ['50%', '45%'], data: deviceSlices(rows),
      label: { show: false },
    }],
  };
}

/** Opens, machine opens and clicks per client (Gmail, Apple Mail, ...), stacked horizontal bars. */
export function clientsOption(rows: DeviceRow[]): ChartOption {
  const byClient = new Map<string, { opens: number; machineOpens: number; clicks: number }>();
  for (const r of rows) {
    const name = r.client || 'Unknown';
    const have = byClient.get(name) ?? { opens: 0, machineOpens: 0, clicks: 0 };
    have.opens += r.opens;
    have.machineOpens += r.machineOpens;
    have.clicks += r.clicks;
    byClient.set(name, have);
  }
  const names = [...byClient.keys()].sort((a, b) => {
    const x = byClient.get(a)!;
    const y = byClient.get(b)!;
    return x.opens + x.machineOpens + x.clicks - (y.opens + y.machineOpens + y.clicks);
  });
  const series = (key: 'opens' | 'machineOpens' | 'clicks', name: string) => ({
    name, type: 'bar', stack: 'all', barMaxWidth: 18, data: names.map((n) => byClient.get(n)![key]),
  });
  return {
    animation: false,
    color: [COLORS.opens, COLORS.machineOpens, COLORS.clicks],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, itemWidth: 14, textStyle: { fontSize: 11 } },
    grid: { ...GRID, left: 8, top: 52 },
    xAxis: { type: 'value', minInterval: 1, splitNumber: 3 },
    yAxis: { type: 'category', data: names },
    series: [series('opens', 'Opens'), series('machineOpens', 'Machine opens'), series('clicks', 'Clicks')],
  };
}

/** Rates as percentages with one decimal for the chart (null stays a gap). */
function pct(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 1000) / 10;
}

/** Open rate and click-through rate per delivery, oldest on the left. */
export function deliveriesRatesOption(items: DeliverySummary[]): ChartOption {
  const ordered = [...items].reverse();
  return {
    animation: false,
    color: [COLORS.openRate, COLORS.clickThroughRate],
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v === null || v === undefined || v === '-' ? '–' : `${v}%`) },
    legend: { top: 0 },
    grid: { ...GRID, bottom: 60 },
    xAxis: {
      type: 'category',
      data: ordered.map((d) => d.label),
      axisLabel: { interval: 0, rotate: ordered.length > 6 ? 30 : 0, width: 120, overflow: 'truncate' },
    },
    yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    series: [
      { name: 'Open rate', type: 'bar', barMaxWidth: 24, data: ordered.map((d) => pct(d.rates.openRate)) },
      { name: 'Click-through rate', type: 'bar', barMaxWidth: 24, data: ordered.map((d) => pct(d.rates.clickThroughRate)) },
    ],
  };
}
