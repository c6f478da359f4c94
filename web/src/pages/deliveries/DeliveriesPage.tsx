// Messages: the deliveries (or the delivery templates), filtered on the server by state, creation
// date and label; columns label, state, to send / sent / failed, created, confirmed; "New email",
// blank or from a delivery template.

import { Anchor, Badge, Button, Group, MultiSelect, Radio, SegmentedControl, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';

import { useCurrentUser } from '../../auth';
import { FormModal, useFormModal } from '../../components/FormModal';
import { ListView, type ListColumn } from '../../components/ListView';
import { notifySuccess } from '../../components/notify';
import { PageHeader } from '../../components/PageHeader';
import { useSort } from '../../components/SortableTable';
import { formatDateTime } from '../../format';
import { shownCount, useCursorList } from '../../hooks/useCursorList';
import { canWriteData } from '../../records/permissions';
import { DELIVERIES_KEY, DELIVERY_STATES, deliveries, type Delivery, type DeliveryState, type NewDelivery } from '../../deliveries/api';
import { compileMjml, STARTER_MJML } from '../../deliveries/mjml';
import { htmlToText } from '../../deliveries/text';
import { formatCount, STATE_LABELS } from '../../deliveries/state';
import { StateBadge } from '../../deliveries/StateBadge';

type SortKey = 'label' | 'state' | 'createdAt' | 'confirmedAt';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'Label', sortKey: 'label' },
  { label: 'State', sortKey: 'state' },
  { label: 'To send' },
  { label: 'Sent' },
  { label: 'Failed' },
  { label: 'Created', sortKey: 'createdAt' },
  { label: 'Confirmed', sortKey: 'confirmedAt' },
];

/** "2026-11-01" (a date input) as the start of that day, or its end, in the browser's time zone, in RFC 3339. */
export function dayBound(day: string, end: boolean): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return null;
  if (end) d.setDate(d.getDate() + 1);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface NewForm {
  label: string;
  start: 'blank' | 'template';
  templateId: string | null;
  isTemplate: boolean;
}

function NewEmailModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const templates = useQuery({
    queryKey: [...DELIVERIES_KEY, 'templates'],
    queryFn: ({ signal }) => deliveries.list({ template: true, limit: 100 }, signal),
    enabled: opened,
  });
  const { form, set, modal } = useFormModal<NewForm, Delivery>({
    empty: { label: '', start: 'blank', templateId: null, isTemplate: false },
    submit: async (f) => {
      const body: NewDelivery = { label: f.label.trim(), isTemplate: f.isTemplate };
      if (f.start === 'template' && f.templateId) {
        body.fromDelivery = Number(f.templateId);
      } else {
        // The HTML part is what the starter MJML compiles to, so that the email is whole at once.
        const html = (await compileMjml(STARTER_MJML)).html ?? '';
        body.content = { editor: 'mjml', mjml: STARTER_MJML, textMode: 'auto', subject: '', html, text: htmlToText(html) };
      }
      return deliveries.create(body);
    },
    invalidates: [DELIVERIES_KEY],
    onSuccess: (d) => {
      notifySuccess(`“${d.label}” created.`);
      onClose();
      navigate(`/messages/${d.id}`);
    },
    onClose,
  });
  const options = (templates.data?.items ?? []).map((t) => ({ value: String(t.id), label: t.label }));
  return (
    <FormModal opened={opened} title="New email" errorTitle="Could not create the email" submitLabel="Create" {...modal}>
      <TextInput label="Label" required data-autofocus value={form.label} onChange={(e) => set('label', e.currentTarget.value)} description="For you and your team; recipients do not see it." />
      <Radio.Group label="Start from" value={form.start} onChange={(v) => set('start', v as NewForm['start'])}>
        <Stack gap={6} mt={6}>
          <Radio value="blank" label="A blank email (MJML)" />
          <Radio value="template" label="A delivery template" disabled={!options.length} description={options.length ? undefined : 'No delivery template yet.'} />
        </Stack>
      </Radio.Group>
      {form.start === 'template' ? (
        <Select label="Template" placeholder="Choose a template" data={options} value={form.templateId} onChange={(v) => set('templateId', v)} searchable required />
      ) : null}
      <Radio.Group label="Kind" value={form.isTemplate ? 'template' : 'delivery'} onChange={(v) => set('isTemplate', v === 'template')}>
        <Group gap="md" mt={6}>
          <Radio value="delivery" label="A delivery" />
          <Radio value="template" label="A delivery template" />
        </Group>
      </Radio.Group>
    </FormModal>
  );
}

