// /audiences/resources/:name/:id: one record of a custom resource, edited in place.

import { Anchor, Breadcrumbs, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { records, type ResourceDef } from '../../api';
import { useCurrentUser } from '../../auth';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { recordTitle } from '../../records/fields';
import { canWriteData } from '../../records/permissions';
import { RecordEditor } from '../../records/RecordEditor';
import { recordsKey } from '../../records/useSchema';
import { DeleteRecordModal } from './DeleteRecord';
import { NotFoundPanel } from './NotFoundPanel';
import { SchemaGate } from './SchemaGate';

export function CustomRecordPage() {
  const { name = '' } = useParams();
  return <SchemaGate name={name}>{(resource) => <CustomRecord resource={resource} />}</SchemaGate>;
}

function CustomRecord({ resource }: { resource: ResourceDef }) {
  const { id = '' } = useParams();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const writer = canWriteData(user.role);
  const [deleting, setDeleting] = useState(false);
  const list = `/audiences/resources/${resource.name}`;
  const query = useQuery({
    queryKey: [...recordsKey(resource.name), 'one', id],
    queryFn: ({ signal }) => records.get(resource.name, id, signal),
    retry: false,
  });

  if (query.isPending) return <Center py="xl"><Loader aria-label="Loading" /></Center>;
  if (query.isError) {
    if (isAccessRefused(query.error)) return <AccessRefused needs="Reading data needs a role with access to data." error={query.error} />;
    if ((query.error as { status?: number }).status === 404) return <NotFoundPanel what={`There is no ${resource.label.toLowerCase()} #${id}.`} back={list} />;
    return <LoadError error={query.error} onRetry={() => query.refetch()} />;
  }
  const record = query.data;
  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to={list} size="sm">{resource.pluralLabel}</Anchor>
        <Text size="sm">{recordTitle(resource, record)}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <Title order={3}>{recordTitle(resource, record)}</Title>
        {writer ? (
          <Button variant="light" color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)}>
            Delete {resource.label.toLowerCase()}
          </Button>
        ) : null}
      </Group>
      <RecordEditor resource={resource} record={record} canWrite={writer} />
      <DeleteRecordModal resource={resource} record={deleting ? record : null} onClose={() => setDeleting(false)} onDeleted={() => navigate(list)} />
    </Stack>
  );
}
