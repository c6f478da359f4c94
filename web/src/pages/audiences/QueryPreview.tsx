// The preview grid of a query or an audience: the first rows (20) with the columns chosen in the
// column chooser (remembered per browser), each row opening its record.

import { Anchor, Group, Loader, Paper, Table, Text, Title } from '@mantine/core';
import { useQuery, type QueryKey } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router';

import type { PreviewResult, ResourceDef } from '../../api';
import { LoadError } from '../../components/ErrorAlert';
import { loadColumns, saveColumns } from '../../records/columns';
import { formFields, formatValue, recordHref, recordTitle } from '../../records/fields';
import { ValueCell } from '../../records/ValueCell';
import { ColumnChooser } from './ColumnChooser';

const COLUMNS_KEY = 'overture.audiences.preview.columns';
const DEFAULT_COLUMNS = ['email', 'firstName', 'lastName', 'country'];
export const PREVIEW_ROWS = 20;

interface Props {
  resource: ResourceDef;
  /** Identifies what is previewed (the columns are added to it). */
  queryKey: QueryKey;
  fetch: (columns: string[], signal: AbortSignal) => Promise<PreviewResult>;
  /** False while there is nothing to preview (rules incomplete). */
  enabled: boolean;
  /** Shown instead of the grid when not enabled. */
  disabledText?: string;
  /** More toolbar content (the export link). */
  actions?: (columns: string[]) => ReactNode;
}

export function QueryPreview({ resource, queryKey, fetch, enabled, disabledText, actions }: Props) {
  const fields = useMemo(() => formFields(resource), [resource]);
  const available = fields.map((f) => f.name);
  const defaults = resource.name === 'profile' ? DEFAULT_COLUMNS : available.filter((c) => c !== 'id').slice(0, 4);
  const key = `${COLUMNS_KEY}.${resource.name}`;
  const [columns, setColumns] = useState(() => loadColumns(key, available, defaults));
  const shown = columns.filter((c) => available.includes(c) && c !== 'id');
  const choose = (next: string[]) => {
    setColumns(next);
    saveColumns(key, next);
  };
  const byName = useMemo(() => new Map(fields.map((f) => [f.name, f])), [fields]);

  const preview = useQuery({
    queryKey: [...queryKey, 'preview', shown],
    queryFn: ({ signal }) => fetch(shown, signal),
    enabled,
    retry: false,
    placeholderData: (prev) => prev,
  });
  const rows = preview.data?.items ?? [];

  return (
    <Paper withBorder radius="md" p="md" role="region" aria-label="Preview">
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <Title order={4}>Preview</Title>
          {preview.isFetching ? <Loader size="xs" aria-label="Loading the preview" /> : null}
        </Group>
        <Group gap="xs">
          {actions?.(shown)}
          <ColumnChooser fields={fields.filter((f) => f.name !== 'id')} value={shown} onChange={choose} onReset={() => choose(defaults)} />
        </Group>
      </Group>
      {!enabled ? (
        <Text size="sm" c="dimmed">{disabledText ?? 'Nothing to preview yet.'}</Text>
      ) : preview.isError ? (
        <LoadError error={preview.error} onRetry={() => preview.refetch()} />
      ) : (
        <>
          <Table.ScrollContainer minWidth={Math.max(600, (shown.length + 1) * 140)} type="native">
            <Table striped verticalSpacing={4} aria-label="Preview rows">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>#</Table.Th>
                  {shown.map((c) => <Table.Th key={c}>{byName.get(c)?.label ?? c}</Table.Th>)}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {!preview.isPending && rows.length === 0 ? (
                  <Table.Tr><Table.Td colSpan={shown.length + 1}><Text size="sm" c="dimmed" ta="center" py="xs">No {resource.label.toLowerCase()} matches.</Text></Table.Td></Table.Tr>
                ) : null}
                {rows.map((row) => {
                  const href = recordHref(resource.name, row.id);
                  return (
                    <Table.Tr key={row.id} data-id={row.id}>
                      <Table.Td>
                        {href ? (
                          <Anchor component={Link} to={href} size="sm" aria-label={`Open ${recordTitle(resource, row)}`}>#{row.id}</Anchor>
                        ) : (
                          <Text size="sm">#{row.id}</Text>
                        )}
                      </Table.Td>
                      {shown.map((c) => (
                        <Table.Td key={c} title={formatValue(byName.get(c), row[c])}>
                          <ValueCell field={byName.get(c)} value={row[c]} />
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Text size="xs" c="dimmed" mt={4}>
            {preview.isPending ? 'Loading…' : rows.length === 0 ? '' : rows.length < PREVIEW_ROWS ? `All ${rows.length} ${rows.length === 1 ? 'row' : 'rows'}, in id order.` : `The first ${PREVIEW_ROWS} rows, in id order.`}
          </Text>
        </>
      )}
    </Paper>
  );
}
