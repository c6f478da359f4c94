// Administration > Bounces: the rules that classify SMTP replies and bounces (the administrator's
// first, in the order they are tried, editable by administrators; then the built-in ones, read-only),
// a box to try a reply against the rules in force, and the bounce and complaint events received
// (newest first, paged, filtered by delivery id).

import {
  Badge, Button, Code, Group, NativeSelect, NumberInput, Paper, SimpleGrid, Skeleton, Stack, Table, Text, Textarea, TextInput, Title,
} from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import {
  BOUNCE_OUTCOMES, bounceRules, bounces, type BounceEvent, type BounceOutcome, type BounceRule,
} from '../../../api/email';
import { useCurrentUser } from '../../../auth';
import { ConfirmModal } from '../../../components/ConfirmModal';
import { AccessRefused, isAccessRefused, LoadError } from '../../../components/ErrorAlert';
import { FormModal } from '../../../components/FormModal';
import { ListView, type ListColumn } from '../../../components/ListView';
import { notifyError, notifySuccess } from '../../../components/notify';
import { useSort } from '../../../components/SortableTable';
import { formatDateTime } from '../../../format';
import { shownCount, useCursorList } from '../../../hooks/useCursorList';
import { useInvalidate } from '../../../hooks/useInvalidate';
import { canManageEmail, deliveryIdFilter, emptyRuleForm, OUTCOME_INFO, ruleBody, ruleMatch, type RuleForm } from './emailModel';
import { fieldError } from './routeForm';

export function BouncesPage() {
  return (
    <Stack gap="xl">
      <RulesSection />
      <ClassifySection />
      <EventsSection />
    </Stack>
  );
}

function OutcomeBadge({ outcome }: { outcome: BounceOutcome }) {
  const info = OUTCOME_INFO[outcome];
  return (
    <Badge size="sm" variant="light" color={info?.color ?? 'gray'} title={info?.description} style={{ flexShrink: 0, overflow: 'visible' }}>
      {outcome}
    </Badge>
  );
}

