// A form in a modal that creates something: the form state, the mutation, the server's error shown
// inline, Cancel and submit buttons; on success the listed queries are refreshed and the form emptied.

import { Alert, Button, Group, Modal, Stack } from '@mantine/core';
import { useMutation, type QueryKey } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';

import { useInvalidate } from '../hooks/useInvalidate';

interface FormModalOptions<F, R> {
  /** The empty form; also what it goes back to after success or close. */
  empty: F;
  submit: (form: F) => Promise<R>;
  /** Queries to refresh once it succeeded, e.g. [['users'], ['audit']]. */
  invalidates: QueryKey[];
  /** Runs after success, once the form is emptied: notify, close, show what was created. */
  onSuccess: (result: R) => void;
  /** Closes the modal (the page's `opened` goes false). */
  onClose: () => void;
}

/** The state of a FormModal: `form` and `set(field, value)` for the fields, `modal` to spread onto <FormModal>. */
export function useFormModal<F, R>({ empty, submit, invalidates, onSuccess, onClose }: FormModalOptions<F, R>) {
  const invalidate = useInvalidate(invalidates);
  const [form, setForm] = useState<F>(empty);

  const mutation = useMutation({
    mutationFn: submit,
    onSuccess: (result) => {
      invalidate();
      reset();
      onSuccess(result);
    },
  });

  const reset = () => {
    setForm(empty);
    mutation.reset();
  };

  const close = () => {
    reset();
    onClose();
  };

  const set = <K extends keyof F>(field: K, value: F[K]) => setForm((f) => ({ ...f, [field]: value }));

  const modal = {
    onClose: close,
    onSubmit: () => mutation.mutate(form),
    pending: mutation.isPending,
    error: mutation.error,
  };
  return { form, set, modal };
}

interface Props {
  opened: boolean;
  /** The modal's title, also the form's accessible name. */
  title: string;
  /** The error alert's title, e.g. "Could not create the user". */
  errorTitle: string;
  submitLabel: string;
  onClose: () => void;
  onSubmit: () => void;
  pending: boolean;
  error: Error | null;
  /** The fields. */
  children: ReactNode;
  /** The modal's width (Mantine size); "md" unless told. */
  size?: string;
}

export function FormModal({ opened, title, errorTitle, submitLabel, onClose, onSubmit, pending, error, children, size = 'md' }: Props) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };

  return (
    <Modal opened={opened} onClose={onClose} title={title} centered size={size}>
      <form onSubmit={submit} aria-label={title}>
        <Stack>
          {error ? (
            <Alert color="red" variant="light" role="alert" title={errorTitle}>
              {error.message}
            </Alert>
          ) : null}
          {children}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" loading={pending}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
