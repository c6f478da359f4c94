// One workflow: the canvas editor and its runs (docs/workflows.md).
//
// - The palette lists the activity types by category (GET /workflows/activity-types); drag one
//   onto the canvas (or click it: it lands right of the last activity).
// - The graph lives here; every change is checked 500 ms after the last one (POST
//   /workflows/check): the problems are drawn on the activities and listed, and the ports the
//   server computes (segment codes...) become the handles. Save sends it with its version.
// - Run controls: Start and Dry run (saving first), Pause, Resume, Stop (asks first), Signal for
//   each External signal. While a run is active its detail is polled every second: each activity
//   shows its state and each transition its count; the log follows. Any past run can be shown.

import { Alert, Badge, Button, Center, Grid, Group, Loader, Paper, ScrollArea, Stack, Tabs, Text, TextInput, Tooltip, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import {
  IconAlertTriangle, IconBolt, IconDeviceFloppy, IconPlayerPause, IconPlayerPlay, IconPlayerStop, IconRefresh, IconTestPipe, IconTrash,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { ApiError } from '../../api';
import { useCurrentUser } from '../../auth';
import { ConfirmModal } from '../../components/ConfirmModal';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { notifyError, notifySuccess } from '../../components/notify';
import { canWriteData } from '../../records/permissions';
import {
  isActive, workflows, WORKFLOWS_KEY, type ActivityDef, type ActivityType, type Graph, type PortMap, type Problem, type RunCommand,
  type Workflow,
} from '../../workflows/api';
import {
  addActivity, DRAG_TYPE, EMPTY_GRAPH, freeSpot, indexProblems, paletteGroups, paramsSnapshot, remove, signalActivities, updateActivity,
} from '../../workflows/graph';
import { ParamsPanel } from '../../workflows/ParamsPanel';
import { upstreamResource } from '../../workflows/queryText';
import { ProblemsList, RunBadge, RunLogView, RunsList, SignalModal, useRunLog } from '../../workflows/RunPanels';

// The canvas (@xyflow/react, about 200 KB) loads on first use in its own chunk.
const Canvas = lazy(() => import('../../workflows/Canvas'));

const CHECK_DEBOUNCE_MS = 500;

function Palette({ types, disabled, onAdd }: { types: ActivityType[]; disabled: boolean; onAdd: (t: ActivityType) => void }) {
  return (
    <Paper withBorder p="xs" role="region" aria-label="Activity palette">
      <ScrollArea.Autosize mah={620} type="auto">
        <Stack gap="xs">
          {paletteGroups(types).map((g) => (
            <Stack key={g.key} gap={4} role="group" aria-label={g.label}>
              <Text size="xs" fw={700} c="dimmed" tt="uppercase">{g.label}</Text>
              {g.types.map((t) => (
                <UnstyledButton
                  key={t.type}
                  draggable={!disabled}
                  disabled={disabled}
                  aria-label={`Add ${t.label}`}
                  title={`Drag onto the canvas, or click to add: ${t.label}`}
                  data-type={t.type}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DRAG_TYPE, t.type);
                    e.dataTransfer.effectAllowed = 'copy';
                  }}
                  onClick={() => onAdd(t)}
                  style={{
                    padding: '4px 8px',
                    border: '1px solid var(--mantine-color-gray-4)',
                    borderRadius: 6,
                    background: 'white',
                    cursor: disabled ? 'not-allowed' : 'grab',
                    fontSize: 13,
                  }}
                >
                  {t.label}
                </UnstyledButton>
              ))}
            </Stack>
          ))}
        </Stack>
      </ScrollArea.Autosize>
    </Paper>
  );
}

interface Checked {
  problems: Problem[];
  ports: PortMap;
  params: Record<string, string>;
}

