// /audiences/audiences/new: the query editor on profiles, its live count and preview, and
// "Save as audience".

import { Anchor, Breadcrumbs, Button, Center, Group, Loader, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';

import { query } from '../../api';
import { useCurrentUser } from '../../auth';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { notifySuccess } from '../../components/notify';
import { QueryEditor, type EditorValue } from '../../components/queryeditor/QueryEditor';
import { canWriteData } from '../../records/permissions';
import { useSchema } from '../../records/useSchema';
import { QueryPreview } from './QueryPreview';
import { SaveAudienceModal } from './SaveAudienceModal';

const RESOURCE = 'profile';

export function NewAudiencePage() {
  const schema = useSchema();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const [value, setValue] = useState<EditorValue>({ input: null, complete: true, problems: [] });
  const [saving, setSaving] = useState(false);
  // The preview follows the rules like the live count: once they stop changing.
  const [previewed] = useDebouncedValue(value, 400);

  if (schema.isPending) return <Center py="xl"><Loader aria-label="Loading the data model" /></Center>;
  if (schema.isError) {
    if (isAccessRefused(schema.error)) return <AccessRefused needs="Audiences need a role with access to data." error={schema.error} />;
    return <LoadError error={schema.error} onRetry={() => schema.refetch()} />;
  }
  const resources = schema.data.resources;
  const profile = resources.find((r) => r.name === RESOURCE);
  if (!profile) return <LoadError error={new Error('The data model has no profile resource.')} />;

  const canSave = value.complete && value.input !== null;
  const why = !value.input ? 'Add at least one rule first.' : value.problems.join('; ');

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to="/audiences/audiences" size="sm">Audiences</Anchor>
        <Text size="sm">New audience</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={3}>New audience</Title>
          <Text size="sm" c="dimmed">Describe the profiles you want with rules; the count follows as you edit.</Text>
        </Stack>
        {canWriteData(user.role) ? (
          <Tooltip label={why} disabled={canSave} withArrow>
            <Button leftSection={<IconDeviceFloppy size={16} />} disabled={!canSave} onClick={() => setSaving(true)}>
              Save as audience
            </Button>
          </Tooltip>
        ) : null}
      </Group>
      <QueryEditor resources={resources} resource={RESOURCE} onChange={setValue} />
      <QueryPreview
        resource={profile}
        queryKey={['query', RESOURCE, JSON.stringify(previewed.input)]}
        fetch={(columns, signal) => query.preview(RESOURCE, previewed.input!, columns, 20, signal)}
        enabled={previewed.complete && previewed.input !== null}
        disabledText={value.input ? 'Complete the rules to preview the profiles.' : 'Add a rule to preview the profiles it selects.'}
      />
      <SaveAudienceModal
        opened={saving}
        onClose={() => setSaving(false)}
        resource={RESOURCE}
        input={value.input}
        onSaved={(a) => {
          setSaving(false);
          notifySuccess(`Audience “${a.label}” saved.`);
          navigate(`/audiences/audiences/${a.id}`);
        }}
      />
    </Stack>
  );
}
