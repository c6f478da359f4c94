// Administration > Data model: the draft banner (unpublished changes, Review & publish, Discard)
// above the resources list or a resource's page.

import { Alert, Button, Center, Group, List, Loader, Text } from '@mantine/core';
import { IconEye, IconPencil } from '@tabler/icons-react';
import { useState } from 'react';
import { Outlet } from 'react-router';

import { AccessRefused, isAccessRefused, LoadError } from '../../../components/ErrorAlert';
import { draftSummary } from '../../../records/draft';
import { DraftProvider, useDraft } from './DraftContext';
import { PublishModal } from './PublishModal';

export function DataModelLayout() {
  return (
    <DraftProvider>
      <DataModelFrame />
    </DraftProvider>
  );
}

function DataModelFrame() {
  const { schema, dirty, canEdit, published, draft, discard } = useDraft();
  const [reviewing, setReviewing] = useState(false);

  if (schema.isPending) return <Center py="xl"><Loader aria-label="Loading the data model" /></Center>;
  if (schema.isError) {
    if (isAccessRefused(schema.error)) return <AccessRefused needs="Reading the data model needs a role with access to data." error={schema.error} />;
    return <LoadError error={schema.error} onRetry={() => schema.refetch()} />;
  }

  const summary = dirty ? draftSummary(published, draft) : [];
  return (
    <>
      {!canEdit ? (
        <Alert color="gray" variant="light" icon={<IconEye size={18} />} mb="md" title="Read only">
          Only administrators and data managers change the data model.
        </Alert>
      ) : dirty ? (
        <Alert color="indigo" variant="light" icon={<IconPencil size={18} />} mb="md" title="Unpublished changes in your draft" data-testid="draft-banner">
          <Group justify="space-between" align="flex-start" wrap="nowrap">
            <List size="sm" spacing={2}>
              {summary.slice(0, 8).map((s) => <List.Item key={s}>{s}</List.Item>)}
              {summary.length > 8 ? <List.Item>and {summary.length - 8} more</List.Item> : null}
            </List>
            <Group gap="sm" wrap="nowrap">
              <Button variant="default" onClick={discard}>Discard draft</Button>
              <Button onClick={() => setReviewing(true)}>Review & publish</Button>
            </Group>
          </Group>
        </Alert>
      ) : (
        <Text size="sm" c="dimmed" mb="md">
          Changes are made in a draft first: nothing reaches the database until you review the SQL and publish.
        </Text>
      )}
      <Outlet />
      <PublishModal opened={reviewing} onClose={() => setReviewing(false)} />
    </>
  );
}
