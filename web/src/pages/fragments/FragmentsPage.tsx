// Messages > Content fragments: the header, footer and legal notice kept once and included in
// every email with {% include "name" %}. A list with search (on the server), a modal to create or
// edit one in the code editor (a source that does not compile is refused with its line marked),
// and deletion after a confirmation.

import { ActionIcon, Alert, Anchor, Button, Code, Group, Modal, Stack, Table, Text, TextInput, Textarea, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowLeft, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';

import { ApiError } from '../../api';
import { useCurrentUser } from '../../auth';
import { ConfirmModal } from '../../components/ConfirmModal';
import { ListView, type ListColumn } from '../../components/ListView';
import { notifyError, notifySuccess } from '../../components/notify';
import { PageHeader } from '../../components/PageHeader';
import { useSort } from '../../components/SortableTable';
import { CodeEditor, type CodeEditorHandle } from '../../deliveries/CodeEditor';
import { FRAGMENTS_KEY, fragments, type Fragment } from '../../fragments/api';
import { includeSnippet, labelFromName, nameProblem, sourceErrorLine } from '../../fragments/snippets';
import { formatDateTime } from '../../format';
import { useInvalidate } from '../../hooks/useInvalidate';
import { shownCount, useCursorList } from '../../hooks/useCursorList';
import { canWriteData } from '../../records/permissions';

type SortKey = 'name' | 'label' | 'modifiedAt';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'Name', sortKey: 'name' },
  { label: 'Label', sortKey: 'label' },
  { label: 'Include with' },
  { label: 'Modified', sortKey: 'modifiedAt' },
  {},
];

interface Form {
  name: string;
  label: string;
  description: string;
  source: string;
}

const EMPTY: Form = { name: '', label: '', description: '', source: '' };

