import { NativeSelect, PasswordInput, TextInput } from '@mantine/core';

import { ROLES, users, type Role } from '../../api';
import { FormModal, useFormModal } from '../../components/FormModal';
import { notifySuccess } from '../../components/notify';
import { ROLE_LABELS } from '../../format';

const EMPTY = { username: '', displayName: '', role: 'marketer' as Role, password: '' };

export function NewUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { form, set, modal } = useFormModal({
    empty: EMPTY,
    submit: (f) =>
      users.create({
        username: f.username.trim(),
        password: f.password,
        role: f.role,
        ...(f.displayName.trim() ? { displayName: f.displayName.trim() } : {}),
      }),
    invalidates: [['users'], ['audit']],
    onSuccess: (user) => {
      notifySuccess(`User ${user.username} created.`);
      onClose();
    },
    onClose,
  });

  return (
    <FormModal opened={opened} title="New user" errorTitle="Could not create the user" submitLabel="Create user" {...modal}>
      <TextInput
        label="Username"
        required
        data-autofocus
        autoComplete="off"
        value={form.username}
        onChange={(e) => set('username', e.currentTarget.value)}
      />
      <TextInput
        label="Display name"
        autoComplete="off"
        value={form.displayName}
        onChange={(e) => set('displayName', e.currentTarget.value)}
      />
      <NativeSelect
        label="Role"
        required
        data={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
        value={form.role}
        onChange={(e) => set('role', e.currentTarget.value as Role)}
      />
      <PasswordInput
        label="Password"
        description="At least 12 characters."
        required
        autoComplete="new-password"
        value={form.password}
        onChange={(e) => set('password', e.currentTarget.value)}
      />
    </FormModal>
  );
}
