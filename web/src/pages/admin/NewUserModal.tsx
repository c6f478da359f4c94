import { Alert, Button, Group, Modal, NativeSelect, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { ROLES, users, type Role } from '../../api';
import { notifySuccess } from '../../components/notify';
import { ROLE_LABELS } from '../../format';

const EMPTY = { username: '', displayName: '', role: 'marketer' as Role, password: '' };

export function NewUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [form, setForm] = useState(EMPTY);

  const create = useMutation({
    mutationFn: () =>
      users.create({
        username: form.username.trim(),
        password: form.password,
        role: form.role,
        ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}),
      }),
    onSuccess: (user) => {
      notifySuccess(`User ${user.username} created.`);
      client.invalidateQueries({ queryKey: ['users'] });
      client.invalidateQueries({ queryKey: ['audit'] });
      close();
    },
  });

  const close = () => {
    setForm(EMPTY);
    create.reset();
    onClose();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <Modal opened={opened} onClose={close} title="New user" centered>
      <form onSubmit={submit} aria-label="New user">
        <Stack>
          {create.isError ? (
            <Alert color="red" variant="light" role="alert" title="Could not create the user">
              {create.error.message}
            </Alert>
          ) : null}
          <TextInput
            label="Username"
            required
            data-autofocus
            autoComplete="off"
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.currentTarget.value })}
          />
          <TextInput
            label="Display name"
            autoComplete="off"
            value={form.displayName}
            onChange={(e) => setForm({ ...form, displayName: e.currentTarget.value })}
          />
          <NativeSelect
            label="Role"
            required
            data={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}
          />
          <PasswordInput
            label="Password"
            description="At least 12 characters."
            required
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
