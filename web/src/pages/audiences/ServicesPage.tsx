// Profiles & audiences > Services: subscription services with their subscriber counts; create,
// edit, delete; open one to see its subscribers.

import { ActionIcon, Button, Group, Tooltip } from '@mantine/core';
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

export const SERVICE_FORM = ['name', 'label', 'publicLabel', 'channel', 'validityDays', 'description'];

/** The service resource plus the subscriberCount the server adds to each row. */
export function withSubscriberCount(resource: ResourceDef): ResourceDef {
  if (resource.fields.some((f) => f.name === 'subscriberCount')) return resource;
  return {
    ...resource,
    fields: [
      ...resource.fields,
      { name: 'subscriberCount', type: 'integer', label: 'Subscribers', description: '', required: false, readOnly: true, builtin: true },
    ],
  };
}

export function ServicesPage() {
  return <SchemaGate name="service">{(resource) => <Services resource={resource} />}</SchemaGate>;
}

function Services({ resource }: { resource: ResourceDef }) {
  const user = useCurrentUser();
  const writer = canWriteData(user.role);
  const [editing, setEditing] = useState<DataRecord | null | 'new'>(null);
  const [toDelete, setToDelete] = useState<DataRecord | null>(null);
  const display = withSubscriberCount(resource);

  return (
    <RecordList
      resource={display}
      columns={['label', 'name', 'channel', 'validityDays', 'subscriberCount', 'createdAt']}
      initialSort={{ key: 'label', dir: 'asc' }}
      unsortable={['subscriberCount']}
      searchPlaceholder="Name or label"
      rowHref={(row) => `/audiences/services/${row.id}`}
      actions={
        writer ? (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>New service</Button>
        ) : undefined
      }
      rowActions={
        writer
          ? (row) => (
              <Group gap={4} justify="flex-end" wrap="nowrap">
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
              </Group>
            )
          : undefined
      }
    >
      <RecordFormModal
        resource={resource}
        opened={editing !== null}
        record={editing === 'new' ? null : editing}
        only={SERVICE_FORM}
        title={editing === 'new' ? 'New service' : `Edit ${String((editing as DataRecord | null)?.label ?? 'service')}`}
        submitLabel={editing === 'new' ? 'Create service' : 'Save'}
        onClose={() => setEditing(null)}
        onSaved={(s) => {
          notifySuccess(`Service ${String(s.label)} ${editing === 'new' ? 'created' : 'saved'}.`);
          setEditing(null);
        }}
      />
      <DeleteRecordModal
        resource={resource}
        record={toDelete}
        onClose={() => setToDelete(null)}
        consequence="Its subscriptions are deleted with it."
      />
    </RecordList>
  );
}
