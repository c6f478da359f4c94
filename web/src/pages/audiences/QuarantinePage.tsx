// Profiles & audiences > Quarantine: addresses not to send to, filtered by status and channel;
// add one by hand; release one (it becomes valid again) after confirming.

import { Button, Group, NativeSelect } from '@mantine/core';
import { IconLockOpen, IconPlus } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState } from 'react';

import { quarantine, type DataRecord, type ResourceDef } from '../../api';
import { useCurrentUser } from '../../auth';
import { ConfirmModal } from '../../components/ConfirmModal';
import { notifyError, notifySuccess } from '../../components/notify';
import { useInvalidate } from '../../hooks/useInvalidate';
import { formFields } from '../../records/fields';
import { canWriteData } from '../../records/permissions';
import { RecordFormModal } from '../../records/RecordFormModal';
import { RecordList } from '../../records/RecordList';
import { recordsKey } from '../../records/useSchema';
import { SchemaGate } from './SchemaGate';

export function QuarantinePage() {
  return <SchemaGate name="quarantine">{(resource) => <Quarantine resource={resource} />}</SchemaGate>;
}

function Quarantine({ resource }: { resource: ResourceDef }) {
  const user = useCurrentUser();
  const writer = canWriteData(user.role);
  const [status, setStatus] = useState('');
  const [channel, setChannel] = useState('');
  const [adding, setAdding] = useState(false);
  const [toRelease, setToRelease] = useState<DataRecord | null>(null);
  const invalidate = useInvalidate([recordsKey('quarantine'), ['audit']]);
  const fields = useMemo(() => new Map(formFields(resource).map((f) => [f.name, f])), [resource]);
  const statusOptions = fields.get('status')?.options ?? [];
  const channelOptions = fields.get('channel')?.options ?? [];
  const statusLabel = (v: unknown) => statusOptions.find((o) => o.value === v)?.label ?? String(v);

  const release = useMutation({
    mutationFn: (r: DataRecord) => quarantine.release(r.id),
    onSuccess: (r) => {
      notifySuccess(`${String(r.address)} released: it is valid again.`);
      setToRelease(null);
    },
    onError: (err) => notifyError('Could not release the address', err),
    onSettled: invalidate,
  });

  return (
    <RecordList
      resource={resource}
      columns={['address', 'channel', 'status', 'reason', 'errorCount', 'lastErrorAt']}
      initialSort={{ key: 'lastErrorAt', dir: 'desc' }}
      filters={{ status, channel }}
      searchPlaceholder="Address or reason"
      actions={
        <>
          <NativeSelect label="Status" data={[{ value: '', label: 'Any status' }, ...statusOptions]} value={status} onChange={(e) => setStatus(e.currentTarget.value)} w={160} />
          <NativeSelect label="Channel" data={[{ value: '', label: 'Any channel' }, ...channelOptions]} value={channel} onChange={(e) => setChannel(e.currentTarget.value)} w={150} />
          {writer ? <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>Add address</Button> : null}
        </>
      }
      rowActions={(row) => (
        <Group gap="xs" justify="flex-end" wrap="nowrap">
          {writer && row.status !== 'valid' ? (
            <Button size="xs" variant="light" leftSection={<IconLockOpen size={14} />} aria-label={`Release ${String(row.address)}`} onClick={() => setToRelease(row)}>
              Release
            </Button>
          ) : null}
        </Group>
      )}
    >
      <RecordFormModal
        resource={resource}
        opened={adding}
        only={['address', 'channel', 'status', 'reason']}
        initial={{ status: 'denylisted' }}
        title="Add an address to quarantine"
        submitLabel="Add address"
        onClose={() => setAdding(false)}
        onSaved={(r) => {
          notifySuccess(`${String(r.address)} added (${statusLabel(r.status)}).`);
          setAdding(false);
        }}
      />
      <ConfirmModal
        opened={toRelease !== null}
        title={`Release ${String(toRelease?.address ?? '')}?`}
        confirmLabel="Release"
        color="indigo"
        loading={release.isPending}
        onCancel={() => setToRelease(null)}
        onConfirm={() => toRelease && release.mutate(toRelease)}
      >
        Messages will be sent to this address again. Its status becomes Valid and its error count restarts at 0; the
        last reason stays for the record.
      </ConfirmModal>
    </RecordList>
  );
}
