// One import as it runs and once it is over: the status badge, a live progress bar (polled every
// 500 ms while queued or running) with the phase, lines read and rejected, a Cancel button that
// asks first, then the result counters, a plain sentence, and "Download rejects".

import { Alert, Badge, Button, Group, Paper, Progress, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconDownload, IconPlayerStop } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { imports, isFinished, type ImportCounters, type ImportItem, type ImportStatus } from '../../../api';
import { ConfirmModal } from '../../../components/ConfirmModal';
import { LoadError } from '../../../components/ErrorAlert';
import { notifyError } from '../../../components/notify';
import { formatCount } from '../../../records/fields';
import { resultSummary } from '../../../imports/wizard';

export const POLL_MS = 500;

const STATUS: Record<ImportStatus, { label: string; color: string }> = {
  uploaded: { label: 'Uploaded', color: 'gray' },
  queued: { label: 'Queued', color: 'blue' },
  running: { label: 'Running', color: 'indigo' },
  succeeded: { label: 'Succeeded', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'orange' },
};

export function ImportStatusBadge({ status }: { status: ImportStatus }) {
  const s = STATUS[status] ?? { label: status, color: 'gray' };
  return <Badge color={s.color} variant="light" data-status={status} style={{ flexShrink: 0, overflow: 'visible' }}>{s.label}</Badge>;
}

const PHASES: Record<string, string> = {
  uploaded: 'Not started',
  queued: 'Starting…',
  reading: 'Reading and checking the lines',
  reconciling: 'Matching the lines with existing records',
  writing: 'Writing the records',
  done: 'Done',
};

export const COUNTERS: { key: keyof ImportCounters; label: string }[] = [
  { key: 'read', label: 'Read' },
  { key: 'inserted', label: 'Inserted' },
  { key: 'updated', label: 'Updated' },
  { key: 'unchanged', label: 'Unchanged' },
  { key: 'deleted', label: 'Deleted' },
  { key: 'rejected', label: 'Rejected' },
];

export const importKey = (id: number) => ['imports', 'item', id] as const;

/** Follows an import; `onFinished` runs once when it is over. */
export function ImportRun({ id, onFinished }: { id: number; onFinished?: (item: ImportItem) => void }) {
  const queryClient = useQueryClient();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const query = useQuery({
    queryKey: importKey(id),
    queryFn: ({ signal }) => imports.get(id, signal),
    refetchInterval: (q) => (q.state.data && (isFinished(q.state.data.status) || q.state.data.status === 'uploaded') ? false : POLL_MS),
    refetchIntervalInBackground: true,
  });
  const item = query.data;
  const finished = item ? isFinished(item.status) : false;

  useEffect(() => {
    if (item && finished) {
      onFinished?.(item);
      void queryClient.invalidateQueries({ queryKey: ['imports', 'list'] });
      if (item.resource) void queryClient.invalidateQueries({ queryKey: ['records', item.resource] });
    }
    // Once per transition to finished.
  }, [finished]);

  const cancel = useMutation({
    mutationFn: () => imports.cancel(id),
    onSuccess: () => {
      setConfirmCancel(false);
      void query.refetch();
    },
    onError: (e) => {
      setConfirmCancel(false);
      notifyError('Could not cancel the import', e);
    },
  });

  if (query.isError) return <LoadError error={query.error} onRetry={() => query.refetch()} />;
  if (!item) return <Text c="dimmed" size="sm">Loading the import…</Text>;

  const p = item.progress;
  const percent = Math.max(0, Math.min(100, Math.round(p?.percent ?? 0)));
  const running = item.status === 'queued' || item.status === 'running';
  const lines = p?.lines ?? (finished ? item.counters.read : 0);
  const rejected = p?.rejected ?? (finished ? item.counters.rejected : 0);
  const nothingChanged = item.status === 'succeeded' && item.counters.inserted + item.counters.updated + item.counters.deleted === 0;

  return (
    <Stack gap="md" data-testid="import-run" data-status={item.status}>
      <Paper withBorder radius="md" p="md">
        <Group justify="space-between" mb="xs">
          <Group gap="sm">
            <ImportStatusBadge status={item.status} />
            <Text size="sm" fw={500}>
              {item.status === 'queued' ? 'Queued: starts when the import before it is done' : PHASES[p?.phase ?? ''] ?? p?.phase}
            </Text>
          </Group>
          <Text size="sm" fw={700} data-testid="import-percent">{percent}%</Text>
        </Group>
        <Progress
          value={percent}
          size="lg"
          animated={running}
          striped={running}
          color={item.status === 'failed' ? 'red' : item.status === 'cancelled' ? 'orange' : item.status === 'succeeded' ? 'teal' : 'indigo'}
          aria-label="Import progress"
        />
        <Group justify="space-between" mt="xs">
          <Text size="sm" c="dimmed" data-testid="import-lines">
            {formatCount(lines)} {lines === 1 ? 'line' : 'lines'} read · {formatCount(rejected)} rejected
          </Text>
          {running ? (
            <Button size="xs" color="red" variant="light" leftSection={<IconPlayerStop size={14} />} onClick={() => setConfirmCancel(true)}>
              Cancel import
            </Button>
          ) : null}
        </Group>
      </Paper>

      {item.status === 'succeeded' ? (
        <Paper withBorder radius="md" p="md" data-testid="import-result">
          <SimpleGrid cols={{ base: 3, sm: 6 }} spacing="sm" mb="md">
            {COUNTERS.map((c) => (
              <Stack key={c.key} gap={0} align="center" data-counter={c.key}>
                <Text size="xl" fw={700} c={c.key === 'rejected' && item.counters.rejected ? 'red' : undefined} aria-label={`${c.label}: ${item.counters[c.key]}`}>
                  {formatCount(item.counters[c.key])}
                </Text>
                <Text size="xs" c="dimmed" tt="uppercase">{c.label}</Text>
              </Stack>
            ))}
          </SimpleGrid>
          <Alert
            color={nothingChanged ? 'yellow' : 'teal'}
            variant="light"
            icon={nothingChanged ? <IconAlertTriangle size={18} /> : <IconCircleCheck size={18} />}
            data-testid="import-summary"
          >
            <Group justify="space-between" wrap="wrap">
              <Text size="sm">{resultSummary(item.counters)}</Text>
              {item.hasRejects ? (
                <Button component="a" href={imports.rejectsUrl(item.id)} download size="xs" variant="white" color="red" leftSection={<IconDownload size={14} />}>
                  Download rejects
                </Button>
              ) : null}
            </Group>
          </Alert>
        </Paper>
      ) : null}

      {item.status === 'failed' ? (
        <Alert color="red" variant="light" title="The import failed; nothing was changed" icon={<IconAlertTriangle size={18} />} role="alert">
          {item.error || 'The server gave no reason.'}
        </Alert>
      ) : null}
      {item.status === 'cancelled' ? (
        <Alert color="orange" variant="light" title="The import was cancelled" icon={<IconAlertTriangle size={18} />}>
          Nothing was changed.{item.error && item.error !== 'cancelled before it started' ? ` (${item.error})` : ''}
        </Alert>
      ) : null}

      <ConfirmModal
        opened={confirmCancel}
        title="Cancel this import?"
        confirmLabel="Cancel the import"
        cancelLabel="Keep it running"
        loading={cancel.isPending}
        onConfirm={() => cancel.mutate()}
        onCancel={() => setConfirmCancel(false)}
      >
        The import stops and nothing of it is written: an import is all or nothing. The file stays uploaded; to run it
        again, upload it again.
      </ConfirmModal>
    </Stack>
  );
}
