// /messages/:id: a delivery. In draft, preparing and ready it is the editor with its steps
// (properties, audience, content, schedule, preview and proofs, prepare, confirm); once
// confirmed it is the sending dashboard. The delivery is polled every second while the server
// moves it (preparing, scheduled, sending). Buttons follow the server's allowedActions.

import {
  Alert, Anchor, Badge, Breadcrumbs, Button, Center, Group, List, Loader, Menu, Paper, Progress, SimpleGrid, Stack,
  Stepper, Text, Title, Tooltip,
} from '@mantine/core';
import {
  IconAlertTriangle, IconChartBar, IconChecks, IconCopy, IconDeviceFloppy, IconDots, IconPlayerPlay, IconTrash,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { ApiError, type Role } from '../../api';
import { useCurrentUser } from '../../auth';
import { ConfirmModal } from '../../components/ConfirmModal';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { notifyError, notifySuccess } from '../../components/notify';
import { formatDateTime } from '../../format';
import { DELIVERIES_KEY, deliveries, type Delivery, type DeliveryContent } from '../../deliveries/api';
import { applyContentPatch, draftOf, isDirty, patchOf, type Draft } from '../../deliveries/draft';
import { EmailEditor } from '../../deliveries/EmailEditor';
import { PreparationReport } from '../../deliveries/Exclusions';
import { canConfirm, formatCount, isMoving, preparationProgress, showsDashboard } from '../../deliveries/state';
import { StateBadge } from '../../deliveries/StateBadge';
import { NotFoundPanel } from '../audiences/NotFoundPanel';
import { DeliveryDashboard } from './DeliveryDashboard';
import { PreviewProofs } from './PreviewProofs';
import { AudienceStep, PropertiesStep, ScheduleStep } from './steps';
import { deliveryKey, useDeliveryActions } from './useDeliveryActions';

/** States in which a delivery has a report (opens, clicks, bounces): once it has started sending. */
const REPORT_STATES: ReadonlySet<string> = new Set(['sending', 'paused', 'stopped', 'finished', 'failed']);
function hasReport(state: string): boolean {
  return REPORT_STATES.has(state);
}

function isConflict(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 409 || e.code === 'aborted');
}

export function DeliveryPage() {
  const { id: param = '' } = useParams();
  const id = Number(param);
  const query = useQuery({
    queryKey: [...deliveryKey(id), 'one'],
    queryFn: ({ signal }) => deliveries.get(id, signal),
    retry: false,
    refetchInterval: (q) => (q.state.data && isMoving(q.state.data.state) ? 1000 : q.state.data?.state === 'paused' ? 5000 : false),
  });

  if (query.isPending) return <Center py="xl"><Loader aria-label="Loading the delivery" /></Center>;
  if (query.isError) {
    if (isAccessRefused(query.error)) return <AccessRefused needs="Messages need a role with access to data." error={query.error} />;
    if ((query.error as { status?: number }).status === 404) return <NotFoundPanel what={`There is no delivery #${param}.`} back="/messages" />;
    return <LoadError error={query.error} onRetry={() => query.refetch()} />;
  }
  return <DeliveryView delivery={query.data} />;
}

