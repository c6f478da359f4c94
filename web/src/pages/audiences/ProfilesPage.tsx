// Profiles & audiences > Profiles: server-side search and sort, "Load more", the total, a column
// chooser over every profile field (custom ones too, remembered in localStorage), new profile
// from the data model, import from a file (the import wizard), delete after confirming.

import { ActionIcon, Button, Tooltip } from '@mantine/core';
import { IconFileImport, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';

import type { DataRecord, ResourceDef } from '../../api';
import { useCurrentUser } from '../../auth';
import { notifySuccess } from '../../components/notify';
import { loadColumns, saveColumns } from '../../records/columns';
import { formFields, recordTitle } from '../../records/fields';
import { canWriteData } from '../../records/permissions';
import { RecordFormModal } from '../../records/RecordFormModal';
import { RecordList } from '../../records/RecordList';
import { ColumnChooser } from './ColumnChooser';
import { DeleteRecordModal } from './DeleteRecord';
import { SchemaGate } from './SchemaGate';

const COLUMNS_KEY = 'overture.profiles.columns';
const DEFAULT_COLUMNS = ['email', 'firstName', 'lastName', 'country', 'createdAt'];

export function ProfilesPage() {
  return <SchemaGate name="profile">{(resource) => <Profiles resource={resource} />}</SchemaGate>;
}

function Profiles({ resource }: { resource: ResourceDef }) {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const writer = canWriteData(user.role);
  const fields = useMemo(() => formFields(resource), [resource]);
  const available = fields.map((f) => f.name);
  const [columns, setColumns] = useState(() => loadColumns(COLUMNS_KEY, available, DEFAULT_COLUMNS));
  const [creating, setCreating] = useState(false);
  const [toDelete, setToDelete] = useState<DataRecord | null>(null);

  const choose = (next: string[]) => {
    setColumns(next);
    saveColumns(COLUMNS_KEY, next);
  };
  const shown = columns.filter((c) => available.includes(c));

  return (
    <RecordList
      resource={resource}
      columns={shown}
      searchPlaceholder="Email, name, phone…"
      rowHref={(row) => `/profiles/${row.id}`}
      actions={
        <>
          <ColumnChooser fields={fields} value={shown} onChange={choose} onReset={() => choose(DEFAULT_COLUMNS.filter((c) => available.includes(c)))} />
          {writer ? (
            <Button variant="default" leftSection={<IconFileImport size={16} />} onClick={() => navigate('/audiences/imports/new?resource=profile')}>
              Import
            </Button>
          ) : null}
          {writer ? (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              New profile
            </Button>
          ) : null}
        </>
      }
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
        onClose={() => setCreating(false)}
        title="New profile"
        submitLabel="Create profile"
        onSaved={(p) => {
          setCreating(false);
          notifySuccess(`Profile ${recordTitle(resource, p)} created.`);
          navigate(`/profiles/${p.id}`);
        }}
      />
      <DeleteRecordModal
        resource={resource}
        record={toDelete}
        onClose={() => setToDelete(null)}
        consequence="Its subscriptions and the custom records linked to it go with it."
      />
    </RecordList>
  );
}
