// Deleting a record, after confirming: the modal and the mutation, shared by list rows and record pages.

import { useMutation } from '@tanstack/react-query';

import { records, type DataRecord, type ResourceDef } from '../../api';
import { ConfirmModal } from '../../components/ConfirmModal';
import { notifyError, notifySuccess } from '../../components/notify';
import { useInvalidate } from '../../hooks/useInvalidate';
import { recordTitle } from '../../records/fields';
import { recordsKey } from '../../records/useSchema';

interface Props {
  resource: ResourceDef;
  record: DataRecord | null;
  onClose: () => void;
  onDeleted?: () => void;
  /** What else goes with it, e.g. "Their subscriptions are deleted too." */
  consequence?: string;
}

export function DeleteRecordModal({ resource, record, onClose, onDeleted, consequence }: Props) {
  const invalidate = useInvalidate([recordsKey(resource.name), ['audit']]);
  const remove = useMutation({
    mutationFn: (r: DataRecord) => records.remove(resource.name, r.id),
    onSuccess: (_, r) => {
      notifySuccess(`${recordTitle(resource, r)} deleted.`);
      onClose();
      onDeleted?.();
    },
    onError: (err) => notifyError(`Could not delete the ${resource.label.toLowerCase()}`, err),
    onSettled: invalidate,
  });
  const title = record ? recordTitle(resource, record) : '';
  return (
    <ConfirmModal
      opened={record !== null}
      title={`Delete ${title}?`}
      confirmLabel={`Delete ${resource.label.toLowerCase()}`}
      loading={remove.isPending}
      onCancel={onClose}
      onConfirm={() => record && remove.mutate(record)}
    >
      This {resource.label.toLowerCase()} is deleted for good; it cannot be undone.{consequence ? ` ${consequence}` : ''}
    </ConfirmModal>
  );
}
