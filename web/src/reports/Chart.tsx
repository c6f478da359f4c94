// One ECharts chart. ECharts (about 400 KB) is imported on first use, in its own chunk, so pages
// without charts never load it. The chart follows its box's width and redraws when `option`
// changes; it shows a loader until ECharts has arrived.

import { Center, Loader, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';

import type { ChartOption } from './charts';

type EChartsModule = typeof import('./echarts');
type Instance = ReturnType<EChartsModule['init']>;

let loading: Promise<EChartsModule> | null = null;

function loadECharts(): Promise<EChartsModule> {
  loading ??= import('./echarts');
  return loading;
}

export function Chart({ option, height = 280, label, testId }: { option: ChartOption; height?: number; label: string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<Instance | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');

  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    loadECharts().then(
      (m) => {
        if (cancelled || !box.current) return;
        chart.current = m.init(box.current, undefined, { renderer: 'canvas' });
        observer = new ResizeObserver(() => chart.current?.resize());
        observer.observe(box.current);
        setState('ready');
      },
      () => {
        if (!cancelled) setState('failed');
      },
    );
    return () => {
      cancelled = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (state === 'ready') chart.current?.setOption(option, { notMerge: true });
  }, [state, option]);

  return (
    <div style={{ position: 'relative', height }} role="img" aria-label={label} data-testid={testId} data-ready={state === 'ready' ? 'true' : 'false'}>
      <div ref={box} style={{ position: 'absolute', inset: 0 }} />
      {state === 'loading' ? <Center h={height}><Loader size="sm" aria-label="Loading the chart" /></Center> : null}
      {state === 'failed' ? <Center h={height}><Text size="sm" c="red">The chart library could not be loaded. Reload the page to try again.</Text></Center> : null}
    </div>
  );
}
