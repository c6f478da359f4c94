// /messages/:id/report: a delivery's report (GET /deliveries/{id}/report, docs/reports.md). The
// KPI cards with their formulas, the counts, opens and clicks over time (per hour or cumulated),
// bounces by reason, devices and clients, the hot-clicks view, and the links, domains and
// exclusion tables, each with its CSV. Refreshed every 10 s while the delivery is sending.

import {
  Anchor, Breadcrumbs, Button, Center, Grid, Group, Loader, Paper, SegmentedControl, SimpleGrid, Stack, Text, Title,
} from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';

import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { StateBadge } from '../../deliveries/StateBadge';
import { formatDateTime } from '../../format';
import { REPORTS_KEY, reports, type DeliveryReport } from '../../reports/api';
import { activityOption, bouncesOption, clientsOption, devicesOption } from '../../reports/charts';
import { Chart } from '../../reports/Chart';
import { formatNumber } from '../../reports/format';
import { HotClicks } from '../../reports/HotClicks';
import { KpiCards } from '../../reports/KpiCards';
import {
  BouncesTable, CsvLink, DevicesTable, DomainsTable, Empty, ExclusionsTable, LinksTable, ReportPanel,
} from '../../reports/ReportTables';
import { activityData, hasActivity } from '../../reports/series';
import { NotFoundPanel } from '../audiences/NotFoundPanel';

/** The report refreshes this often while the delivery sends. */
const REFRESH_MS = 10_000;

export function DeliveryReportPage() {
  const { id: param = '' } = useParams();
  const id = Number(param);
  const query = useQuery({
    queryKey: [...REPORTS_KEY, 'delivery', id],
    queryFn: ({ signal }) => reports.delivery(id, signal),
    retry: false,
    refetchInterval: (q) => (q.state.data?.state === 'sending' ? REFRESH_MS : false),
  });

  if (query.isPending) return <Center py="xl"><Loader aria-label="Loading the report" /></Center>;
  if (query.isError) {
    if (isAccessRefused(query.error)) return <AccessRefused needs="Reports need a role with access to data." error={query.error} />;
    if ((query.error as { status?: number }).status === 404) return <NotFoundPanel what={`There is no delivery #${param}.`} back="/reports" />;
    return <LoadError error={query.error} onRetry={() => query.refetch()} />;
  }
  return <ReportView report={query.data} refreshing={query.isFetching} onRefresh={() => query.refetch()} />;
}

function Count({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div data-testid={testId}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={600}>{formatNumber(value)}</Text>
    </div>
  );
}

