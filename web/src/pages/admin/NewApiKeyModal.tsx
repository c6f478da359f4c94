import { Alert, Button, Checkbox, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { apiKeys, type CreatedApiKey } from '../../api';

interface Props {
  opened: boolean;
  onClose: () => void;
  onCreated: (key: CreatedApiKey) => void;
}

export function NewApiKeyModal({ opened, onClose, onCreated }: Props) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [write, setWrite] = useState(false);

  const create = useMutation({
    mutationFn: () => apiKeys.create({ name: name.trim(), scopes: write ? ['read', 'write'] : ['read'] }),
    onSuccess: (key) => {
      client.invalidateQueries({ queryKey: ['api-keys'] });
      client.invalidateQueries({ queryKey: ['audit'] });
      reset();
      onCreated(key);
    },
  });

  const reset = () => {
    setName('');
    setWrite(false);
    create.reset();
  };

  const close = () => {
    reset();
    onClose();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <Modal opened={opened} onClose={close} title="New API key" centered>
      <form onSubmit={submit} aria-label="New API key">
        <Stack>
          {create.isError ? (
            <Alert color="red" variant="light" role="alert" title="Could not create the key">
              {create.error.message}
            </Alert>
          ) : null}
          <TextInput
            label="Key name"
            description="What the key is for, e.g. “CRM nightly import”."
            required
            data-autofocus
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Checkbox label="Read" description="Always granted: read data through the API." checked disabled readOnly />
          <Checkbox
            label="Write"
            description="Also create, change and delete data."
            checked={write}
            onChange={(e) => setWrite(e.currentTarget.checked)}
          />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create key
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