function Editor({ workflow }: { workflow: Workflow }) {
  const user = useCurrentUser();
  const client = useQueryClient();
  const canWrite = canWriteData(user.role);
  const id = workflow.id;

  const [graph, setGraph] = useState<Graph>(() => workflow.graph ?? EMPTY_GRAPH);
  const [label, setLabel] = useState(workflow.label);
  const [version, setVersion] = useState(workflow.version);
  const [dirty, setDirty] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [checked, setChecked] = useState<Checked>(() => ({ problems: workflow.problems ?? [], ports: workflow.ports ?? {}, params: paramsSnapshot(workflow.graph ?? EMPTY_GRAPH) }));
  const [checking, setChecking] = useState(false);
  const [pickedRun, setPickedRun] = useState<number | null>(null);
  const [confirm, setConfirm] = useState<'stop' | 'restart' | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const navigate = useNavigate();
  const [signalFor, setSignalFor] = useState<ActivityDef | null>(null);
  const [tab, setTab] = useState<string | null>('problems');

  const types = useQuery({ queryKey: [...WORKFLOWS_KEY, 'activity-types'], queryFn: ({ signal }) => workflows.activityTypes(signal), staleTime: 300_000 });
  const typeList = types.data?.items ?? [];
  const typeLabels = useMemo(() => Object.fromEntries(typeList.map((t) => [t.type, { label: t.label, category: t.category }])), [typeList]);
  const labelOf = useCallback((type: string) => typeLabels[type]?.label ?? type, [typeLabels]);

  const change = useCallback((update: (g: Graph) => Graph) => {
    setGraph((g) => {
      const next = update(g);
      if (next !== g) setDirty(true);
      return next;
    });
  }, []);

  // Leaving the page (reload, close) with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Live validation, debounced; an older answer never overwrites a newer one.
  const [debounced] = useDebouncedValue(graph, CHECK_DEBOUNCE_MS);
  const checkSeq = useRef(0);
  const firstCheck = useRef(true);
  useEffect(() => {
    if (firstCheck.current) {
      firstCheck.current = false;
      return;
    }
    const seq = ++checkSeq.current;
    const controller = new AbortController();
    setChecking(true);
    workflows.check(debounced, controller.signal).then(
      (r) => {
        if (seq !== checkSeq.current) return;
        setChecked({ problems: r.problems, ports: r.ports, params: paramsSnapshot(debounced) });
        setChecking(false);
      },
      (e) => {
        if (seq !== checkSeq.current || (e instanceof DOMException && e.name === 'AbortError')) return;
        setChecking(false);
        setChecked((c) => ({ ...c, problems: [{ activity: '', transition: '', field: '', message: e instanceof Error ? e.message : String(e) }] }));
      },
    );
    return () => controller.abort();
  }, [debounced]);

  const save = useMutation({
    mutationFn: () => workflows.update(id, { label: label.trim() || workflow.label, graph, version }),
    onSuccess: (w) => {
      setVersion(w.version);
      setDirty(false);
      setChecked({ problems: w.problems, ports: w.ports, params: paramsSnapshot(w.graph) });
      client.setQueryData([...WORKFLOWS_KEY, id], w);
      void client.invalidateQueries({ queryKey: [...WORKFLOWS_KEY, 'list'] });
      notifySuccess(`Saved (version ${w.version}).`);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 409) notifyError('Not saved: someone saved this workflow in the meantime', new Error('Reload the page to see their version (your changes would be lost), or copy your changes first.'));
      else notifyError('Could not save the workflow', e);
    },
  });

  // The run shown: the one picked in the list, else the active one, else the last one.
  const [runHint, setRunHint] = useState<number | null>(workflow.activeRun?.id ?? workflow.lastRun?.id ?? null);
  const runId = pickedRun ?? runHint;
  const run = useQuery({
    queryKey: [...WORKFLOWS_KEY, id, 'run', runId],
    queryFn: ({ signal }) => workflows.run(id, runId!, signal),
    enabled: runId !== null,
    refetchInterval: (q) => (isActive(q.state.data?.status) ? 1000 : false),
  });
  const runActive = isActive(run.data?.status);
  const logItems = useRunLog(id, runId, runActive);
  const wasActive = useRef(runActive);
  useEffect(() => {
    if (wasActive.current && !runActive) {
      void client.invalidateQueries({ queryKey: [...WORKFLOWS_KEY, 'list'] });
    }
    wasActive.current = runActive;
  }, [runActive, client]);

  const start = useMutation({
    mutationFn: async (dryRun: boolean) => {
      if (dirty) await save.mutateAsync();
      return workflows.start(id, { dryRun });
    },
    onSuccess: (r) => {
      setPickedRun(null);
      setRunHint(r.id);
      client.setQueryData([...WORKFLOWS_KEY, id, 'run', r.id], r);
      setTab('log');
      notifySuccess(`Run #${r.number} started${r.dryRun ? ' (dry run)' : ''}.`);
    },
    onError: (e) => notifyError('Could not start the workflow', e),
  });

  const command = useMutation({
    mutationFn: (c: RunCommand) => workflows.command(id, c),
    onSuccess: (r) => {
      setConfirm(null);
      setPickedRun(null);
      setRunHint(r.id);
      client.setQueryData([...WORKFLOWS_KEY, id, 'run', r.id], r);
    },
    onError: (e) => {
      setConfirm(null);
      notifyError('The command failed', e);
    },
  });

  const signal = useMutation({
    mutationFn: ({ activity, values }: { activity: string; values: Record<string, unknown> }) => workflows.signal(id, activity, values),
    onSuccess: (r) => {
      setSignalFor(null);
      setRunHint(r.id);
      setPickedRun(null);
      client.setQueryData([...WORKFLOWS_KEY, id, 'run', r.id], r);
      notifySuccess('Signal sent.');
    },
  });

  const del = useMutation({
    mutationFn: () => workflows.remove(id),
    onSuccess: () => {
      setDirty(false);
      void client.invalidateQueries({ queryKey: [...WORKFLOWS_KEY, 'list'] });
      notifySuccess(`“${workflow.label}” deleted.`);
      navigate('/workflows');
    },
    onError: (e) => {
      setConfirmDelete(false);
      notifyError('Could not delete the workflow', e);
    },
  });

  const problems = checked.problems;
  const index = useMemo(() => indexProblems(problems), [problems]);
  const activity = graph.activities.find((a) => a.id === selected) ?? null;
  const signals = signalActivities(graph);
  const status = run.data?.status;
  const busy = start.isPending || command.isPending || save.isPending;

  const addFromPalette = (t: ActivityType) => {
    const spot = freeSpot(graph);
    const r = addActivity(graph, t.type, t.label, spot.x, spot.y);
    change(() => r.graph);
    setSelected(r.id);
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Group gap="sm" align="flex-end">
          <TextInput label="Workflow label" value={label} onChange={(e) => { setLabel(e.currentTarget.value); setDirty(true); }} readOnly={!canWrite} w={320} />
          <Stack gap={2}>
            <Text size="xs" c="dimmed">Version {version}{dirty ? ' · unsaved changes' : ''}</Text>
            <Group gap={6}>
              {checking ? <Loader size="xs" aria-label="Checking" /> : null}
              {problems.length ? (
                <Badge color="red" variant="light" leftSection={<IconAlertTriangle size={12} />} data-testid="problem-count">
                  {problems.length} problem{problems.length === 1 ? '' : 's'}
                </Badge>
              ) : (
                <Badge color="teal" variant="light" data-testid="problem-count">ready to run</Badge>
              )}
            </Group>
          </Stack>
        </Group>
        {canWrite ? (
          <Group gap="xs">
            <Button leftSection={<IconDeviceFloppy size={16} />} onClick={() => save.mutate()} loading={save.isPending} disabled={!dirty} variant={dirty ? 'filled' : 'default'}>
              Save
            </Button>
            <Tooltip label={problems.length ? 'Fix the problems first' : 'Start a run'} disabled={!problems.length}>
              <Button leftSection={<IconPlayerPlay size={16} />} color="teal" onClick={() => start.mutate(false)} disabled={busy || runActive || problems.length > 0} loading={start.isPending && start.variables === false}>
                Start
              </Button>
            </Tooltip>
            <Button leftSection={<IconTestPipe size={16} />} variant="light" onClick={() => start.mutate(true)} disabled={busy || runActive || problems.length > 0} loading={start.isPending && start.variables === true}>
              Dry run
            </Button>
            <Button leftSection={<IconPlayerPause size={16} />} variant="default" onClick={() => command.mutate('pause')} disabled={busy || status !== 'running'}>
              Pause
            </Button>
            <Button leftSection={<IconPlayerPlay size={16} />} variant="default" onClick={() => command.mutate('resume')} disabled={busy || status !== 'paused'}>
              Resume
            </Button>
            <Button leftSection={<IconPlayerStop size={16} />} color="red" variant="light" onClick={() => setConfirm('stop')} disabled={busy || !(status === 'running' || status === 'paused')}>
              Stop
            </Button>
            <Button leftSection={<IconRefresh size={16} />} variant="default" onClick={() => setConfirm('restart')} disabled={busy || !(status === 'running' || status === 'paused')}>
              Restart
            </Button>
            <Button leftSection={<IconTrash size={16} />} variant="subtle" color="red" onClick={() => setConfirmDelete(true)} disabled={busy || runActive}>
              Delete
            </Button>
            {signals.map((a) => (
              <Button key={a.id} leftSection={<IconBolt size={16} />} variant="light" color="grape" onClick={() => setSignalFor(a)} disabled={!runActive} aria-label={`Signal ${a.label || a.id}`}>
                Signal {a.label || a.id}
              </Button>
            ))}
          </Group>
        ) : null}
      </Group>

      {run.data ? (
        <Group gap="xs" data-testid="shown-run">
          <Text size="sm">Run #{run.data.number}</Text>
          <RunBadge run={run.data} testId="run-status" />
          {pickedRun !== null ? (
            <Button size="compact-xs" variant="subtle" onClick={() => setPickedRun(null)}>Back to the latest run</Button>
          ) : null}
          {run.data.error ? <Text size="sm" c="red">{run.data.error}</Text> : null}
        </Group>
      ) : null}

      <Grid gutter="sm">
        <Grid.Col span={{ base: 12, md: 2 }}>
          {types.isError ? <LoadError error={types.error} onRetry={() => void types.refetch()} /> : <Palette types={typeList} disabled={!canWrite} onAdd={addFromPalette} />}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Suspense fallback={<Center h={560}><Loader aria-label="Loading the canvas" /></Center>}>
            <Canvas
              graph={graph}
              onChange={change}
              selected={selected}
              onSelect={setSelected}
              labelOf={labelOf}
              readOnly={!canWrite}
              ports={checked.ports}
              checkedParams={checked.params}
              problems={problems}
              run={run.data ?? null}
              typeLabels={typeLabels}
            />
          </Suspense>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 3 }}>
          {activity ? (
            <ScrollArea.Autosize mah={620} type="auto">
              <ParamsPanel
                key={activity.id}
                activity={activity}
                typeLabel={labelOf(activity.type)}
                problems={index.byActivity.get(activity.id) ?? []}
                upstreamResource={upstreamResource(graph, activity.id)}
                readOnly={!canWrite}
                onChange={(patch) => change((g) => updateActivity(g, activity.id, patch))}
                onDelete={() => {
                  change((g) => remove(g, [activity.id]));
                  setSelected(null);
                }}
              />
            </ScrollArea.Autosize>
          ) : (
            <Paper withBorder p="sm" c="dimmed" fz="sm" data-testid="params-hint">
              Drag an activity from the palette onto the canvas (or click it), then drag from an output port (right) to an input
              port (left) to connect. Select an activity to edit it here; Delete removes the selection.
            </Paper>
          )}
        </Grid.Col>
      </Grid>

      <Tabs value={tab} onChange={setTab}>
        <Tabs.List>
          <Tabs.Tab value="problems">Problems ({problems.length})</Tabs.Tab>
          <Tabs.Tab value="runs">Runs</Tabs.Tab>
          <Tabs.Tab value="log">Log{logItems.length ? ` (${logItems.length})` : ''}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="problems" pt="xs">
          <ProblemsList problems={problems} graph={graph} onPick={setSelected} />
        </Tabs.Panel>
        <Tabs.Panel value="runs" pt="xs">
          <RunsList workflowId={id} shown={runId} onPick={setPickedRun} refreshKey={`${runId}-${status ?? ''}`} />
        </Tabs.Panel>
        <Tabs.Panel value="log" pt="xs">
          <RunLogView items={logItems} graph={run.data?.graph ?? graph} />
        </Tabs.Panel>
      </Tabs>

      <ConfirmModal
        opened={confirm !== null}
        title={confirm === 'restart' ? 'Restart the run?' : 'Stop the run?'}
        confirmLabel={confirm === 'restart' ? 'Stop and start again' : 'Stop the run'}
        loading={command.isPending}
        onConfirm={() => confirm && command.mutate(confirm)}
        onCancel={() => setConfirm(null)}
      >
        Running activities are cancelled at their next step, waiting ones at once, and the working tables are dropped. A stopped run cannot be resumed
        {confirm === 'restart' ? '; a new run then starts from the saved workflow.' : '.'}
      </ConfirmModal>
      <ConfirmModal
        opened={confirmDelete}
        title="Delete the workflow?"
        confirmLabel="Delete the workflow"
        loading={del.isPending}
        onConfirm={() => del.mutate()}
        onCancel={() => setConfirmDelete(false)}
      >
        “{workflow.label}” and the history of its runs are deleted. Deliveries it created stay.
      </ConfirmModal>
      <SignalModal
        activity={signalFor}
        opened={signalFor !== null}
        pending={signal.isPending}
        error={signal.error}
        onClose={() => {
          setSignalFor(null);
          signal.reset();
        }}
        onSend={(values) => signalFor && signal.mutate({ activity: signalFor.id, values })}
      />
    </Stack>
  );
}

export function WorkflowPage() {
  const { id = '' } = useParams();
  const workflow = useQuery({ queryKey: [...WORKFLOWS_KEY, Number(id)], queryFn: ({ signal }) => workflows.get(id, signal), staleTime: Infinity });
  return (
    <>
      <Group gap="xs" mb="xs">
        <Text size="sm"><Link to="/workflows">Workflows</Link> /</Text>
        <Text size="sm" fw={600}>{workflow.data?.label ?? `#${id}`}</Text>
      </Group>
      {workflow.isPending ? (
        <Center h={200}><Loader aria-label="Loading the workflow" /></Center>
      ) : workflow.isError ? (
        isAccessRefused(workflow.error) ? (
          <AccessRefused needs="Workflows need a role with access to data." error={workflow.error} />
        ) : workflow.error instanceof ApiError && workflow.error.status === 404 ? (
          <Alert color="orange" title="No such workflow">It may have been deleted. <Link to="/workflows">Back to the workflows</Link></Alert>
        ) : (
          <LoadError error={workflow.error} onRetry={() => void workflow.refetch()} />
        )
      ) : (
        <Editor key={workflow.data.id} workflow={workflow.data} />
      )}
    </>
  );
}
