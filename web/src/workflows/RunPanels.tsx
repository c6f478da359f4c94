// The panels under the canvas: the problems of the graph, the runs of the workflow (pick one to
// show its states and counts on the canvas), the log of the shown run (fetched with after=, every
// second while the run is active), and the Signal modal of an External signal activity.

import { Anchor, Badge, Button, Group, Modal, NumberInput, ScrollArea, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';

import { formatDateTime } from '../format';
import { workflows, WORKFLOWS_KEY, type ActivityDef, type Graph, type Problem, type RunLog, type RunSummary } from './api';
import { describeProblem, RUN_COLORS } from './graph';
import { signalParameters, signalValues } from './params';

export function RunBadge({ run, testId }: { run: Pick<RunSummary, 'status' | 'dryRun'> | null | undefined; testId?: string }) {
  if (!run) return <Text size="sm" c="dimmed">Never run</Text>;
  return (
    <Group gap={4} wrap="nowrap">
      <Badge size="sm" color={RUN_COLORS[run.status] ?? 'gray'} variant={run.status === 'running' ? 'filled' : 'light'} data-status={run.status} data-testid={testId}>
        {run.status}
      </Badge>
      {run.dryRun ? <Badge size="xs" variant="outline" color="gray">dry run</Badge> : null}
    </Group>
  );
}

export function ProblemsList({ problems, graph, onPick }: { problems: Problem[]; graph: Graph; onPick: (activity: string) => void }) {
  if (problems.length === 0) {
    return <Text size="sm" c="teal" data-testid="no-problems">No problem: the workflow can run.</Text>;
  }
  return (
    <Stack gap={4} role="list" aria-label="Problems" data-testid="problems">
      {problems.map((p, i) => (
        <Group key={i} gap={6} role="listitem" wrap="nowrap" align="flex-start">
          <Badge size="xs" color="red" variant="light">problem</Badge>
          <Text size="sm">
            {p.activity ? (
              <Anchor component="button" type="button" size="sm" onClick={() => onPick(p.activity)}>{describeProblem(p, graph)}</Anchor>
            ) : (
              describeProblem(p, graph)
            )}
            {p.field ? <Text span size="xs" c="dimmed"> {p.field}</Text> : null}: {p.message}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

export function RunsList({ workflowId, shown, onPick, refreshKey }: { workflowId: number; shown: number | null; onPick: (runId: number) => void; refreshKey: string }) {
  const runs = useQuery({
    queryKey: [...WORKFLOWS_KEY, workflowId, 'runs', refreshKey],
    queryFn: ({ signal }) => workflows.runs(workflowId, { limit: 20 }, signal),
  });
  if (runs.isError) return <Text size="sm" c="red">{(runs.error as Error).message}</Text>;
  const items = runs.data?.items ?? [];
  if (!runs.isPending && items.length === 0) return <Text size="sm" c="dimmed">No run yet.</Text>;
  return (
    <Table aria-label="Runs" highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Run</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Started</Table.Th>
          <Table.Th>Finished</Table.Th>
          <Table.Th>Error</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((r) => (
          <Table.Tr key={r.id} data-run={r.id} bg={r.id === shown ? 'var(--mantine-color-blue-light)' : undefined}>
            <Table.Td>
              <Anchor component="button" type="button" size="sm" onClick={() => onPick(r.id)} aria-label={`Show run ${r.number}`}>#{r.number}</Anchor>
              <Text span size="xs" c="dimmed"> v{r.version}</Text>
            </Table.Td>
            <Table.Td><RunBadge run={r} /></Table.Td>
            <Table.Td>
              <Text size="sm">{formatDateTime(r.startedAt)}</Text>
              <Text size="xs" c="dimmed">{r.startedBy}</Text>
            </Table.Td>
            <Table.Td><Text size="sm">{formatDateTime(r.finishedAt)}</Text></Table.Td>
            <Table.Td><Text size="sm" c="red" lineClamp={2}>{r.error}</Text></Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const LEVEL_COLORS = { info: 'blue', warning: 'orange', error: 'red' } as const;
const LOG_PAGE = 200;

/** The log of a run: every line so far, polled each second while `active`, once more when it stops. */
export function useRunLog(workflowId: number, runId: number | null, active: boolean): RunLog[] {
  const [log, setLog] = useState<{ runId: number | null; items: RunLog[] }>({ runId: null, items: [] });
  const after = useRef<{ runId: number | null; id: number | null }>({ runId: null, id: null });

  useEffect(() => {
    if (runId === null) return;
    if (after.current.runId !== runId) {
      after.current = { runId, id: null };
      setLog({ runId, items: [] });
    }
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const tick = async () => {
      try {
        for (;;) {
          const page = await workflows.logs(workflowId, runId, { after: after.current.id, limit: LOG_PAGE }, controller.signal);
          if (cancelled) return;
          if (page.items.length) {
            after.current.id = page.items[page.items.length - 1]!.id;
            setLog((l) => {
              const seen = new Set(l.items.map((x) => x.id));
              return { runId, items: [...(l.runId === runId ? l.items : []), ...page.items.filter((x) => !seen.has(x.id))] };
            });
          }
          if (page.items.length < LOG_PAGE) break;
        }
      } catch {
        // a failed poll is tried again at the next tick
      }
      if (!cancelled && active) timer = setTimeout(tick, 1000);
    };
    void tick();
    return () => {
      cancelled = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [workflowId, runId, active]);

  return log.runId === runId ? log.items : [];
}

export function RunLogView({ items, graph }: { items: RunLog[]; graph: Graph }) {
  const labelOf = (id: string) => graph.activities.find((a) => a.id === id)?.label || id;
  if (items.length === 0) return <Text size="sm" c="dimmed">No log line yet.</Text>;
  return (
    <ScrollArea.Autosize mah={320} type="auto">
      <Table aria-label="Run log" fz="sm" verticalSpacing={2}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>At</Table.Th>
            <Table.Th>Activity</Table.Th>
            <Table.Th>Level</Table.Th>
            <Table.Th>Message</Table.Th>
            <Table.Th>Rows</Table.Th>
            <Table.Th>Duration</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((l) => (
            <Table.Tr key={l.id} data-log={l.id} data-level={l.level}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(l.at)}</Table.Td>
              <Table.Td>{l.activity ? labelOf(l.activity) : '—'}</Table.Td>
              <Table.Td><Badge size="xs" variant="light" color={LEVEL_COLORS[l.level] ?? 'gray'}>{l.level}</Badge></Table.Td>
              <Table.Td>{l.message}</Table.Td>
              <Table.Td>{l.rows ?? ''}</Table.Td>
              <Table.Td>{l.durationMs !== null ? `${l.durationMs} ms` : ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}

export function SignalModal({ activity, opened, pending, error, onClose, onSend }: {
  activity: ActivityDef | null;
  opened: boolean;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onSend: (values: Record<string, string | number | boolean>) => void;
}) {
  const parameters = activity ? signalParameters(activity.params) : [];
  const [form, setForm] = useState<Record<string, string | boolean>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    setForm({});
    setErrors({});
  }, [activity?.id, opened]);
  const send = () => {
    const r = signalValues(parameters, form);
    setErrors(r.errors);
    if (Object.keys(r.errors).length === 0) onSend(r.values);
  };
  return (
    <Modal opened={opened} onClose={onClose} title={`Signal “${activity?.label || activity?.id || ''}”`}>
      <Stack gap="sm">
        {parameters.length === 0 ? <Text size="sm" c="dimmed">This signal has no parameter.</Text> : null}
        {parameters.map((p) =>
          p.type === 'boolean' ? (
            <Switch key={p.name} label={p.name} checked={form[p.name] === true} onChange={(e) => setForm({ ...form, [p.name]: e.currentTarget.checked })} />
          ) : p.type === 'integer' ? (
            <NumberInput key={p.name} label={p.name} required={p.required} allowDecimal={false} error={errors[p.name]} value={typeof form[p.name] === 'string' ? (form[p.name] as string) : ''} onChange={(v) => setForm({ ...form, [p.name]: String(v) })} />
          ) : (
            <TextInput key={p.name} label={p.name} required={p.required} error={errors[p.name]} value={typeof form[p.name] === 'string' ? (form[p.name] as string) : ''} onChange={(e) => setForm({ ...form, [p.name]: e.currentTarget.value })} />
          ),
        )}
        {error ? <Text size="sm" c="red" role="alert">{(error as Error).message}</Text> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={send} loading={pending}>Send the signal</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
