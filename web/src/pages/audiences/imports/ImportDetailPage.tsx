// Profiles & audiences > Imports > one import: what was asked (file, resource, mode, keys,
// mapping) and how it went (ImportRun: live progress, counters, rejects, cancel).

import { Anchor, Breadcrumbs, Code, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';

import { imports } from '../../../api';
import { AccessRefused, isAccessRefused, LoadError } from '../../../components/ErrorAlert';
import { formatDateTime } from '../../../format';
import { delimiterLabel, formatBytes } from '../../../imports/wizard';
import { useSchema } from '../../../records/useSchema';
import { NotFoundPanel } from '../NotFoundPanel';
import { ImportRun, importKey } from './ImportRun';

export function ImportDetailPage() {
  const id = Number(useParams().id);
  const schema = useSchema();
  const query = useQuery({ queryKey: importKey(id), queryFn: ({ signal }) => imports.get(id, signal), enabled: Number.isInteger(id) && id > 0 });
  if (!Number.isInteger(id) || id <= 0) return <NotFoundPanel what="There is no such import." />;
  if (query.isError) {
    if (isAccessRefused(query.error)) return <AccessRefused needs="Imports need a role with access to data." error={query.error} />;
    if ((query.error as { status?: number }).status === 404) return <NotFoundPanel what={`There is no import ${id}.`} />;
    return <LoadError error={query.error} onRetry={() => query.refetch()} />;
  }
  const item = query.data;
  const resource = schema.data?.resources.find((r) => r.name === item?.resource);
  const label = (name: string) => resource?.fields.find((f) => f.name === name)?.label ?? resource?.links.find((l) => l.name === name)?.label ?? name;
  const header = item?.sniff?.hasHeader ? item.sniff.preview[0] ?? [] : [];

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to="/audiences/imports" size="sm">Imports</Anchor>
        <Text size="sm">{item?.fileName ?? `Import ${id}`}</Text>
      </Breadcrumbs>
      <Title order={3}>{item?.fileName ?? `Import ${id}`}</Title>
      {item ? (
        <Paper withBorder radius="md" p="md">
          <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
            <Info label="Into" value={resource?.pluralLabel ?? item.resource ?? '—'} />
            <Info label="File" value={`${formatBytes(item.fileBytes)}${item.sniff ? ` · ${delimiterLabel(item.request?.delimiter ?? item.sniff.delimiter)} · ${item.request?.encoding ?? item.sniff.encoding}${item.sniff.gzip ? ' · gzip' : ''}` : ''}`} />
            <Info label="Uploaded" value={`${formatDateTime(item.createdAt)} by ${item.createdBy}`} />
            <Info label="Ran" value={item.startedAt ? `${formatDateTime(item.startedAt)} → ${formatDateTime(item.finishedAt)}` : 'Not started'} />
            {item.request ? <Info label="Mode" value={item.request.mode} /> : null}
            {item.request ? <Info label="Key fields" value={item.request.keys.map(label).join(', ') || '—'} /> : null}
          </SimpleGrid>
          {item.request?.columns.length ? (
            <Table mt="md" verticalSpacing={4} aria-label="Mapping">
              <Table.Thead>
                <Table.Tr><Table.Th>Column</Table.Th><Table.Th>Into</Table.Th><Table.Th>Options</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {item.request.columns.map((c) => (
                  <Table.Tr key={c.source}>
                    <Table.Td><Text size="sm">{header[c.source] ?? `Column ${c.source + 1}`}</Text></Table.Td>
                    <Table.Td><Text size="sm">{label(c.target)}</Text></Table.Td>
                    <Table.Td>
                      <Group gap={6}>
                        {c.format ? <Code>{c.format}</Code> : null}
                        <Text size="xs" c="dimmed">
                          bad value: {c.onBadValue ?? 'reject'}{c.onBadValue === 'default' ? ` (${c.default ?? ''})` : ''}
                          {c.keepWhenEmpty === false ? ' · empty cell clears' : ' · empty cell keeps'}
                        </Text>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : null}
        </Paper>
      ) : null}
      {item ? <ImportRun id={id} /> : null}
    </Stack>
  );
}

function Info({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase">{label}</Text>
      <Text size="sm">{value}</Text>
    </Stack>
  );
}