function DeliveryView({ delivery }: { delivery: Delivery }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [deleting, setDeleting] = useState(false);
  const remove = useMutation({
    mutationFn: () => deliveries.remove(delivery.id),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: DELIVERIES_KEY });
      notifySuccess(`“${delivery.label}” deleted.`);
      navigate('/messages');
    },
    onError: (e) => notifyError('Could not delete', e),
  });
  const copy = useMutation({
    mutationFn: (asTemplate: boolean) =>
      deliveries.create({ label: `${delivery.label} (${asTemplate ? 'template' : 'copy'})`, fromDelivery: delivery.id, isTemplate: asTemplate }),
    onSuccess: (d) => {
      client.invalidateQueries({ queryKey: [...DELIVERIES_KEY, 'list'] });
      notifySuccess(`“${d.label}” created.`);
      navigate(`/messages/${d.id}`);
    },
    onError: (e) => notifyError('Could not copy', e),
  });

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to="/messages" size="sm">Messages</Anchor>
        <Text size="sm">{delivery.label}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Stack gap={2}>
          <Group gap="xs">
            <Title order={2}>{delivery.label}</Title>
            <StateBadge state={delivery.state} size="lg" testId="delivery-state" />
            {delivery.isTemplate ? <Badge variant="outline">template</Badge> : null}
          </Group>
          <Text size="sm" c="dimmed">
            Email #{delivery.id} · created {formatDateTime(delivery.createdAt)} by {delivery.createdBy} · modified {formatDateTime(delivery.modifiedAt)} by {delivery.modifiedBy}
            {delivery.confirmedAt ? ` · confirmed ${formatDateTime(delivery.confirmedAt)} by ${delivery.confirmedBy}` : ''}
          </Text>
        </Stack>
        <Group gap="xs">
          {hasReport(delivery.state) ? (
            <Button component={Link} to={`/messages/${delivery.id}/report`} variant="light" leftSection={<IconChartBar size={16} />} data-testid="open-report">
              Report
            </Button>
          ) : null}
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button variant="default" rightSection={<IconDots size={16} />}>More</Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item leftSection={<IconCopy size={14} />} onClick={() => copy.mutate(false)}>Duplicate</Menu.Item>
              <Menu.Item leftSection={<IconCopy size={14} />} onClick={() => copy.mutate(true)}>Save as template</Menu.Item>
              <Menu.Divider />
              <Menu.Item color="red" leftSection={<IconTrash size={14} />} disabled={!delivery.allowedActions.includes('delete')} onClick={() => setDeleting(true)}>
                Delete
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Group>

      {showsDashboard(delivery.state) ? <DeliveryDashboard delivery={delivery} /> : <DeliveryEditor key={delivery.id} delivery={delivery} />}

      <ConfirmModal
        opened={deleting}
        title={`Delete “${delivery.label}”?`}
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setDeleting(false)}
      >
        The delivery, its preparation and its proofs go away. This cannot be undone.
      </ConfirmModal>
    </Stack>
  );
}

const STEPS = ['Properties', 'Audience', 'Content', 'Schedule', 'Preview & proofs', 'Prepare', 'Confirm'] as const;

