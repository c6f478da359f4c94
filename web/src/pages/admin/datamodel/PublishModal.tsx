// Review & publish: a dry run shows the changes and the SQL; a change that deletes data is shown
// in red and needs the explicit "I understand this deletes data" (sent as allowDataLoss); then
// the real publish. Server errors are shown with their message and the model path they name.

import { Alert, Badge, Button, Checkbox, Code, Group, List, Loader, Modal, ScrollArea, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconAlertTriangle, IconCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { ApiError, schema, type PublishResult } from '../../../api';
import { notifySuccess } from '../../../components/notify';
import { publishBody, sqlScript } from '../../../records/draft';
import { SCHEMA_KEY } from '../../../records/useSchema';
import { useDraft } from './DraftContext';

function ServerError({ error }: { error: Error }) {
  const path = error instanceof ApiError && typeof error.details.path === 'string' ? error.details.path : null;
  return (
    <Alert color="red" variant="light" role="alert" title="The server refused the model" icon={<IconAlertTriangle size={18} />}>
      <Text size="sm">{error.message}</Text>
      {path ? <Text size="sm" mt={4}>At <Code>{path}</Code></Text> : null}
    </Alert>
  );
}

export function PublishModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { draft, discard } = useDraft();
  const client = useQueryClient();
  const [understood, setUnderstood] = useState(false);

  const dryRun = useMutation({ mutationFn: () => schema.publish(publishBody(draft, { dryRun: true })) });
  const publish = useMutation({
    mutationFn: (allowDataLoss: boolean) => schema.publish(publishBody(draft, { allowDataLoss })),
    onSuccess: (result) => {
      notifySuccess(result.applied ? `Data model published (version ${result.version}).` : 'Nothing to publish.');
      discard();
      client.invalidateQueries({ queryKey: SCHEMA_KEY });
      client.invalidateQueries({ queryKey: ['records'] });
      client.invalidateQueries({ queryKey: ['audit'] });
      onClose();
    },
  });

  useEffect(() => {
    if (!opened) return;
    setUnderstood(false);
    publish.reset();
    dryRun.mutate();
  }, [opened]);

  const plan: PublishResult | undefined = dryRun.data;
  const nothing = plan && plan.changes.length === 0 && plan.statements.length === 0;
  const blocked = !plan || nothing || (plan.losesData && !understood);

  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>Review & publish the data model</Text>} size="xl" centered>
      <Stack>
        {dryRun.isPending ? (
          <Group gap="sm"><Loader size="sm" /><Text size="sm">Preparing the publication (dry run)…</Text></Group>
        ) : null}
        {dryRun.error ? <ServerError error={dryRun.error} /> : null}
        {nothing ? <Text size="sm">Nothing to publish: the draft is the same as the published model.</Text> : null}
        {plan && !nothing ? (
          <>
            <div>
              <Text fw={600} size="sm" mb={6}>Changes</Text>
              <List size="sm" spacing={4} aria-label="Changes">
                {plan.changes.map((c, i) => (
                  <List.Item
                    key={i}
                    icon={
                      <ThemeIcon size={18} radius="xl" color={c.losesData ? 'red' : 'teal'} variant="light">
                        {c.losesData ? <IconAlertTriangle size={12} /> : <IconCheck size={12} />}
                      </ThemeIcon>
                    }
                  >
                    <Text size="sm" c={c.losesData ? 'red.8' : undefined} fw={c.losesData ? 600 : undefined}>
                      {c.description}
                      {c.losesData ? <Badge ml="xs" size="xs" color="red" variant="light">deletes data</Badge> : null}
                    </Text>
                  </List.Item>
                ))}
              </List>
            </div>
            <div>
              <Text fw={600} size="sm" mb={6}>SQL statements ({plan.statements.length})</Text>
              <ScrollArea.Autosize mah={280} type="auto">
                <Code block data-testid="publish-sql" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                  {sqlScript(plan.statements)}
                </Code>
              </ScrollArea.Autosize>
            </div>
            {plan.losesData ? (
              <Alert color="red" variant="filled" icon={<IconAlertTriangle size={18} />} title="This publication deletes data">
                <Text size="sm">
                  The changes marked “deletes data” drop columns or tables, with the values stored in them. This cannot be undone.
                </Text>
                <Checkbox
                  mt="sm"
                  color="white"
                  iconColor="red"
                  styles={{ label: { color: 'white', fontWeight: 600 } }}
                  label="I understand this deletes data"
                  checked={understood}
                  onChange={(e) => setUnderstood(e.currentTarget.checked)}
                />
              </Alert>
            ) : null}
          </>
        ) : null}
        {publish.error ? <ServerError error={publish.error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={publish.isPending}>Cancel</Button>
          <Button
            color={plan?.losesData ? 'red' : undefined}
            onClick={() => publish.mutate(Boolean(plan?.losesData && understood))}
            disabled={blocked}
            loading={publish.isPending}
          >
            Publish
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
