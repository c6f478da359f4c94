// /reports: the deliveries started in a date range with their KPIs (GET /reports/deliveries,
// newest first), the totals row, a chart of open and click rates per delivery, and the CSV of the
// same (one row per delivery and a "Total" row). The range defaults to the last 90 days; the
// "to" day is included (sent as the next day's midnight, the server's bound being exclusive).

import { Anchor, Button, Group, Paper, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDownload } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';

import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { SortableTh, useSort } from '../../components/SortableTable';
import { StateBadge } from '../../deliveries/StateBadge';
import { formatDateTime } from '../../format';
import { REPORTS_KEY, deliveriesCsvUrl, reports, type DeliverySummary, type ReportCounts, type ReportRates } from '../../reports/api';
import { deliveriesRatesOption } from '../../reports/charts';
import { Chart } from '../../reports/Chart';
import { dayStart, formatNumber, formatPercent, localDay, nextDay } from '../../reports/format';

type SortKey = 'label' | 'startedAt' | 'sent' | 'delivered' | 'openRate' | 'clickThroughRate' | 'bounceRate' | 'unsubscribeRate';

function sortValue(d: DeliverySummary, key: SortKey): unknown {
  switch (key) {
    case 'label': return d.label;
    case 'startedAt': return d.startedAt;
    case 'sent': return d.counts.sent;
    case 'delivered': return d.counts.delivered;
    default: return d.rates[key];
  }
}

/** A rate, with the count behind it in a tooltip. */
function Rate({ rate, count, what }: { rate: number | null; count: number; what: string }) {
  return (
    <Table.Td ta="right">
      <Tooltip label={`${formatNumber(count)} ${what}`} withArrow>
        <span>{formatPercent(rate)}</span>
      </Tooltip>
    </Table.Td>
  );
}

function Figures({ counts, rates }: { counts: ReportCounts; rates: ReportRates }) {
  return (
    <>
      <Table.Td ta="right">{formatNumber(counts.sent)}</Table.Td>
      <Table.Td ta="right">{formatNumber(counts.delivered)}</Table.Td>
      <Rate rate={rates.openRate} count={counts.uniqueOpens} what="unique opens" />
      <Rate rate={rates.clickThroughRate} count={counts.uniqueClicks} what="unique clicks" />
      <Rate rate={rates.reactivity} count={counts.uniqueClicks} what="unique clicks" />
      <Rate rate={rates.bounceRate} count={counts.hardBounces + counts.softBounces} what="bounces" />
      <Rate rate={rates.unsubscribeRate} count={counts.unsubscribes} what="unsubscribes" />
    </>
  );
}

export function ReportsPage() {
  const today = new Date();
  const [from, setFrom] = useState(() => localDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 90)));
  const [to, setTo] = useState(() => localDay(today));
  const [fromDay] = useDebouncedValue(from, 300);
  const [toDay] = useDebouncedValue(to, 300);
  const range = { from: dayStart(fromDay), to: toDay ? dayStart(nextDay(toDay)) : null };
  const query = useQuery({
    queryKey: [...REPORTS_KEY, 'deliveries', range.from, range.to],
    queryFn: ({ signal }) => reports.deliveries({ from: range.from, to: range.to, limit: 200 }, signal),
    retry: false,
    placeholderData: keepPreviousData,
  });
  const items = query.data?.items ?? [];
  const { sorted, sort, toggle } = useSort<DeliverySummary, SortKey>(items, { key: 'startedAt', dir: 'desc' }, sortValue);
  const chart = useMemo(() => deliveriesRatesOption(items), [query.data]);
  const th = (key: SortKey, label: string) => <SortableTh sortKey={key} sort={sort} onSort={toggle}>{label}</SortableTh>;

  if (query.isError && isAccessRefused(query.error)) return <AccessRefused needs="Reports need a role with access to data." error={query.error} />;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Stack gap={2}>
          <Title order={2}>Reports</Title>
          <Text size="sm" c="dimmed">Deliveries started in the range, with their opens, clicks, bounces and unsubscribes. Open one for its full report.</Text>
        </Stack>
        <Group align="flex-end">
          <TextInput type="date" label="Started from" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={170} />
          <TextInput type="date" label="Started until" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={170} />
          <Button
            component="a"
            href={deliveriesCsvUrl({ from: range.from, to: range.to })}
            download="deliveries-report.csv"
            variant="default"
            leftSection={<IconDownload size={16} />}
            data-testid="csv-deliveries"
          >
            Download CSV
          </Button>
        </Group>
      </Group>

      {query.isError ? <LoadError error={query.error} onRetry={() => query.refetch()} /> : null}

      <Paper withBorder radius="md" p="md">
        <Title order={4} mb="sm">Open and click rates per delivery</Title>
        {items.length ? (
          <Chart option={chart} height={300} label="Open and click rates per delivery" testId="chart-deliveries" />
        ) : (
          <Text size="sm" c="dimmed">{query.isPending ? 'Loading…' : 'No delivery started in this range: deliveries appear here once they start sending.'}</Text>
        )}
      </Paper>

      <Paper withBorder radius="md" p="md">
        <Table.ScrollContainer minWidth={900} type="native">
          <Table striped highlightOnHover verticalSpacing={4} aria-label="Deliveries report">
            <Table.Thead>
              <Table.Tr>
                {th('label', 'Delivery')}
                {th('startedAt', 'Started')}
                {th('sent', 'Sent')}
                {th('delivered', 'Delivered')}
                {th('openRate', 'Opens')}
                {th('clickThroughRate', 'CTR')}
                <Table.Th ta="right"><Tooltip label="Reactivity: unique clicks / unique opens" withArrow><span>React.</span></Tooltip></Table.Th>
                {th('bounceRate', 'Bounces')}
                {th('unsubscribeRate', 'Unsub.')}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sorted.map((d) => (
                <Table.Tr key={d.deliveryId} data-delivery={d.deliveryId}>
                  <Table.Td>
                    <Anchor component={Link} to={`/messages/${d.deliveryId}/report`} size="sm" display="block">{d.label}</Anchor>
                    <StateBadge state={d.state} size="xs" />
                  </Table.Td>
                  <Table.Td><Text size="sm" style={{ whiteSpace: 'nowrap' }}>{formatDateTime(d.startedAt)}</Text></Table.Td>
                  <Figures counts={d.counts} rates={d.rates} />
                </Table.Tr>
              ))}
              {!query.isPending && items.length === 0 ? (
                <Table.Tr><Table.Td colSpan={9}><Text size="sm" c="dimmed" ta="center">No delivery started in this range.</Text></Table.Td></Table.Tr>
              ) : null}
            </Table.Tbody>
            {query.data && items.length ? (
              <Table.Tfoot>
                <Table.Tr data-testid="totals" fw={700}>
                  <Table.Td>Total ({items.length} {items.length === 1 ? 'delivery' : 'deliveries'})</Table.Td>
                  <Table.Td />
                  <Figures counts={query.data.totals.counts} rates={query.data.totals.rates} />
                </Table.Tr>
              </Table.Tfoot>
            ) : null}
          </Table>
        </Table.ScrollContainer>
      </Paper>
    </Stack>
  );
}