function ReportView({ report, refreshing, onRefresh }: { report: DeliveryReport; refreshing: boolean; onRefresh: () => void }) {
  const id = report.deliveryId;
  const c = report.counts;
  const [view, setView] = useState<'hourly' | 'cumulative'>('hourly');
  const activity = useMemo(() => activityOption(activityData(report.hourly, view === 'cumulative'), view === 'cumulative'), [report.hourly, view]);
  const bounces = useMemo(() => bouncesOption(report.bounces), [report.bounces]);
  const devices = useMemo(() => devicesOption(report.devices), [report.devices]);
  const clients = useMemo(() => clientsOption(report.devices), [report.devices]);
  const sending = report.state === 'sending';

  return (
    <Stack gap="md" data-testid="delivery-report" data-generated={report.generatedAt}>
      <Breadcrumbs>
        <Anchor component={Link} to="/messages" size="sm">Messages</Anchor>
        <Anchor component={Link} to={`/messages/${id}`} size="sm">{report.label}</Anchor>
        <Text size="sm">Report</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Stack gap={2}>
          <Group gap="xs">
            <Title order={2}>Report: {report.label}</Title>
            <StateBadge state={report.state} size="lg" testId="report-state" />
          </Group>
          <Text size="sm" c="dimmed">
            Email #{id} · {report.startedAt ? `started ${formatDateTime(report.startedAt)}` : 'not started'}
            {report.finishedAt ? ` · ended ${formatDateTime(report.finishedAt)}` : ''} · figures of {formatDateTime(report.generatedAt)}
            {sending ? ' · refreshed every 10 s while sending' : ''}
          </Text>
        </Stack>
        <Group gap="xs">
          <CsvLink deliveryId={id} table="summary" label="Summary CSV" />
          <Button size="xs" variant="default" leftSection={<IconRefresh size={14} />} loading={refreshing} onClick={onRefresh}>Refresh</Button>
        </Group>
      </Group>

      <KpiCards counts={c} rates={report.rates} />

      <Paper withBorder radius="md" p="sm" data-testid="counts">
        <SimpleGrid cols={{ base: 3, sm: 6, lg: 11 }} spacing="xs">
          <Count label="Targeted" value={c.targeted} testId="count-targeted" />
          <Count label="Excluded" value={c.excluded} testId="count-excluded" />
          <Count label="Processed" value={c.processed} testId="count-processed" />
          <Count label="Sent" value={c.sent} testId="count-sent" />
          <Count label="Delivered" value={c.delivered} testId="count-delivered" />
          <Count label="Opens" value={c.opens} testId="count-opens" />
          <Count label="Machine opens" value={c.machineOpens} testId="count-machineOpens" />
          <Count label="Clicks" value={c.clicks} testId="count-clicks" />
          <Count label="Unsubscribes" value={c.unsubscribes} testId="count-unsubscribes" />
          <Count label="Mirror views" value={c.mirrorViews} testId="count-mirrorViews" />
          <Count label="Complaints" value={c.complaints} testId="count-complaints" />
        </SimpleGrid>
      </Paper>

      <ReportPanel title="Opens and clicks over time" deliveryId={id} table="hourly">
        {hasActivity(report.hourly) ? (
          <Stack gap="xs">
            <SegmentedControl
              size="xs"
              w={240}
              aria-label="Opens and clicks view"
              value={view}
              onChange={(v) => setView(v as 'hourly' | 'cumulative')}
              data={[{ value: 'hourly', label: 'Per hour' }, { value: 'cumulative', label: 'Cumulative' }]}
            />
            <Chart option={activity} height={300} label="Opens and clicks over time" testId="chart-activity" />
          </Stack>
        ) : (
          <Empty testId="activity-empty">No opens yet: opens appear here within seconds of the first recipient opening the message.</Empty>
        )}
      </ReportPanel>

      <Grid gutter="md">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <ReportPanel title="Bounces by reason" deliveryId={id} table="bounces">
            {report.bounces.length ? (
              <Stack gap="xs">
                <Chart option={bounces} height={Math.max(160, 40 + 32 * report.bounces.length)} label="Bounces by reason" testId="chart-bounces" />
                <BouncesTable rows={report.bounces} />
              </Stack>
            ) : (
              <Empty testId="bounces-empty">No bounce: hard bounces and soft bounces (once their retries are over) appear here by reason.</Empty>
            )}
          </ReportPanel>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <ReportPanel title="Devices and clients" deliveryId={id} table="devices">
            {report.devices.length ? (
              <Stack gap="xs">
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <Chart option={devices} height={240} label="Opens by device" testId="chart-devices" />
                  <Chart option={clients} height={240} label="Opens and clicks by client" testId="chart-clients" />
                </SimpleGrid>
                <DevicesTable rows={report.devices} />
              </Stack>
            ) : (
              <Empty testId="devices-empty">No opens or clicks yet: the devices and mail clients of the recipients appear here as they open and click.</Empty>
            )}
          </ReportPanel>
        </Grid.Col>
      </Grid>

      <HotClicks deliveryId={id} revision={`${c.clicks}`} />

      <ReportPanel title="Links" deliveryId={id} table="links" id="report-links">
        <LinksTable rows={report.links} />
      </ReportPanel>
      <ReportPanel title="Receiving domains" deliveryId={id} table="domains">
        <DomainsTable rows={report.domains} />
      </ReportPanel>
      <ReportPanel title="Exclusion causes" deliveryId={id} table="exclusions">
        <ExclusionsTable rows={report.exclusions} />
      </ReportPanel>
    </Stack>
  );
}
