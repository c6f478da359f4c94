// What a preparation found: the totals, the exclusion causes as a table and a horizontal bar
// chart (plain CSS bars), the warnings and the blocking errors.

import { Alert, Group, List, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconBan } from '@tabler/icons-react';

import { formatDateTime } from '../format';
import type { Preparation } from './api';
import { causeLabel, formatCount } from './state';

function Stat({ label, value, color }: { label: string; value: string; color?: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{label}</Text>
      <Text size="xl" fw={700} c={color}>{value}</Text>
    </Paper>
  );
}

export function ExclusionChart({ excluded, total }: { excluded: Preparation['excluded']; total: number }) {
  const max = Math.max(1, ...excluded.map((e) => e.count));
  return (
    <Stack gap={6} role="img" aria-label="Exclusions by cause" data-testid="exclusion-chart">
      {excluded.map((e) => (
        <Group key={e.cause} gap="xs" wrap="nowrap">
          <Text size="xs" w={200} ta="right" truncate>{causeLabel(e.cause)}</Text>
          <div style={{ flex: 1, background: 'var(--mantine-color-gray-1)', borderRadius: 3, height: 14 }}>
            <div
              style={{
                width: `${(e.count / max) * 100}%`, minWidth: e.count ? 2 : 0, height: '100%', borderRadius: 3,
                background: 'var(--mantine-color-orange-5)',
              }}
            />
          </div>
          <Text size="xs" w={90}>
            {formatCount(e.count)}
            {total > 0 ? <Text span size="xs" c="dimmed"> ({((e.count / total) * 100).toFixed(1)}%)</Text> : null}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

export function PreparationReport({ preparation }: { preparation: Preparation }) {
  const excludedTotal = preparation.excluded.reduce((n, e) => n + e.count, 0);
  const excluded = preparation.excluded.filter((e) => e.count > 0);
  const idle = preparation.excluded.filter((e) => e.count === 0);
  return (
    <Stack gap="md" data-testid="preparation-report">
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Stat label="Target" value={formatCount(preparation.total)} />
        <Stat label="To send" value={formatCount(preparation.toSend)} color="teal" />
        <Stat label="Excluded" value={formatCount(excludedTotal)} color={excludedTotal ? 'orange' : undefined} />
      </SimpleGrid>
      {preparation.errors.length ? (
        <Alert color="red" variant="light" icon={<IconBan size={18} />} title="Blocking errors: the delivery went back to draft" data-testid="preparation-errors">
          <List size="sm">{preparation.errors.map((e, i) => <List.Item key={i}>{e}</List.Item>)}</List>
          <Text size="sm" mt={6}>Fix them in the steps above, then prepare again.</Text>
        </Alert>
      ) : null}
      {preparation.warnings.length ? (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Warnings" data-testid="preparation-warnings">
          <List size="sm">{preparation.warnings.map((w, i) => <List.Item key={i}>{w}</List.Item>)}</List>
        </Alert>
      ) : null}
      <div>
        <Title order={5} mb="xs">Exclusions</Title>
        {excluded.length === 0 ? (
          <Text size="sm" c="dimmed">Nobody was excluded.</Text>
        ) : (
          <Stack gap="md">
            <ExclusionChart excluded={excluded} total={preparation.total} />
            <Table withTableBorder striped aria-label="Exclusion causes" maw={560}>
              <Table.Thead>
                <Table.Tr><Table.Th>Cause</Table.Th><Table.Th ta="right">Profiles</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {excluded.map((e) => (
                  <Table.Tr key={e.cause} data-cause={e.cause}>
                    <Table.Td>{causeLabel(e.cause)}</Table.Td>
                    <Table.Td ta="right">{formatCount(e.count)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        )}
      </div>
      {idle.length ? (
        <Text size="xs" c="dimmed">Checked, nobody excluded: {idle.map((e) => causeLabel(e.cause)).join(', ')}.</Text>
      ) : null}
      {preparation.preparedAt ? <Text size="xs" c="dimmed">Prepared {formatDateTime(preparation.preparedAt)}</Text> : null}
    </Stack>
  );
}