function RulesSection() {
  const user = useCurrentUser();
  const admin = canManageEmail(user.role);
  const invalidate = useInvalidate([['bounce-rules'], ['audit']]);
  const [adding, setAdding] = useState(false);
  const [toDelete, setToDelete] = useState<BounceRule | null>(null);
  const [showBuiltIn, setShowBuiltIn] = useState(false);
  const rules = useQuery({ queryKey: ['bounce-rules'], queryFn: ({ signal }) => bounceRules.list(signal) });

  const remove = useMutation({
    mutationFn: (rule: BounceRule) => bounceRules.remove(rule.id ?? 0),
    onSuccess: (_, rule) => {
      notifySuccess(`Rule “${rule.name}” deleted.`);
      setToDelete(null);
    },
    onError: (err, rule) => notifyError(`Could not delete “${rule.name}”`, err),
    onSettled: invalidate,
  });

  if (rules.isError && isAccessRefused(rules.error)) {
    return <AccessRefused needs="Reading the bounce rules needs the read data permission." error={rules.error} />;
  }
  const items = rules.data?.items ?? [];
  const own = items.filter((r) => !r.builtIn);
  const builtInCount = items.length - own.length;
  const shown = showBuiltIn ? items : own;

  return (
    <section aria-label="Classification rules">
      <Group justify="space-between" align="flex-end" mb="sm">
        <Stack gap={2}>
          <Title order={4}>Classification rules</Title>
          <Text size="sm" c="dimmed">
            Each SMTP reply and bounce is classified by the first rule that matches: your rules first, in this order, then
            the built-in ones.
          </Text>
        </Stack>
        {admin ? (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
            Add rule
          </Button>
        ) : null}
      </Group>
      {rules.isError ? <LoadError error={rules.error} onRetry={() => rules.refetch()} /> : null}
      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={820} type="native">
          <Table verticalSpacing="xs" aria-label="Classification rules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Matches</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rules.isPending ? (
                <Table.Tr>
                  <Table.Td colSpan={6}><Skeleton h={20} /></Table.Td>
                </Table.Tr>
              ) : null}
              {!rules.isPending && own.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text size="sm" c="dimmed" ta="center">No rules of your own: the built-in rules decide.</Text>
                  </Table.Td>
                </Table.Tr>
              ) : null}
              {shown.map((r, i) => (
                <Table.Tr key={r.builtIn ? `b-${r.name}-${i}` : `a-${r.id}`} data-rule={r.name} data-builtin={r.builtIn ? 'true' : 'false'}
                  style={r.builtIn ? { opacity: 0.6 } : undefined}>
                  <Table.Td><Text size="sm" c="dimmed">{i + 1}</Text></Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Text size="sm" fw={r.builtIn ? 400 : 500}>{r.name}</Text>
                      {r.builtIn ? <Badge size="xs" variant="outline" color="gray" style={{ flexShrink: 0 }}>built-in</Badge> : null}
                    </Group>
                  </Table.Td>
                  <Table.Td maw={460}>
                    <Text size="sm" ff="monospace" lineClamp={2} title={ruleMatch(r)} style={{ wordBreak: 'break-all' }}>{ruleMatch(r)}</Text>
                  </Table.Td>
                  <Table.Td miw={100}><OutcomeBadge outcome={r.outcome} /></Table.Td>
                  <Table.Td><Code>{r.reason}</Code></Table.Td>
                  <Table.Td>
                    {admin && !r.builtIn && r.id !== undefined ? (
                      <Button size="xs" variant="light" color="red" aria-label={`Delete rule ${r.name}`} onClick={() => setToDelete(r)}>
                        Delete
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {builtInCount > 0 ? (
        <Group mt="xs">
          <Button variant="subtle" size="xs" onClick={() => setShowBuiltIn((v) => !v)} aria-expanded={showBuiltIn}>
            {showBuiltIn ? 'Hide the built-in rules' : `Show the ${builtInCount} built-in rules`}
          </Button>
          <Text size="xs" c="dimmed">Tried after yours; read-only.</Text>
        </Group>
      ) : null}

      {adding ? <NewRuleModal onClose={() => setAdding(false)} /> : null}

      <ConfirmModal
        opened={toDelete !== null}
        title={`Delete rule “${toDelete?.name ?? ''}”?`}
        confirmLabel="Delete rule"
        loading={remove.isPending}
        onCancel={() => setToDelete(null)}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
      >
        Replies it matched are classified by the next rules from now on; events already received keep their outcome.
      </ConfirmModal>
    </section>
  );
}

function NewRuleModal({ onClose }: { onClose: () => void }) {
  const invalidate = useInvalidate([['bounce-rules'], ['audit']]);
  const [form, setForm] = useState<RuleForm>(emptyRuleForm);
  const set = <K extends keyof RuleForm>(field: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [field]: value }));
  const create = useMutation({
    mutationFn: (f: RuleForm) => bounceRules.create(ruleBody(f)),
    onSuccess: (rule) => {
      invalidate();
      notifySuccess(`Rule “${rule.name}” added.`);
      onClose();
    },
  });
  const err = (field: string) => fieldError(create.error, field);

  return (
    <FormModal
      opened
      title="New classification rule"
      errorTitle="Could not add the rule"
      submitLabel="Add rule"
      onClose={onClose}
      onSubmit={() => create.mutate(form)}
      pending={create.isPending}
      error={create.error}
      size="lg"
    >
      <TextInput label="Name" description="What the rule is for, e.g. “Provider X greylisting”." required data-autofocus
        value={form.name} error={err('name')} onChange={(e) => set('name', e.currentTarget.value)} />
      <Text size="sm" c="dimmed">A reply matches when it matches every condition given (an empty one matches anything).</Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <NumberInput label="Reply code" description="0: any; 2 to 5: a class (5 = 5xx); or an exact code like 550."
          value={form.code} onChange={(v) => set('code', v)} allowNegative={false} allowDecimal={false} min={0} max={599}
          error={err('code')} />
        <TextInput label="Status prefix" description="An enhanced status prefix, e.g. 5.7.1 or 4.2." value={form.statusPrefix}
          error={err('statusPrefix')} onChange={(e) => set('statusPrefix', e.currentTarget.value)} />
      </SimpleGrid>
      <TextInput label="Text pattern" description="An RE2 regular expression found anywhere in the reply text, ignoring case."
        value={form.textPattern} error={err('textPattern')} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        onChange={(e) => set('textPattern', e.currentTarget.value)} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <NativeSelect
          label="Outcome"
          required
          data={BOUNCE_OUTCOMES.map((o) => ({ value: o, label: o }))}
          value={form.outcome}
          onChange={(e) => set('outcome', e.currentTarget.value as BounceOutcome)}
          description={OUTCOME_INFO[form.outcome].description}
          error={err('outcome')}
        />
        <TextInput label="Reason" description="A short word, e.g. user_unknown or greylisted." required value={form.reason}
          error={err('reason')} onChange={(e) => set('reason', e.currentTarget.value)} />
      </SimpleGrid>
    </FormModal>
  );
}

function ClassifySection() {
  const [reply, setReply] = useState('');
  const classify = useMutation({ mutationFn: (text: string) => bounceRules.classify(text) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reply.trim()) classify.mutate(reply.trim());
  };
  const result = classify.data;

  return (
    <section aria-label="Try a reply">
      <Title order={4}>Try a reply</Title>
      <Text size="sm" c="dimmed" mb="sm">What the rules in force make of an SMTP reply or a bounce's diagnostic.</Text>
      <Paper withBorder radius="md" p="md">
        <form onSubmit={submit} aria-label="Try a reply">
          <Stack gap="sm">
            <Textarea
              label="Reply"
              placeholder="550 5.1.1 <a@b.example>: Recipient address rejected: User unknown"
              autosize
              minRows={2}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              value={reply}
              onChange={(e) => setReply(e.currentTarget.value)}
              error={fieldError(classify.error, 'reply') ?? (classify.error ? classify.error.message : undefined)}
            />
            <Group>
              <Button type="submit" loading={classify.isPending} disabled={!reply.trim()}>
                Classify
              </Button>
            </Group>
            {result ? (
              <Group gap="md" data-testid="classification" data-outcome={result.outcome} data-reason={result.reason}>
                <Group gap={6}>
                  <Text size="sm" fw={500}>Outcome</Text>
                  <OutcomeBadge outcome={result.outcome} />
                </Group>
                <Group gap={6}>
                  <Text size="sm" fw={500}>Reason</Text>
                  <Code>{result.reason}</Code>
                </Group>
                <Text size="xs" c="dimmed">
                  code {result.code || '—'}, status {result.status || '—'}
                  {result.text ? `, text “${result.text}”` : ''}
                </Text>
              </Group>
            ) : null}
          </Stack>
        </form>
      </Paper>
    </section>
  );
}

type EventSortKey = 'receivedAt' | 'type' | 'recipient' | 'outcome' | 'deliveryId';

const EVENT_COLUMNS: ListColumn<EventSortKey>[] = [
  { label: 'Received', sortKey: 'receivedAt' },
  { label: 'Type', sortKey: 'type' },
  { label: 'Recipient', sortKey: 'recipient' },
  { label: 'Delivery', sortKey: 'deliveryId' },
  { label: 'Status / diagnostic' },
  { label: 'Outcome', sortKey: 'outcome' },
];

function EventsSection() {
  const [filterText, setFilterText] = useState('');
  const deliveryId = deliveryIdFilter(filterText);
  const { query, rows } = useCursorList({
    queryKey: ['bounces', { deliveryId }],
    fetchPage: (params, signal) => bounces.list({ ...params, deliveryId }, signal),
  });
  const { sorted, sort, toggle } = useSort<BounceEvent, EventSortKey>(rows, { key: 'receivedAt', dir: 'desc' }, (e, key) => e[key]);
  const badFilter = filterText.trim() !== '' && deliveryId === null;

  return (
    <section aria-label="Bounce and complaint events">
      <Title order={4}>Events received</Title>
      <Text size="sm" c="dimmed" mb="sm">Bounces and complaints read from the bounce mailbox or posted to the webhook, newest first.</Text>
      <ListView
        query={query}
        refused="Reading the bounce events needs the read data permission."
        search={{ label: 'Delivery id', placeholder: badFilter ? 'A delivery id is a number' : 'All deliveries', value: filterText, onChange: setFilterText }}
        actions={badFilter ? <Text size="xs" c="red">A delivery id is a whole number: showing all deliveries.</Text> : null}
        label="Bounce events"
        minWidth={900}
        columns={EVENT_COLUMNS}
        sort={sort}
        onSort={toggle}
        rows={sorted}
        skeletonRows={2}
        empty={deliveryId ? `No bounce or complaint for delivery ${deliveryId}.` : 'No bounce or complaint received yet.'}
        count={shownCount(rows.length, ['event', 'events'], query.hasNextPage)}
        renderRow={(e) => (
          <Table.Tr key={e.id}>
            <Table.Td><Text size="sm" title={e.receivedAt}>{formatDateTime(e.receivedAt)}</Text></Table.Td>
            <Table.Td>
              <Group gap={4} wrap="nowrap">
                <Badge size="sm" variant="outline" color={e.type === 'complaint' ? 'orange' : 'gray'}>{e.type}</Badge>
                <Text size="xs" c="dimmed">{e.source}</Text>
              </Group>
            </Table.Td>
            <Table.Td><Text size="sm">{e.recipient || '—'}</Text></Table.Td>
            <Table.Td><Text size="sm">{e.deliveryId ?? '—'}</Text></Table.Td>
            <Table.Td>
              <Text size="xs" ff="monospace" lineClamp={2} title={e.diagnostic}>
                {[e.status, e.diagnostic || e.feedbackType].filter(Boolean).join(' ') || '—'}
              </Text>
            </Table.Td>
            <Table.Td>
              <Group gap={4} wrap="nowrap">
                <OutcomeBadge outcome={e.outcome} />
                <Code>{e.reason}</Code>
              </Group>
            </Table.Td>
          </Table.Tr>
        )}
      />
    </section>
  );
}
