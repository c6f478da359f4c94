// A record's page body: its fields in groups, edited in place and saved together. Read-only and
// system fields are shown as text. A server error naming a field is shown under that input.

import { Alert, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type FormEvent } from 'react';

import { records, type DataRecord, type ResourceDef } from '../api';
import { notifySuccess } from '../components/notify';
import { useInvalidate } from '../hooks/useInvalidate';
import { errorField } from './errors';
import { formFields, formToBody, groupFields, recordToForm, type FormValues } from './fields';
import { RecordInput } from './RecordInput';
import { recordsKey } from './useSchema';
import { ValueCell } from './ValueCell';

interface Props {
  resource: ResourceDef;
  record: DataRecord;
  /** False for roles that only read (inputs disabled, no save). */
  canWrite: boolean;
  onSaved?: (record: DataRecord) => void;
}

export function RecordEditor({ resource, record, canWrite, onSaved }: Props) {
  const fields = useMemo(() => formFields(resource), [resource]);
  const groups = useMemo(() => groupFields(resource.name, fields, !resource.builtin), [resource, fields]);
  const original = useMemo(() => recordToForm(fields, record), [fields, record]);
  const [form, setForm] = useState<FormValues>(original);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const invalidate = useInvalidate([recordsKey(resource.name), ['audit']]);

  useEffect(() => setForm(original), [original]);

  const save = useMutation({
    mutationFn: (patch: Record<string, unknown>) => records.update(resource.name, record.id, patch),
    onSuccess: (saved) => {
      invalidate();
      notifySuccess(`${resource.label} saved.`);
      onSaved?.(saved);
    },
    onError: (err) => {
      const field = errorField(err);
      if (field) setFieldErrors({ [field]: err.message });
    },
  });

  const check = formToBody(fields, form, original);
  const dirty = Object.keys(check.body).length > 0 || Object.keys(check.errors).length > 0;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const result = formToBody(fields, form, original);
    setFieldErrors(result.errors);
    if (Object.keys(result.errors).length || Object.keys(result.body).length === 0) return;
    save.mutate(result.body);
  };

  const discard = () => {
    setForm(original);
    setFieldErrors({});
    save.reset();
  };

  const saveBar = canWrite ? (
    <Paper withBorder radius="md" px="md" py="xs" style={dirty ? { position: 'sticky', bottom: 8, zIndex: 5 } : undefined} shadow={dirty ? 'md' : undefined}>
      <Group justify="flex-end" gap="sm">
        <Text size="sm" c="dimmed" mr="auto">{dirty ? 'Unsaved changes' : 'Edit any field, then save.'}</Text>
        <Button variant="default" onClick={discard} disabled={!dirty || save.isPending}>Discard</Button>
        <Button type="submit" loading={save.isPending} disabled={!dirty}>Save changes</Button>
      </Group>
    </Paper>
  ) : (
    <Text size="sm" c="dimmed">Your role reads data but does not change it.</Text>
  );

  return (
    <form onSubmit={submit} aria-label={`Edit ${resource.label.toLowerCase()}`}>
      <Stack gap="md">
        {save.error ? (
          <Alert color="red" variant="light" role="alert" title="Could not save">
            {save.error.message}
          </Alert>
        ) : null}
        {groups.map((g) => (
          <Paper key={g.key} withBorder radius="md" p="md" data-group={g.key}>
            <Title order={4} mb="sm">{g.title}</Title>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md" verticalSpacing="sm">
              {g.fields.map((f) =>
                f.readOnly ? (
                  <Stack key={f.name} gap={2} data-field={f.name}>
                    <Text size="sm" fw={500}>{f.label}</Text>
                    <ValueCell field={f} value={record[f.name]} />
                  </Stack>
                ) : (
                  <RecordInput
                    key={f.name}
                    field={f}
                    value={form[f.name] ?? ''}
                    error={fieldErrors[f.name]}
                    disabled={!canWrite}
                    onChange={(v) => {
                      setForm((prev) => ({ ...prev, [f.name]: v }));
                      if (fieldErrors[f.name]) setFieldErrors(({ [f.name]: _, ...rest }) => rest);
                    }}
                  />
                ),
              )}
            </SimpleGrid>
          </Paper>
        ))}
        {saveBar}
      </Stack>
    </form>
  );
}
