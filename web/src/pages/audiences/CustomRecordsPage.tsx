// Profiles & audiences > a custom resource: its records, listed and created from the data model.

import { ActionIcon, Button, Tooltip } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';

import type { DataRecord, ResourceDef } from '../../api';
import { useCurrentUser } from '../../auth';
import { notifySuccess } from '../../components/notify';
import { recordTitle, SYSTEM_FIELDS } from '../../records/fields';
import { canWriteData } from '../../records/permissions';
import { RecordFormModal } from '../../records/RecordFormModal';
import { RecordList } from '../../records/RecordList';
import { DeleteRecordModal } from './DeleteRecord';
import { NotFoundPanel } from './NotFoundPanel';
import { SchemaGate } from './SchemaGate';

export function CustomRecordsPage() {
  const { name = '' } = useParams();
  return (
    <SchemaGate name={name}>
      {(resource) =>
        resource.builtin ? <NotFoundPanel what={`${resource.pluralLabel} have their own page.`} /> : <CustomRecords key={resource.name} resource={resource} />
      }
    </SchemaGate>
  );
}

/** The list's columns: up to five fields, the links, then when it was created. */
export function customColumns(resource: ResourceDef): string[] {
  const fields = resource.fields.filter((f) => !SYSTEM_FIELDS.has(f.name) && f.type !== 'text').slice(0, 5).map((f) => f.name);
  return [...fields, ...resource.links.map((l) => l.name), 'createdAt'];
}

function CustomRecords({ resource }: { resource: ResourceDef }) {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const writer = canWriteData(user.role);
  const [creating, setCreating] = useState(false);
  const [toDelete, setToDelete] = useState<DataRecord | null>(null);
  const singular = resource.label.toLowerCase();

  return (
    <RecordList
      resource={resource}
      columns={customColumns(resource)}
      searchPlaceholder={`Search ${resource.pluralLabel.toLowerCase()}`}
      rowHref={(row) => `/audiences/resources/${resource.name}/${row.id}`}
      actions={writer ? <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>New {singular}</Button> : undefined}
      rowActions={
        writer
          ? (row) => (
              <Tooltip label="Delete" withArrow>
                <ActionIcon variant="subtle" color="red" aria-label={`Delete ${recordTitle(resource, row)}`} onClick={() => setToDelete(row)}>
                  <IconTrash size={16} />
                </ActionIcon>
              </Tooltip>
            )
          : undefined
      }
    >
      <RecordFormModal
        resource={resource}
        opened={creating}
        title={`New ${singular}`}
        submitLabel={`Create ${singular}`}
        onClose={() => setCreating(false)}
        onSaved={(r) => {
          setCreating(false);
          notifySuccess(`${resource.label} ${recordTitle(resource, r)} created.`);
          navigate(`/audiences/resources/${resource.name}/${r.id}`);
        }}
      />
      <DeleteRecordModal resource={resource} record={toDelete} onClose={() => setToDelete(null)} />
    </RecordList>
  );
}
