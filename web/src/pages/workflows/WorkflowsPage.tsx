// Workflows: the list (label, state of the active or last run, when it last ran, last change),
// searched on the server (?q=), and "New workflow", which opens the new workflow's canvas.

import { Anchor, Button, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
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
import { workflows, WORKFLOWS_KEY, type Workflow, type WorkflowSummary } from '../../workflows/api';
import { EMPTY_GRAPH } from '../../workflows/graph';
import { RunBadge } from '../../workflows/RunPanels';

type SortKey = 'label' | 'status' | 'lastRun' | 'modifiedAt';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'Label', sortKey: 'label' },
  { label: 'State', sortKey: 'status' },
  { label: 'Last run', sortKey: 'lastRun' },
  { label: 'Modified', sortKey: 'modifiedAt' },
];

const runOf = (w: WorkflowSummary) => w.activeRun ?? w.lastRun;

function NewWorkflowModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const { form, set, modal } = useFormModal<{ label: string; description: string }, Workflow>({
    empty: { label: '', description: '' },
    submit: (f) => workflows.create({ label: f.label.trim(), description: f.description.trim(), graph: EMPTY_GRAPH }),
    invalidates: [[...WORKFLOWS_KEY, 'list']],
    onSuccess: (w) => {
      notifySuccess(`“${w.label}” created.`);
      onClose();
      navigate(`/workflows/${w.id}`);
    },
    onClose,
  });
  return (
    <FormModal opened={opened} title="New workflow" errorTitle="Could not create the workflow" submitLabel="Create" {...modal}>
      <TextInput label="Label" required data-autofocus value={form.label} onChange={(e) => set('label', e.currentTarget.value)} />
      <Textarea label="Description" autosize minRows={2} value={form.description} onChange={(e) => set('description', e.currentTarget.value)} />
    </FormModal>
  );
}

export function WorkflowsPage() {
  const user = useCurrentUser();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [creating, setCreating] = useState(false);
  const { query, rows } = useCursorList({
    queryKey: [...WORKFLOWS_KEY, 'list', q],
    fetchPage: (params, signal) => workflows.list({ ...params, q }, signal),
  });
  const { sorted, sort, toggle } = useSort<WorkflowSummary, SortKey>(rows, { key: 'modifiedAt', dir: 'desc' }, (w, k) => {
    if (k === 'status') return runOf(w)?.status ?? '';
    if (k === 'lastRun') return runOf(w)?.startedAt ?? '';
    return w[k];
  });

  return (
    <>
      <PageHeader
        title="Workflows"
        description="Automate campaigns on a canvas: schedule, target, segment, send and load data, then follow each run live with its counts."
      />
      <ListView
        query={query}
        refused="Workflows need a role with access to data."
        search={{ label: 'Search workflows', placeholder: 'Label', value: search, onChange: setSearch }}
        actions={canWriteData(user.role) ? <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>New workflow</Button> : null}
        label="Workflows"
        minWidth={760}
        columns={COLUMNS}
        sort={sort}
        onSort={toggle}
        rows={sorted}
        empty={q ? 'No workflow matches the search.' : 'No workflow yet. Create one with “New workflow”.'}
        count={shownCount(rows.length, ['workflow', 'workflows'], query.hasNextPage)}
        renderRow={(w) => {
          const r = runOf(w);
          return (
            <Table.Tr key={w.id} data-workflow={w.id}>
              <Table.Td>
                <Anchor component={Link} to={`/workflows/${w.id}`} size="sm" fw={500}>{w.label}</Anchor>
                {w.description ? <Text size="xs" c="dimmed" lineClamp={1}>{w.description}</Text> : null}
              </Table.Td>
              <Table.Td><RunBadge run={r} /></Table.Td>
              <Table.Td>
                <Text size="sm">{r ? formatDateTime(r.finishedAt ?? r.startedAt) : '—'}</Text>
                {r ? <Text size="xs" c="dimmed">#{r.number} by {r.startedBy}</Text> : null}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDateTime(w.modifiedAt)}</Text>
                <Text size="xs" c="dimmed">{w.modifiedBy} · v{w.version}</Text>
              </Table.Td>
            </Table.Tr>
          );
        }}
      >
        <NewWorkflowModal opened={creating} onClose={() => setCreating(false)} />
      </ListView>
    </>
  );
}
