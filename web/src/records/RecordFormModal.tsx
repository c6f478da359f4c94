// Create or edit one record in a modal, with the inputs built from the resource's fields.
// A server error naming a field (details.field) is shown under that input as well as on top.

import { SimpleGrid } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';

import { records, type DataRecord, type ResourceDef } from '../api';
import { FormModal } from '../components/FormModal';
import { useInvalidate } from '../hooks/useInvalidate';
import { errorField } from './errors';
import { editableFields, emptyForm, formFields, formToBody, recordToForm, type FormValues } from './fields';
import { RecordInput } from './RecordInput';
import { recordsKey } from './useSchema';

interface Props {
  resource: ResourceDef;
  opened: boolean;
  onClose: () => void;
  /** The record to edit; a new one when absent. */
  record?: DataRecord | null;
  /** The fields to show, in this order; every editable field when absent. */
  only?: string[];
  /** Starting values of a new record. */
  initial?: FormValues;
  title: string;
  submitLabel: string;
  onSaved: (record: DataRecord) => void;
}

export function RecordFormModal({ resource, opened, onClose, record, only, initial, title, submitLabel, onSaved }: Props) {
  const fields = useMemo(() => {
    const all = editableFields(formFields(resource));
    if (!only) return all;
    return only.map((n) => all.find((f) => f.name === n)).filter((f): f is NonNullable<typeof f> => !!f);
  }, [resource, only]);
  const original = useMemo(() => (record ? recordToForm(fields, record) : null), [fields, record]);
  const [form, setForm] = useState<FormValues>(() => original ?? emptyForm(fields, initial));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const invalidate = useInvalidate([recordsKey(resource.name), ['audit']]);

  const mutation = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      record ? records.update(resource.name, record.id, body) : records.create(resource.name, body),
    onSuccess: (saved) => {
      invalidate();
      onSaved(saved);
    },
    onError: (err) => {
      const field = errorField(err);
      if (field) setFieldErrors({ [field]: err.message });
    },
  });

  useEffect(() => {
    if (!opened) return;
    setForm(original ?? emptyForm(fields, initial));
    setFieldErrors({});
    mutation.reset();
    // Reset when the modal opens, or on another record.
  }, [opened, original]);

  const submit = () => {
    const { body, errors } = formToBody(fields, form, original ?? undefined);
    setFieldErrors(errors);
    if (Object.keys(errors).length) return;
    if (record && Object.keys(body).length === 0) {
      onClose();
      return;
    }
    mutation.mutate(body);
  };

  const wide = fields.length > 6;
  return (
    <FormModal
      opened={opened}
      title={title}
      errorTitle={record ? 'Could not save' : `Could not create the ${resource.label.toLowerCase()}`}
      submitLabel={submitLabel}
      onClose={onClose}
      onSubmit={submit}
      pending={mutation.isPending}
      error={mutation.error}
      size={wide ? 'xl' : 'md'}
    >
      <SimpleGrid cols={{ base: 1, sm: wide ? 2 : 1 }} spacing="md" verticalSpacing="sm">
        {fields.map((f, i) => (
          <RecordInput
            key={f.name}
            field={f}
            value={form[f.name] ?? ''}
            error={fieldErrors[f.name]}
            autoFocus={i === 0}
            onChange={(v) => {
              setForm((prev) => ({ ...prev, [f.name]: v }));
              if (fieldErrors[f.name]) setFieldErrors(({ [f.name]: _, ...rest }) => rest);
            }}
          />
        ))}
      </SimpleGrid>
    </FormModal>
  );
}
