// Profiles & audiences > Test profiles: the addresses that receive proofs, serve as seeds (traps)
// in real sends, or are used for previews; create, edit, delete.

import { ActionIcon, Badge, Button, Group, Tooltip } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';

import type { DataRecord, ResourceDef } from '../../api';
import { useCurrentUser } from '../../auth';
import { notifySuccess } from '../../components/notify';
import { canWriteData } from '../../records/permissions';
import { RecordFormModal } from '../../records/RecordFormModal';
import { RecordList } from '../../records/RecordList';
import { DeleteRecordModal } from './DeleteRecord';
import { SchemaGate } from './SchemaGate';

const FORM = ['label', 'email', 'mobilePhone', 'firstName', 'lastName', 'country', 'useForProof', 'useForTrap', 'useForPreview', 'profile'];

export function TestProfilesPage() {
  return <SchemaGate name="testProfile">{(resource) => <TestProfiles resource={resource} />}</SchemaGate>;
}

/** A custom field or link added to test profiles is in the form too. */
function formFieldsOf(resource: ResourceDef): string[] {
  const extra = [...resource.fields, ...resource.links].filter((f) => !f.builtin).map((f) => f.name);
  return [...FORM, ...extra];
}

function Usages({ row }: { row: DataRecord }) {
  return (
    <Group gap={4}>
      {row.useForProof ? <Badge size="sm" variant="light">Proof</Badge> : null}
      {row.useForTrap ? <Badge size="sm" variant="light" color="orange">Trap</Badge> : null}
      {row.useForPreview ? <Badge size="sm" variant="light" color="teal">Preview</Badge> : null}
    </Group>
  );
}

function TestProfiles({ resource }: { resource: ResourceDef }) {
  const user = useCurrentUser();
  const writer = canWriteData(user.role);
  const [editing, setEditing] = useState<DataRecord | null | 'new'>(null);
  const [toDelete, setToDelete] = useState<DataRecord | null>(null);
  const record = editing === 'new' ? null : editing;

  return (
    <RecordList
      resource={resource}
      columns={['label', 'email', 'mobilePhone', 'useForProof', 'useForTrap', 'useForPreview', 'profile']}
      initialSort={{ key: 'label', dir: 'asc' }}
      searchPlaceholder="Label, email or phone"
      actions={writer ? <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>New test profile</Button> : undefined}
      rowActions={(row) => (
        <Group gap={4} justify="flex-end" wrap="nowrap">
          <Usages row={row} />
          {writer ? (
            <>
              <Tooltip label="Edit" withArrow>
                <ActionIcon variant="subtle" aria-label={`Edit ${String(row.label)}`} onClick={() => setEditing(row)}>
                  <IconPencil size={16} />
                </ActionIcon>
              </Tooltip>
              <Tooltip label="Delete" withArrow>
                <ActionIcon variant="subtle" color="red" aria-label={`Delete ${String(row.label)}`} onClick={() => setToDelete(row)}>
                  <IconTrash size={16} />
                </ActionIcon>
              </Tooltip>
            </>
          ) : null}
        </Group>
      )}
    >
      <RecordFormModal
        resource={resource}
        opened={editing !== null}
        record={record}
        only={formFieldsOf(resource)}
        initial={{ useForProof: true }}
        title={record ? `Edit ${String(record.label)}` : 'New test profile'}
        submitLabel={record ? 'Save' : 'Create test profile'}
        onClose={() => setEditing(null)}
        onSaved={(t) => {
          notifySuccess(`Test profile ${String(t.label)} ${record ? 'saved' : 'created'}.`);
          setEditing(null);
        }}
      />
      <DeleteRecordModal resource={resource} record={toDelete} onClose={() => setToDelete(null)} />
    </RecordList>
  );
}
