import { describe, expect, it } from 'vitest';

import type { DeliverySummary, DeviceRow } from './api';
import { activityOption, bouncesOption, clientsOption, deliveriesRatesOption, deviceSlices } from './charts';
import { activityData } from './series';

type Series = { name: string; type: string; data: unknown[] };

describe('chart options', () => {
  it('draws bars per hour and lines when cumulated', () => {
    const rows = [{
      hour: '2026-11-29T09:00:00Z', sent: 3, hardBounces: 0, softBounces: 0, opens: 2, uniqueOpens: 1, machineOpens: 1, clicks: 1,
      uniqueClicks: 1, unsubscribes: 0, mirrorViews: 0, complaints: 0,
    }];
    const bars = activityOption(activityData(rows, false), false) as { series: Series[] };
    expect(bars.series.map((s) => [s.name, s.type])).toEqual([['Opens', 'bar'], ['Unique opens', 'bar'], ['Machine opens', 'bar'], ['Clicks', 'bar']]);
    const lines = activityOption(activityData(rows, true), true) as { series: Series[] };
    expect(lines.series.every((s) => s.type === 'line')).toBe(true);
  });

  it('labels bounces by type and reason, the largest on top', () => {
    const o = bouncesOption([
      { failureType: 'hard', reason: 'unknown_user', count: 5 },
      { failureType: 'soft', reason: 'mailbox_full', count: 2 },
    ]) as { yAxis: { data: string[] }; series: Series[] };
    expect(o.yAxis.data).toEqual(['Soft bounce: mailbox_full', 'Hard bounce: unknown_user']);
    expect((o.series[0].data as { value: number }[]).map((d) => d.value)).toEqual([2, 5]);
  });

  const devices: DeviceRow[] = [
    { device: 'mobile', client: 'Gmail', opens: 5, machineOpens: 0, clicks: 2 },
    { device: 'mobile', client: 'Apple Mail', opens: 3, machineOpens: 0, clicks: 1 },
    { device: 'proxy', client: 'Apple Mail', opens: 0, machineOpens: 4, clicks: 0 },
    { device: 'desktop', client: '', opens: 0, machineOpens: 0, clicks: 1 },
  ];
  it('sums opens per device family for the pie, without empty slices', () => {
    expect(deviceSlices(devices)).toEqual([{ name: 'Mobile', value: 8 }, { name: 'Privacy proxy', value: 4 }]);
  });
  it('stacks opens, machine opens and clicks per client', () => {
    const o = clientsOption(devices) as { yAxis: { data: string[] }; series: Series[] };
    expect(o.yAxis.data).toEqual(['Unknown', 'Gmail', 'Apple Mail']);
    expect(o.series[1].data).toEqual([0, 0, 4]);
  });

  it('draws open and click rates per delivery as percentages, oldest first', () => {
    const d = (id: number, openRate: number | null): DeliverySummary => ({
      deliveryId: id, label: `D${id}`, state: 'finished', startedAt: null,
      counts: {} as DeliverySummary['counts'],
      rates: { openRate, clickThroughRate: 0.1234 } as DeliverySummary['rates'],
    });
    const o = deliveriesRatesOption([d(2, 0.5), d(1, null)]) as { xAxis: { data: string[] }; series: Series[] };
    expect(o.xAxis.data).toEqual(['D1', 'D2']);
    expect(o.series[0].data).toEqual([null, 50]);
    expect(o.series[1].data).toEqual([12.3, 12.3]);
  });
});