function DeliveryEditor({ delivery }: { delivery: Delivery }) {
  const client = useQueryClient();
  const user = useCurrentUser();
  const [step, setStep] = useState(delivery.state === 'draft' ? 0 : 5);
  const [base, setBase] = useState<Draft>(() => draftOf(delivery));
  const [draft, setDraftState] = useState<Draft>(base);
  const [version, setVersion] = useState(delivery.version);
  const [stale, setStale] = useState(false);
  const dirty = isDirty(base, draft);
  const readOnly = !delivery.allowedActions.includes('edit');
  const actions = useDeliveryActions(delivery.id);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  // Someone (the worker, another user, a transition) changed the delivery: take the new version
  // unless there are unsaved changes, which would then be refused as stale.
  useEffect(() => {
    if (delivery.version === version) return;
    if (dirtyRef.current) {
      setStale(true);
      return;
    }
    const next = draftOf(delivery);
    setBase(next);
    setDraftState(next);
    setVersion(delivery.version);
    setStale(false);
  }, [delivery.version]);

  const setDraft = useCallback((update: (d: Draft) => Draft) => setDraftState(update), []);
  const setContent = useCallback(
    (patch: Partial<DeliveryContent>) => setDraftState((d) => ({ ...d, content: applyContentPatch(d.content, patch) })),
    [],
  );

  const saveMutation = useMutation({
    mutationFn: () => deliveries.update(delivery.id, patchOf(base, draft, version)),
    onSuccess: (d) => {
      client.setQueryData([...deliveryKey(delivery.id), 'one'], d);
      client.invalidateQueries({ queryKey: [...DELIVERIES_KEY, 'list'] });
      const next = draftOf(d);
      setBase(next);
      setDraftState(next);
      setVersion(d.version);
      setStale(false);
    },
  });

  const save = async (): Promise<Delivery | null> => {
    try {
      const d = await saveMutation.mutateAsync();
      notifySuccess('Saved.');
      return d;
    } catch (e) {
      if (isConflict(e)) {
        setStale(true);
        notifyError('Not saved: someone else changed this delivery', new Error('Reload it to see their changes, then make yours again.'));
      } else {
        notifyError('Not saved', e);
      }
      return null;
    }
  };

  const reload = async () => {
    const d = await client.fetchQuery({ queryKey: [...deliveryKey(delivery.id), 'one'], queryFn: () => deliveries.get(delivery.id) });
    const next = draftOf(d);
    setBase(next);
    setDraftState(next);
    setVersion(d.version);
    setStale(false);
  };

  const prepare = async () => {
    if (dirty && !(await save())) return;
    actions.mutate('prepare');
  };

  const stepProps = { draft, setDraft, readOnly };

  return (
    <Stack gap="md">
      {stale ? (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="Someone else changed this delivery" data-testid="stale">
          <Group justify="space-between">
            <Text size="sm">Your unsaved changes are based on an older version; saving them is refused. Reload to take the new version (your changes are lost).</Text>
            <Button size="xs" variant="white" color="orange" onClick={reload}>Reload</Button>
          </Group>
        </Alert>
      ) : null}
      {readOnly && delivery.state === 'preparing' ? (
        <Alert color="blue" variant="light">The delivery is being prepared; it can be changed again once it is ready.</Alert>
      ) : null}
      <Paper withBorder radius="md" p="sm" pos="sticky" top={56} style={{ zIndex: 5 }}>
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs">
            {dirty ? <Badge color="orange" variant="light" data-testid="unsaved">Unsaved changes</Badge> : <Badge color="gray" variant="light">Saved</Badge>}
            {delivery.state === 'ready' && dirty ? <Text size="xs" c="dimmed">Saving sends it back to draft: prepare again after.</Text> : null}
          </Group>
          <Button leftSection={<IconDeviceFloppy size={16} />} onClick={save} disabled={!dirty || readOnly} loading={saveMutation.isPending}>
            Save
          </Button>
        </Group>
      </Paper>
      <Stepper active={step} onStepClick={setStep} size="sm" allowNextStepsSelect wrap>
        {STEPS.map((label, i) => <Stepper.Step key={label} label={label} aria-label={`Step ${label}`} completedIcon={i + 1} />)}
      </Stepper>
      <div>
        {step === 0 ? <PropertiesStep {...stepProps} /> : null}
        {step === 1 ? <AudienceStep {...stepProps} /> : null}
        {step === 2 ? <EmailEditor content={draft.content} onChange={setContent} readOnly={readOnly} /> : null}
        {step === 3 ? <ScheduleStep {...stepProps} /> : null}
        {step === 4 ? <PreviewProofs delivery={delivery} draft={draft} setDraft={setDraft} dirty={dirty} save={save} /> : null}
        {step === 5 ? <PrepareStep delivery={delivery} onPrepare={prepare} pending={actions.isPending || saveMutation.isPending} /> : null}
        {step === 6 ? <ConfirmStep delivery={delivery} role={user.role} dirty={dirty} onConfirm={() => actions.mutate('confirm')} pending={actions.isPending} /> : null}
      </div>
      <Group justify="space-between">
        <Button variant="default" disabled={step === 0} onClick={() => setStep((s) => s - 1)}>Back</Button>
        <Button variant="light" disabled={step === STEPS.length - 1} onClick={() => setStep((s) => s + 1)}>
          Next{step < STEPS.length - 1 ? `: ${STEPS[step + 1]}` : ''}
        </Button>
      </Group>
    </Stack>
  );
}

