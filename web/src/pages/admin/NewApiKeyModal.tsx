import { Checkbox, TextInput } from '@mantine/core';

import { apiKeys, type CreatedApiKey } from '../../api';
import { FormModal, useFormModal } from '../../components/FormModal';

interface Props {
  opened: boolean;
  onClose: () => void;
  onCreated: (key: CreatedApiKey) => void;
}

export function NewApiKeyModal({ opened, onClose, onCreated }: Props) {
  const { form, set, modal } = useFormModal({
    empty: { name: '', write: false },
    submit: ({ name, write }) => apiKeys.create({ name: name.trim(), scopes: write ? ['read', 'write'] : ['read'] }),
    invalidates: [['api-keys'], ['audit']],
    onSuccess: onCreated,
    onClose,
  });

  return (
    <FormModal opened={opened} title="New API key" errorTitle="Could not create the key" submitLabel="Create key" {...modal}>
      <TextInput
        label="Key name"
        description="What the key is for, e.g. “CRM nightly import”."
        required
        data-autofocus
        value={form.name}
        onChange={(e) => set('name', e.currentTarget.value)}
      />
      <Checkbox label="Read" description="Always granted: read data through the API." checked disabled readOnly />
      <Checkbox
        label="Write"
        description="Also create, change and delete data."
        checked={form.write}
        onChange={(e) => set('write', e.currentTarget.checked)}
      />
    </FormModal>
  );
}
