// /profiles/:id: every field in groups, edited in place; subscriptions (subscribe, unsubscribe);
// sending history (the deliveries sent to it); delete after confirming.

import { Anchor, Breadcrumbs, Button, Center, Grid, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { records, type ResourceDef } from '../../api';
import { useCurrentUser } from '../../auth';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { formatDateTime } from '../../format';
import { recordTitle } from '../../records/fields';
import { canWriteData } from '../../records/permissions';
import { RecordEditor } from '../../records/RecordEditor';
import { recordsKey } from '../../records/useSchema';
import { DeleteRecordModal } from './DeleteRecord';
import { NotFoundPanel } from './NotFoundPanel';
import { SchemaGate } from './SchemaGate';
import { ProfileSubscriptions } from './ProfileSubscriptions';
import { SendingHistory } from '../../deliveries/SendingHistory';
import { ProfileTracking } from '../../reports/ProfileTracking';

export function ProfilePage() {
  return <SchemaGate name="profile">{(resource) => <Profile resource={resource} />}</SchemaGate>;
}

function Profile({ resource }: { resource: ResourceDef }) {
  const { id = '' } = useParams();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const [deleting, setDeleting] = useState(false);
  const writer = canWriteData(user.role);
  const query = useQuery({
    queryKey: [...recordsKey('profile'), 'one', id],
    queryFn: ({ signal }) => records.get('profile', id, signal),
    retry: false,
  });

  if (query.isPending) return <Center py="xl"><Loader aria-label="Loading the profile" /></Center>;
  if (query.isError) {
    if (isAccessRefused(query.error)) return <AccessRefused needs="Reading profiles needs a role with access to data." error={query.error} />;
    if ((query.error as { status?: number }).status === 404) return <NotFoundPanel what={`There is no profile #${id}.`} back="/audiences/profiles" />;
    return <LoadError error={query.error} onRetry={() => query.refetch()} />;
  }
  const profile = query.data;
  const title = recordTitle(resource, profile);

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to="/audiences/profiles" size="sm">Profiles & audiences</Anchor>
        <Anchor component={Link} to="/audiences/profiles" size="sm">Profiles</Anchor>
        <Text size="sm">{title}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>{title}</Title>
          <Text size="sm" c="dimmed">
            Profile #{profile.id} · created {formatDateTime(String(profile.createdAt ?? ''))}
            {profile.createdBy ? ` by ${String(profile.createdBy)}` : ''} · modified {formatDateTime(String(profile.modifiedAt ?? ''))}
          </Text>
        </Stack>
        {writer ? (
          <Button variant="light" color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)}>
            Delete profile
          </Button>
        ) : null}
      </Group>

      <Grid gutter="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <RecordEditor resource={resource} record={profile} canWrite={writer} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            <ProfileSubscriptions profileId={profile.id} canWrite={writer} />
            <SendingHistory profileId={profile.id} />
            <ProfileTracking profileId={profile.id} />
          </Stack>
        </Grid.Col>
      </Grid>

      <DeleteRecordModal
        resource={resource}
        record={deleting ? profile : null}
        onClose={() => setDeleting(false)}
        onDeleted={() => navigate('/audiences/profiles')}
        consequence="Its subscriptions and the custom records linked to it go with it."
      />
    </Stack>
  );
}
