// /audiences/audiences/:id: one audience. Its label, description and expiry (editable), the
// rules in the query editor for a query audience (saved with "Save query"), the count of the
// saved audience, the preview grid with its column chooser and the CSV export of the same
// columns, and delete after confirming. An expired audience cannot be counted, previewed or
// exported (the server answers 409) until its expiry is moved.

import {
  Alert, Anchor, Badge, Breadcrumbs, Button, Center, Code, Group, Loader, Paper, SimpleGrid, Stack, Text, Textarea,
  TextInput, Title, Tooltip,
} from '@mantine/core';
import { IconDeviceFloppy, IconDownload, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { audiences, type Audience, type AudiencePatch, type ResourceDef } from '../../api';
import { useCurrentUser } from '../../auth';
import { ConfirmModal } from '../../components/ConfirmModal';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { notifyError, notifySuccess } from '../../components/notify';
import { QueryEditor, type EditorValue } from '../../components/queryeditor/QueryEditor';
import { formatDateTime } from '../../format';
import { useInvalidate } from '../../hooks/useInvalidate';
import { stableJson } from '../../queryeditor/model';
import { formatCount } from '../../records/fields';
import { canWriteData } from '../../records/permissions';
import { useSchema } from '../../records/useSchema';
import { ExpiryText, KindBadge } from './AudiencesPage';
import { NotFoundPanel } from './NotFoundPanel';
import { QueryPreview } from './QueryPreview';
import { AUDIENCES_KEY, dateFromExpiry, expiryFromDate } from './SaveAudienceModal';

export function AudiencePage() {
  const { id = '' } = useParams();
  const schema = useSchema();
  const audience = useQuery({
    queryKey: [...AUDIENCES_KEY, 'one', id],
    queryFn: ({ signal }) => audiences.get(id, signal),
    retry: false,
  });
  if (audience.isPending || schema.isPending) return <Center py="xl"><Loader aria-label="Loading the audience" /></Center>;
  const error = audience.error ?? schema.error;
  if (error) {
    if (isAccessRefused(error)) return <AccessRefused needs="Audiences need a role with access to data." error={error} />;
    if ((error as { status?: number }).status === 404) return <NotFoundPanel what={`There is no audience #${id}.`} back="/audiences/audiences" />;
    return <LoadError error={error} onRetry={() => audience.refetch()} />;
  }
  const resources = schema.data!.resources;
  const resource = resources.find((r) => r.name === audience.data!.resource);
  if (!resource) return <NotFoundPanel what={`The audience is on “${audience.data!.resource}”, which the data model no longer has.`} back="/audiences/audiences" />;
  // Keyed on modifiedAt: a saved change starts the editors over from the server's version.
  return <AudienceView key={audience.data!.modifiedAt} audience={audience.data!} resource={resource} resources={resources} />;
}

function AudienceView({ audience: a, resource, resources }: { audience: Audience; resource: ResourceDef; resources: ResourceDef[] }) {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const writer = canWriteData(user.role);
  const invalidate = useInvalidate([AUDIENCES_KEY, ['audit']]);
  const [label, setLabel] = useState(a.label);
  const [description, setDescription] = useState(a.description ?? '');
  const [expires, setExpires] = useState(dateFromExpiry(a.expiresAt));
  const [rules, setRules] = useState<EditorValue | null>(null);
  const [deleting, setDeleting] = useState(false);

  const detailsChanged = label.trim() !== a.label || description.trim() !== (a.description ?? '') || expires !== dateFromExpiry(a.expiresAt);
  const rulesChanged = rules !== null && rules.input !== null && stableJson(rules.input) !== stableJson({ json: a.json });

  const save = useMutation({
    mutationFn: (patch: AudiencePatch) => audiences.update(a.id, patch),
    onSuccess: () => {
      notifySuccess('Audience saved.');
      invalidate();
    },
    onError: (err) => notifyError('Could not save the audience', err),
  });
  const remove = useMutation({
    mutationFn: () => audiences.remove(a.id),
    onSuccess: () => {
      notifySuccess(`Audience “${a.label}” deleted.`);
      invalidate();
      navigate('/audiences/audiences');
    },
    onError: (err) => notifyError('Could not delete the audience', err),
  });
  const count = useQuery({
    queryKey: [...AUDIENCES_KEY, 'count', a.id, a.modifiedAt],
    queryFn: ({ signal }) => audiences.count(a.id, signal),
    enabled: !a.expired,
    retry: false,
  });

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to="/audiences/audiences" size="sm">Audiences</Anchor>
        <Text size="sm">{a.label}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <Stack gap={4}>
          <Group gap="xs">
            <Title order={3}>{a.label}</Title>
            <KindBadge kind={a.kind} />
            {a.expired ? <Badge color="red" variant="filled">expired</Badge> : null}
          </Group>
          <Group gap="xs" data-testid="audience-count">
            {a.expired ? (
              <Text size="sm" c="dimmed">Expired: not counted.</Text>
            ) : count.isPending ? (
              <Loader size="xs" aria-label="Counting the audience" />
            ) : count.isError ? (
              <Text size="sm" c="red">{count.error.message}</Text>
            ) : (
              <Text size="sm" fw={600} data-count={count.data.count}>
                {formatCount(count.data.count)} {count.data.count === 1 ? 'profile' : 'profiles'}
                {a.kind === 'list' ? ' in the list' : ' today'}
              </Text>
            )}
            {!a.expired ? (
              <Button size="compact-xs" variant="subtle" leftSection={<IconRefresh size={12} />} onClick={() => count.refetch()} aria-label="Count again">
                Count again
              </Button>
            ) : null}
          </Group>
        </Stack>
        {writer ? (
          <Button variant="default" color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)}>
            Delete audience
          </Button>
        ) : null}
      </Group>

      {a.expired ? (
        <Alert color="orange" variant="light" role="alert" title="This audience has expired">
          It expired on {formatDateTime(a.expiresAt)}. Move its expiry to count, preview or export it again.
        </Alert>
      ) : null}

      <Paper withBorder radius="md" p="md" role="region" aria-label="Details">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
          <TextInput label="Label" required value={label} onChange={(e) => setLabel(e.currentTarget.value)} disabled={!writer} />
          <TextInput label="Expires on" type="date" value={expires} onChange={(e) => setExpires(e.currentTarget.value)} disabled={!writer} description="Empty: never." />
          <Stack gap={2}>
            <Text size="sm" fw={500}>Created</Text>
            <Text size="sm">{a.createdBy}, {formatDateTime(a.createdAt)}</Text>
            <Text size="sm" fw={500} mt={4}>Expiry</Text>
            <ExpiryText audience={a} />
          </Stack>
        </SimpleGrid>
        <Textarea label="Description" mt="sm" autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} disabled={!writer} />
        {writer ? (
          <Group justify="flex-end" mt="sm">
            <Button
              leftSection={<IconDeviceFloppy size={16} />}
              disabled={!detailsChanged || !label.trim()}
              loading={save.isPending && save.variables?.label !== undefined}
              onClick={() => save.mutate({ label: label.trim(), description: description.trim(), expiresAt: expiryFromDate(expires) })}
            >
              Save details
            </Button>
          </Group>
        ) : null}
      </Paper>

      {a.kind === 'query' ? (
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={4}>Rules</Title>
            {writer ? (
              <Tooltip label={rules?.problems.join('; ') || 'Nothing changed'} disabled={rulesChanged && rules?.complete} withArrow>
                <Button
                  leftSection={<IconDeviceFloppy size={16} />}
                  disabled={!rulesChanged || !rules?.complete}
                  loading={save.isPending && save.variables?.label === undefined}
                  onClick={() => rules?.input && save.mutate({ ...rules.input })}
                >
                  Save query
                </Button>
              </Tooltip>
            ) : null}
          </Group>
          <QueryEditor resources={resources} resource={a.resource} initialJson={a.json} onChange={setRules} />
        </Stack>
      ) : (
        <Paper withBorder radius="md" p="md">
          <Text size="sm" mb={4}>
            A fixed list of {a.memberCount === null ? 'its' : formatCount(a.memberCount)} members, taken on {formatDateTime(a.createdAt)} with:
          </Text>
          <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{a.expression ?? '— (made from a file)'}</Code>
        </Paper>
      )}

      <QueryPreview
        resource={resource}
        queryKey={[...AUDIENCES_KEY, 'one', String(a.id), a.modifiedAt]}
        fetch={(columns, signal) => audiences.preview(a.id, columns, 20, signal)}
        enabled={!a.expired}
        disabledText="An expired audience cannot be previewed."
        actions={(columns) =>
          a.expired ? null : (
            <Button component="a" href={audiences.exportUrl(a.id, columns)} download variant="default" leftSection={<IconDownload size={16} />} aria-label="Export CSV">
              Export CSV
            </Button>
          )
        }
      />

      <ConfirmModal
        opened={deleting}
        title={`Delete ${a.label}?`}
        confirmLabel="Delete audience"
        loading={remove.isPending}
        onCancel={() => setDeleting(false)}
        onConfirm={() => remove.mutate()}
      >
        The audience and its definition are deleted. The profiles themselves are not touched.
      </ConfirmModal>
    </Stack>
  );
}
