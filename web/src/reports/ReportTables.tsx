// The tables of a delivery's report (domains, devices and clients, links, bounces, exclusion
// causes), each in a panel with its "Download CSV" link (GET …/report/{table}.csv: a plain link
// with the download attribute, the session cookie goes along) and an empty state that says what
// will appear there.

import { Anchor, Button, Group, Paper, Table, Text, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import type { ReactNode } from 'react';

import { causeLabel } from '../deliveries/state';
import { reportCsvUrl, type BounceRow, type DeviceRow, type DomainRow, type ExclusionRow, type LinkRow, type ReportTable } from './api';
import { deviceLabel, failureTypeLabel, formatNumber, formatPercent } from './format';
import { isPersonalized, shareText } from './hotclicks';

/** "Download CSV" for one table of a delivery's report. */
export function CsvLink({ deliveryId, table, label = 'Download CSV' }: { deliveryId: number; table: ReportTable; label?: string }) {
  return (
    <Button
      component="a"
      href={reportCsvUrl(deliveryId, table)}
      download={`delivery-${deliveryId}-${table}.csv`}
      size="xs"
      variant="default"
      leftSection={<IconDownload size={14} />}
      data-testid={`csv-${table}`}
      aria-label={`${label}: ${table}`}
    >
      {label}
    </Button>
  );
}

export function ReportPanel({ title, deliveryId, table, children, id }: {
  title: string;
  deliveryId: number;
  table: ReportTable;
  children: ReactNode;
  id?: string;
}) {
  return (
    <Paper withBorder radius="md" p="md" id={id} data-testid={`panel-${table}`}>
      <Group justify="space-between" mb="sm">
        <Title order={4}>{title}</Title>
        <CsvLink deliveryId={deliveryId} table={table} />
      </Group>
      {children}
    </Paper>
  );
}

export function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return <Text size="sm" c="dimmed" data-testid={testId}>{children}</Text>;
}

const Num = ({ children }: { children: ReactNode }) => <Table.Td ta="right">{children}</Table.Td>;
const NumTh = ({ children }: { children: ReactNode }) => <Table.Th ta="right">{children}</Table.Th>;

export function DomainsTable({ rows }: { rows: DomainRow[] }) {
  if (!rows.length) return <Empty>No recipient yet: the receiving domains appear here once the delivery is prepared.</Empty>;
  return (
    <Table.ScrollContainer minWidth={760} type="native">
      <Table striped verticalSpacing={4} aria-label="Domains">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Domain</Table.Th><NumTh>Targeted</NumTh><NumTh>Sent</NumTh><NumTh>Delivered</NumTh><NumTh>Hard</NumTh>
            <NumTh>Soft</NumTh><NumTh>Unique opens</NumTh><NumTh>Unique clicks</NumTh><NumTh>Open rate</NumTh><NumTh>CTR</NumTh>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.domain} data-domain={r.domain}>
              <Table.Td>{r.domain || '(none)'}</Table.Td>
              <Num>{formatNumber(r.targeted)}</Num><Num>{formatNumber(r.sent)}</Num><Num>{formatNumber(r.delivered)}</Num>
              <Num>{formatNumber(r.hardBounces)}</Num><Num>{formatNumber(r.softBounces)}</Num>
              <Num>{formatNumber(r.uniqueOpens)}</Num><Num>{formatNumber(r.uniqueClicks)}</Num>
              <Num>{formatPercent(r.openRate)}</Num><Num>{formatPercent(r.clickThroughRate)}</Num>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function DevicesTable({ rows }: { rows: DeviceRow[] }) {
  return (
    <Table striped verticalSpacing={4} aria-label="Devices and clients">
      <Table.Thead>
        <Table.Tr><Table.Th>Device</Table.Th><Table.Th>Client</Table.Th><NumTh>Opens</NumTh><NumTh>Machine opens</NumTh><NumTh>Clicks</NumTh></Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={`${r.device}/${r.client}`}>
            <Table.Td>{deviceLabel(r.device)}</Table.Td><Table.Td>{r.client || 'Unknown'}</Table.Td>
            <Num>{formatNumber(r.opens)}</Num><Num>{formatNumber(r.machineOpens)}</Num><Num>{formatNumber(r.clicks)}</Num>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function LinksTable({ rows }: { rows: LinkRow[] }) {
  if (!rows.length) return <Empty>This message has no tracked link.</Empty>;
  return (
    <Table.ScrollContainer minWidth={720} type="native">
      <Table striped verticalSpacing={4} aria-label="Links">
        <Table.Thead>
          <Table.Tr><Table.Th>#</Table.Th><Table.Th>Label</Table.Th><Table.Th>Category</Table.Th><Table.Th>URL</Table.Th><NumTh>Clicks</NumTh><NumTh>Unique clicks</NumTh><NumTh>Share</NumTh></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.linkId} data-link={r.linkId}>
              <Table.Td>{r.linkId}</Table.Td>
              <Table.Td>{r.label || '—'}</Table.Td>
              <Table.Td>{r.category || '—'}</Table.Td>
              <Table.Td maw={320}>
                {!isPersonalized(r.url) ? <Anchor href={r.url} target="_blank" rel="noopener noreferrer" size="sm" style={{ wordBreak: 'break-all' }}>{r.url}</Anchor> : <Text size="sm" c="dimmed">personalized</Text>}
              </Table.Td>
              <Num>{formatNumber(r.clicks)}</Num><Num>{formatNumber(r.uniqueClicks)}</Num><Num>{shareText(r.share)}</Num>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function BouncesTable({ rows }: { rows: BounceRow[] }) {
  return (
    <Table striped verticalSpacing={4} aria-label="Bounces">
      <Table.Thead>
        <Table.Tr><Table.Th>Type</Table.Th><Table.Th>Reason</Table.Th><NumTh>Messages</NumTh></Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={`${r.failureType}/${r.reason}`} data-reason={r.reason}>
            <Table.Td>{failureTypeLabel(r.failureType)}</Table.Td><Table.Td>{r.reason || 'unknown'}</Table.Td><Num>{formatNumber(r.count)}</Num>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ExclusionsTable({ rows: all }: { rows: ExclusionRow[] }) {
  // The server lists every cause the preparation applied, most with 0; the CSV keeps them all.
  const rows = all.filter((r) => r.count > 0);
  if (!rows.length) return <Empty>Nobody was excluded at preparation.</Empty>;
  return (
    <Table striped verticalSpacing={4} aria-label="Exclusion causes" maw={560}>
      <Table.Thead>
        <Table.Tr><Table.Th>Cause</Table.Th><NumTh>Profiles</NumTh></Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.cause} data-cause={r.cause}>
            <Table.Td>{causeLabel(r.cause)}</Table.Td><Num>{formatNumber(r.count)}</Num>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
