// "Preview & proofs": the saved content rendered by the server for a test profile or a profile
// (POST /deliveries/{id}/preview) at desktop or mobile width; the proof recipients (test
// profiles), "Send proof" and the proofs sent so far.

import { Alert, Badge, Button, Group, MultiSelect, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconSend } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { records } from '../../api';
import { notifyError, notifySuccess } from '../../components/notify';
import { formatDateTime } from '../../format';
import { DELIVERIES_KEY, deliveries, type Delivery, type PreviewTarget } from '../../deliveries/api';
import type { Draft } from '../../deliveries/draft';
import { PreviewFrame, RecipientPicker, WidthSwitch, type PreviewWidth } from '../../deliveries/Preview';
import { LOG_STATUS_COLORS } from '../../deliveries/SendingHistory';

interface Props {
  delivery: Delivery;
  draft: Draft;
  setDraft: (update: (d: Draft) => Draft) => void;
  dirty: boolean;
  /** Saves the unsaved changes first (proofs and previews use what is saved). */
  save: () => Promise<Delivery | null>;
}

export function PreviewProofs({ delivery, draft, setDraft, dirty, save }: Props) {
  const client = useQueryClient();
  const [target, setTarget] = useState<PreviewTarget | null>(null);
  const [width, setWidth] = useState<PreviewWidth>('desktop');
  const canProof = delivery.allowedActions.includes('proof');
  const tests = useQuery({
    queryKey: ['records', 'testProfile', 'picker'],
    queryFn: ({ signal }) => records.list('testProfile', { limit: 100 }, signal),
  });
  const preview = useQuery({
    queryKey: [...DELIVERIES_KEY, delivery.id, 'preview', delivery.version, target],
    queryFn: ({ signal }) => deliveries.preview(delivery.id, target!, signal),
    enabled: target !== null,
    retry: false,
  });
  const proofs = useQuery({
    queryKey: [...DELIVERIES_KEY, delivery.id, 'proofs'],
    queryFn: ({ signal }) => deliveries.proofs(delivery.id, signal),
  });
  const send = useMutation({
    mutationFn: async () => {
      if (dirty && !(await save())) throw new Error('Save your changes first.');
      return deliveries.proof(delivery.id, draft.settings.testProfileIds);
    },
    onSuccess: (r) => {
      const failed = r.recipients.filter((x) => x.status !== 'sent');
      if (failed.length) notifyError(`Proof ${r.number}: ${failed.length} not sent`, new Error(failed.map((f) => `${f.address}: ${f.reason}`).join('; ')));
      else notifySuccess(`Proof ${r.number} sent to ${r.recipients.map((x) => x.address).join(', ')}.`);
      client.invalidateQueries({ queryKey: [...DELIVERIES_KEY, delivery.id] });
    },
    onError: (e) => notifyError('The proof was not sent', e),
  });
  const testData = (tests.data?.items ?? []).map((r) => ({
    value: String(r.id),
    label: `${String(r.label ?? `#${r.id}`)}${r.email ? ` <${String(r.email)}>` : ''}`,
  }));

  return (
    <Stack gap="lg">
      <Paper withBorder radius="md" p="md">
        <Group justify="space-between" mb="xs">
          <Title order={5}>Preview</Title>
          <WidthSwitch value={width} onChange={setWidth} />
        </Group>
        <RecipientPicker value={target} onChange={setTarget} />
        {dirty ? <Text size="xs" c="orange" mt={4}>The preview shows the saved version; save to see your latest changes.</Text> : null}
        <div style={{ marginTop: 12 }}>
          {!target ? <Text size="sm" c="dimmed">Choose a test profile or a profile to render the email for.</Text> : null}
          {preview.isError ? (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="The email does not render for this recipient">
              {preview.error.message}
            </Alert>
          ) : null}
          {preview.data ? <PreviewFrame html={preview.data.html} width={width} subject={preview.data.subject} title="Delivery preview" /> : null}
        </div>
      </Paper>

      <Paper withBorder radius="md" p="md">
        <Title order={5} mb="xs">Proofs</Title>
        <Text size="sm" c="dimmed" mb="sm">A proof is the email as recipients get it, with “[Proof n]” before the subject, sent to test profiles.</Text>
        <Group align="flex-end">
          <MultiSelect
            label="Proof recipients (test profiles)"
            placeholder={testData.length ? 'Choose test profiles' : 'No test profile yet'}
            data={testData}
            value={draft.settings.testProfileIds.map(String)}
            onChange={(v) => setDraft((d) => ({ ...d, settings: { ...d.settings, testProfileIds: v.map(Number) } }))}
            w={420}
            searchable
            readOnly={!delivery.allowedActions.includes('edit')}
          />
          <Button
            leftSection={<IconSend size={16} />}
            onClick={() => send.mutate()}
            loading={send.isPending}
            disabled={!canProof || draft.settings.testProfileIds.length === 0}
          >
            Send proof
          </Button>
        </Group>
        {!canProof ? <Text size="xs" c="dimmed" mt={4}>Proofs can be sent in draft, ready and scheduled.</Text> : null}
        <Table mt="md" striped aria-label="Proofs sent" data-testid="proofs">
          <Table.Thead>
            <Table.Tr><Table.Th>Proof</Table.Th><Table.Th>To</Table.Th><Table.Th>Status</Table.Th><Table.Th>Sent</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(proofs.data?.items ?? []).map((p, i) => (
              <Table.Tr key={i} data-proof={p.number}>
                <Table.Td>#{p.number}</Table.Td>
                <Table.Td><Text size="sm">{p.address}</Text></Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={LOG_STATUS_COLORS[p.status] ?? 'gray'}>{p.status}</Badge>
                  {p.reason ? <Text size="xs" c="dimmed">{p.reason}</Text> : null}
                </Table.Td>
                <Table.Td><Text size="sm">{formatDateTime(p.sentAt)}</Text><Text size="xs" c="dimmed">{p.sentBy}</Text></Table.Td>
              </Table.Tr>
            ))}
            {proofs.data && proofs.data.items.length === 0 ? (
              <Table.Tr><Table.Td colSpan={4}><Text size="sm" c="dimmed">No proof sent yet.</Text></Table.Td></Table.Tr>
            ) : null}
          </Table.Tbody>
        </Table>
        {proofs.isError ? <Text size="sm" c="red">{proofs.error.message}</Text> : null}
      </Paper>
    </Stack>
  );
}