export function DeliveriesPage() {
  const user = useCurrentUser();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [states, setStates] = useState<DeliveryState[]>([]);
  const [after, setAfter] = useState('');
  const [before, setBefore] = useState('');
  const [kind, setKind] = useState<'deliveries' | 'templates'>('deliveries');
  const [creating, setCreating] = useState(false);
  const filters = {
    q,
    states,
    template: kind === 'templates',
    createdAfter: dayBound(after, false),
    createdBefore: dayBound(before, true),
  };
  const { query, rows } = useCursorList({
    queryKey: [...DELIVERIES_KEY, 'list', filters],
    fetchPage: (params, signal) => deliveries.list({ ...params, ...filters }, signal),
  });
  const { sorted, sort, toggle } = useSort<Delivery, SortKey>(rows, { key: 'createdAt', dir: 'desc' }, (d, k) => (k === 'createdAt' ? d.id : d[k]));
  const filtered = q || states.length || after || before;

  return (
    <>
      <PageHeader
        title="Messages"
        description="Email deliveries from draft to sent: design the content, pick the audience, prepare, send proofs, have a supervisor confirm, and follow the send live."
        actions={<Button variant="default" component={Link} to="/messages/fragments">Content fragments</Button>}
      />
      <Group mb="md" gap="md" align="flex-end" wrap="wrap">
        <SegmentedControl
          aria-label="Show"
          value={kind}
          onChange={(v) => setKind(v as typeof kind)}
          data={[{ value: 'deliveries', label: 'Deliveries' }, { value: 'templates', label: 'Templates' }]}
        />
        <MultiSelect
          label="State"
          placeholder={states.length ? undefined : 'Any state'}
          data={DELIVERY_STATES.map((s) => ({ value: s, label: STATE_LABELS[s] }))}
          value={states}
          onChange={(v) => setStates(v as DeliveryState[])}
          clearable
          w={300}
        />
        <TextInput type="date" label="Created from" value={after} onChange={(e) => setAfter(e.currentTarget.value)} w={170} />
        <TextInput type="date" label="Created until" value={before} onChange={(e) => setBefore(e.currentTarget.value)} w={170} />
      </Group>
      <ListView
        query={query}
        refused="Messages need a role with access to data."
        search={{ label: 'Search messages', placeholder: 'Label', value: search, onChange: setSearch }}
        actions={
          canWriteData(user.role) ? (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>New email</Button>
          ) : null
        }
        label={kind === 'templates' ? 'Delivery templates' : 'Deliveries'}
        minWidth={900}
        columns={COLUMNS}
        sort={sort}
        onSort={toggle}
        rows={sorted}
        empty={filtered ? 'No message matches the filters.' : kind === 'templates' ? 'No delivery template yet.' : 'No email yet. Write one with “New email”.'}
        count={shownCount(rows.length, kind === 'templates' ? ['template', 'templates'] : ['delivery', 'deliveries'], query.hasNextPage)}
        renderRow={(d) => (
          <Table.Tr key={d.id} data-delivery={d.id}>
            <Table.Td>
              <Group gap={6} wrap="nowrap">
                <Anchor component={Link} to={`/messages/${d.id}`} size="sm" fw={500}>{d.label}</Anchor>
                {d.isTemplate ? <Badge size="xs" variant="outline">template</Badge> : null}
              </Group>
              <Text size="xs" c="dimmed" lineClamp={1}>{d.content?.subject || 'No subject yet'}</Text>
            </Table.Td>
            <Table.Td><StateBadge state={d.state} /></Table.Td>
            <Table.Td><Text size="sm">{d.preparation ? formatCount(d.counters.toSend) : '—'}</Text></Table.Td>
            <Table.Td><Text size="sm">{formatCount(d.counters.sent)}</Text></Table.Td>
            <Table.Td><Text size="sm" c={d.counters.failed ? 'red' : undefined}>{formatCount(d.counters.failed)}</Text></Table.Td>
            <Table.Td>
              <Text size="sm">{formatDateTime(d.createdAt)}</Text>
              <Text size="xs" c="dimmed">{d.createdBy}</Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{formatDateTime(d.confirmedAt)}</Text>
              {d.confirmedBy ? <Text size="xs" c="dimmed">{d.confirmedBy}</Text> : null}
            </Table.Td>
          </Table.Tr>
        )}
      >
        <NewEmailModal opened={creating} onClose={() => setCreating(false)} />
      </ListView>
    </>
  );
}