function PrepareStep({ delivery, onPrepare, pending }: { delivery: Delivery; onPrepare: () => void; pending: boolean }) {
  const can = delivery.allowedActions.includes('prepare');
  const preparing = delivery.state === 'preparing';
  const pct = preparationProgress(delivery.progress);
  return (
    <Stack gap="md">
      <Group>
        <Tooltip label={preparing ? 'Preparing…' : `Not possible in state ${delivery.state}.`} disabled={can} withArrow>
          <Button leftSection={<IconPlayerPlay size={16} />} onClick={onPrepare} disabled={!can} loading={pending || preparing}>
            {delivery.preparation ? 'Prepare again' : 'Prepare'}
          </Button>
        </Tooltip>
        <Text size="sm" c="dimmed" maw={560}>
          Preparing computes the recipients, applies the typology's rules (filters, fatigue, controls) and shows who is excluded and why. Nothing is sent.
        </Text>
      </Group>
      {preparing ? (
        <Paper withBorder radius="md" p="md" data-testid="preparing">
          <Text size="sm" mb={6}>
            Preparing… {delivery.progress.total > 0 ? `${formatCount(delivery.progress.done)} of ${formatCount(delivery.progress.total)} profiles` : ''}
          </Text>
          <Progress value={delivery.progress.total > 0 ? pct : 100} animated striped aria-label="Preparation progress" />
        </Paper>
      ) : null}
      {delivery.preparation ? <PreparationReport preparation={delivery.preparation} /> : !preparing ? <Text size="sm" c="dimmed">Not prepared yet.</Text> : null}
    </Stack>
  );
}

function scheduleText(d: Delivery): string {
  const s = d.settings.schedule;
  if (!s || s.kind === 'now') return 'as soon as it is confirmed';
  if (s.kind === 'at') return `at ${formatDateTime(s.at)}`;
  return `on ${s.date} at ${s.time} in each recipient's time zone (${s.defaultTimeZone} when unknown)`;
}

function ConfirmStep({ delivery, role, dirty, onConfirm, pending }: { delivery: Delivery; role: Role; dirty: boolean; onConfirm: () => void; pending: boolean }) {
  const [asking, setAsking] = useState(false);
  const allowedRole = canConfirm(role);
  const allowedNow = delivery.allowedActions.includes('confirm');
  const why = !allowedRole
    ? 'Only a supervisor or an administrator can confirm a send. Ask one to review and confirm it.'
    : dirty
      ? 'Save your changes and prepare again first.'
      : delivery.state !== 'ready'
        ? 'Prepare the delivery first: it can be confirmed once it is ready.'
        : !allowedNow
          ? 'The server does not allow confirming now.'
          : '';
  const toSend = delivery.preparation?.toSend ?? 0;
  return (
    <Stack gap="md" maw={760}>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Paper withBorder p="sm" radius="md"><Text size="xs" c="dimmed">Recipients</Text><Text fw={700} size="lg">{delivery.preparation ? formatCount(toSend) : '—'}</Text></Paper>
        <Paper withBorder p="sm" radius="md"><Text size="xs" c="dimmed">Proofs sent</Text><Text fw={700} size="lg">{delivery.proofCount}</Text></Paper>
        <Paper withBorder p="sm" radius="md"><Text size="xs" c="dimmed">State</Text><StateBadge state={delivery.state} /></Paper>
      </SimpleGrid>
      <List size="sm">
        <List.Item>Sends {scheduleText(delivery)}.</List.Item>
        <List.Item>Retries stop {delivery.settings.validityHours ?? 72} hours after the start.</List.Item>
        {delivery.settings.throughputPerHour ? <List.Item>At most {formatCount(delivery.settings.throughputPerHour)} messages per hour.</List.Item> : null}
      </List>
      <Group>
        <Tooltip label={why} disabled={!why} withArrow multiline w={300}>
          <span>
            <Button color="teal" leftSection={<IconChecks size={16} />} disabled={Boolean(why)} loading={pending} onClick={() => setAsking(true)}>
              Confirm the send
            </Button>
          </span>
        </Tooltip>
        {why ? <Text size="sm" c="dimmed" data-testid="confirm-why">{why}</Text> : null}
      </Group>
      <ConfirmModal
        opened={asking}
        title={`Send “${delivery.label}” to ${formatCount(toSend)} recipients?`}
        confirmLabel="Confirm and send"
        color="teal"
        loading={pending}
        onConfirm={() => {
          setAsking(false);
          onConfirm();
        }}
        onCancel={() => setAsking(false)}
      >
        It sends {scheduleText(delivery)}. You can pause or stop it from the dashboard.
      </ConfirmModal>
    </Stack>
  );
}