/** Creates a fragment (`editing` null) or edits one; the name is fixed once created. */
function FragmentModal({ opened, editing, readOnly, onClose }: { opened: boolean; editing: Fragment | null; readOnly: boolean; onClose: () => void }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [touchedName, setTouchedName] = useState(false);
  const editor = useRef<CodeEditorHandle>(null);
  const invalidate = useInvalidate([FRAGMENTS_KEY, ['audit']]);
  useEffect(() => {
    if (!opened) return;
    setForm(editing ? { name: editing.name, label: editing.label, description: editing.description, source: editing.source } : EMPTY);
    setTouchedName(false);
  }, [opened, editing]);
  const save = useMutation({
    mutationFn: (f: Form) =>
      editing
        ? fragments.update(editing.id, { label: f.label.trim() || editing.name, description: f.description, source: f.source })
        : fragments.create({ name: f.name, label: f.label.trim(), description: f.description, source: f.source }),
    onSuccess: (f) => {
      invalidate();
      notifySuccess(editing ? `“${f.label}” saved.` : `“${f.label}” created: include it with ${includeSnippet(f.name)}.`);
      close();
    },
  });
  const close = () => {
    save.reset();
    onClose();
  };
  const set = <K extends keyof Form>(k: K, v: Form[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    if (save.isError) save.reset();
  };
  const error = save.error;
  const details = error instanceof ApiError ? error.details : undefined;
  const line = sourceErrorLine(details);
  const nameError = !editing && touchedName ? nameProblem(form.name) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouchedName(true);
    if (!editing && nameProblem(form.name)) return;
    save.mutate(form);
  };
  const title = editing ? (readOnly ? editing.label : `Edit “${editing.label}”`) : 'New content fragment';
  return (
    <Modal opened={opened} onClose={close} title={<Text fw={600}>{title}</Text>} size="xl">
      <form onSubmit={submit} aria-label={title}>
        <Stack gap="sm">
          <Group grow align="flex-start">
            <TextInput
              label="Name"
              required
              data-autofocus={editing ? undefined : true}
              value={form.name}
              disabled={!!editing}
              onChange={(e) => set('name', e.currentTarget.value)}
              onBlur={() => setTouchedName(true)}
              error={nameError ?? (details?.field === 'name' ? error?.message : undefined)}
              description={editing ? 'The name is fixed: messages include the fragment by it.' : `Messages include it with ${includeSnippet(form.name || 'name')}.`}
            />
            <TextInput
              label="Label"
              value={form.label}
              readOnly={readOnly}
              placeholder={labelFromName(form.name)}
              onChange={(e) => set('label', e.currentTarget.value)}
              error={details?.field === 'label' ? error?.message : undefined}
              description="What the editors' menus show; the name when empty."
            />
          </Group>
          <Textarea
            label="Description"
            value={form.description}
            readOnly={readOnly}
            autosize
            minRows={1}
            maxRows={4}
            onChange={(e) => set('description', e.currentTarget.value)}
            error={details?.field === 'description' ? error?.message : undefined}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500}>Source</Text>
            <Text size="xs" c="dimmed">
              HTML with personalization, as in an email: <Code>{'{{ profile.firstName }}'}</Code>, conditions, and includes of other fragments.
            </Text>
            <CodeEditor ref={editor} label="Fragment source" value={form.source} onChange={(v) => set('source', v)} errorLines={line ? [line] : []} readOnly={readOnly} height="300px" />
          </Stack>
          {error && !['name', 'label', 'description'].includes(String(details?.field ?? '')) ? (
            <Alert color="red" variant="light" title={editing ? 'Could not save the fragment' : 'Could not create the fragment'} role="alert">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{error.message}</Text>
                {line ? (
                  <Button size="compact-xs" variant="white" color="red" onClick={() => editor.current?.goToLine(line)}>
                    Go to line {line}
                  </Button>
                ) : null}
              </Group>
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={save.isPending}>{readOnly ? 'Close' : 'Cancel'}</Button>
            {readOnly ? null : <Button type="submit" loading={save.isPending}>{editing ? 'Save' : 'Create'}</Button>}
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function FragmentsPage() {
  const user = useCurrentUser();
  const writer = canWriteData(user.role);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [modal, setModal] = useState<{ editing: Fragment | null } | null>(null);
  const [deleting, setDeleting] = useState<Fragment | null>(null);
  const invalidate = useInvalidate([FRAGMENTS_KEY, ['audit']]);
  const { query, rows } = useCursorList({
    queryKey: [...FRAGMENTS_KEY, 'list', q],
    fetchPage: (params, signal) => fragments.list({ ...params, q }, signal),
  });
  const { sorted, sort, toggle } = useSort<Fragment, SortKey>(rows, { key: 'name', dir: 'asc' }, (f, k) => f[k]);
  const remove = useMutation({
    mutationFn: (f: Fragment) => fragments.remove(f.id),
    onSuccess: (_, f) => {
      invalidate();
      notifySuccess(`“${f.label}” deleted.`);
      setDeleting(null);
    },
    onError: (e) => {
      notifyError('Could not delete the fragment', e);
      setDeleting(null);
    },
  });

  return (
    <>
      <Anchor component={Link} to="/messages" size="sm">
        <Group gap={4}><IconArrowLeft size={14} />Messages</Group>
      </Anchor>
      <PageHeader
        title="Content fragments"
        description={<>A header, a footer or a legal notice kept once and included in every email with <Code>{includeSnippet('footer')}</Code>. A change shows in every message that includes it from its next preview, proof or send.</>}
      />
      <ListView
        query={query}
        refused="Content fragments need a role with access to data."
        search={{ label: 'Search content fragments', placeholder: 'Name or label', value: search, onChange: setSearch }}
        actions={writer ? <Button leftSection={<IconPlus size={16} />} onClick={() => setModal({ editing: null })}>New fragment</Button> : null}
        label="Content fragments"
        minWidth={760}
        columns={COLUMNS}
        sort={sort}
        onSort={toggle}
        rows={sorted}
        empty={q ? 'No content fragment matches the search.' : 'No content fragment yet. Add a footer with “New fragment”.'}
        count={shownCount(rows.length, ['fragment', 'fragments'], query.hasNextPage)}
        renderRow={(f) => (
          <Table.Tr key={f.id} data-fragment={f.name}>
            <Table.Td>
              <Anchor component="button" type="button" size="sm" fw={500} onClick={() => setModal({ editing: f })}>{f.name}</Anchor>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{f.label}</Text>
              {f.description ? <Text size="xs" c="dimmed" lineClamp={1}>{f.description}</Text> : null}
            </Table.Td>
            <Table.Td><Code>{includeSnippet(f.name)}</Code></Table.Td>
            <Table.Td>
              <Text size="sm">{formatDateTime(f.modifiedAt)}</Text>
              <Text size="xs" c="dimmed">{f.modifiedBy}</Text>
            </Table.Td>
            <Table.Td>
              {writer ? (
                <Tooltip label="Delete">
                  <ActionIcon variant="subtle" color="red" aria-label={`Delete ${f.name}`} onClick={() => setDeleting(f)}>
                    <IconTrash size={16} />
                  </ActionIcon>
                </Tooltip>
              ) : null}
            </Table.Td>
          </Table.Tr>
        )}
      >
        <FragmentModal opened={modal !== null} editing={modal?.editing ?? null} readOnly={!writer} onClose={() => setModal(null)} />
        <ConfirmModal
          opened={deleting !== null}
          title="Delete the content fragment?"
          confirmLabel="Delete"
          loading={remove.isPending}
          onConfirm={() => deleting && remove.mutate(deleting)}
          onCancel={() => setDeleting(null)}
        >
          Messages that include “{deleting?.name}” will no longer compile: their previews, proofs and sends fail until the include is removed.
        </ConfirmModal>
      </ListView>
    </>
  );
}
