// A new custom field in the draft: name, label, type, length (strings), values with labels
// (enumerations), required.

import { ActionIcon, Button, Checkbox, Group, NativeSelect, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useEffect, useState } from 'react';

import { FIELD_TYPES, type EnumValue, type FieldType, type ResourceDef } from '../../../api';
import { FormModal } from '../../../components/FormModal';
import { addField, fieldProblems, labelFromName } from '../../../records/draft';
import { useDraft } from './DraftContext';

export const TYPE_LABELS: Record<FieldType, string> = {
  string: 'Text (short, with a maximum length)',
  text: 'Long text',
  integer: 'Whole number',
  float: 'Decimal number',
  boolean: 'Yes / no',
  date: 'Date',
  datetime: 'Date and time',
  enum: 'List of values (enumeration)',
};

interface Form {
  name: string;
  label: string;
  description: string;
  type: FieldType;
  length: number | string;
  values: EnumValue[];
  required: boolean;
}

const EMPTY: Form = { name: '', label: '', description: '', type: 'string', length: 100, values: [{ value: '', label: '' }], required: false };

export function AddFieldModal({ resource, opened, onClose }: { resource: ResourceDef; opened: boolean; onClose: () => void }) {
  const { draft, setDraft } = useDraft();
  const [form, setForm] = useState<Form>(EMPTY);
  const [problems, setProblems] = useState<Record<string, string>>({});
  useEffect(() => {
    if (opened) {
      setForm(EMPTY);
      setProblems({});
    }
  }, [opened]);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const setValue = (i: number, part: keyof EnumValue, v: string) =>
    setForm((f) => ({ ...f, values: f.values.map((x, j) => (j === i ? { ...x, [part]: v } : x)) }));

  const submit = () => {
    const field = {
      name: form.name.trim(),
      type: form.type,
      label: form.label.trim(),
      description: form.description,
      required: form.required,
      ...(form.type === 'string' ? { length: Number(form.length) } : {}),
      ...(form.type === 'enum' ? { values: form.values.filter((v) => v.value.trim() || v.label.trim()) } : {}),
    };
    const found = fieldProblems(resource, field);
    setProblems(found);
    if (Object.keys(found).length) return;
    setDraft(addField(draft, resource.name, field));
    onClose();
  };

  return (
    <FormModal opened={opened} title={`New field in ${resource.label}`} errorTitle="" submitLabel="Add to draft" onClose={onClose} onSubmit={submit} pending={false} error={null} size="lg">
      <Group grow align="flex-start">
        <TextInput
          label="Name"
          description="In the API and exports, e.g. loyaltyTier"
          required
          data-autofocus
          value={form.name}
          error={problems.name}
          onChange={(e) => set('name', e.currentTarget.value)}
        />
        <TextInput
          label="Label"
          description="What marketers see"
          placeholder={form.name ? labelFromName(form.name) : 'Loyalty tier'}
          value={form.label}
          onChange={(e) => set('label', e.currentTarget.value)}
        />
      </Group>
      <Group grow align="flex-start">
        <NativeSelect
          label="Type"
          data={FIELD_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
          value={form.type}
          onChange={(e) => set('type', e.currentTarget.value as FieldType)}
        />
        {form.type === 'string' ? (
          <NumberInput label="Length" description="Maximum characters (1 to 4000)" min={1} max={4000} value={form.length} error={problems.length} onChange={(v) => set('length', v)} />
        ) : null}
      </Group>
      {form.type === 'enum' ? (
        <Stack gap={6}>
          <Text size="sm" fw={500}>Values</Text>
          {problems.values ? <Text size="xs" c="red">{problems.values}</Text> : null}
          {form.values.map((v, i) => (
            <Group key={i} gap="xs" wrap="nowrap" align="flex-end">
              <TextInput size="xs" label={`Value ${i + 1}`} placeholder="gold" value={v.value} onChange={(e) => setValue(i, 'value', e.currentTarget.value)} style={{ flex: 1 }} />
              <TextInput
                size="xs"
                label={`Label of value ${i + 1}`}
                placeholder={v.value ? labelFromName(v.value) : 'Gold'}
                value={v.label}
                onChange={(e) => setValue(i, 'label', e.currentTarget.value)}
                style={{ flex: 1 }}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                mb={4}
                aria-label={`Remove value ${i + 1}`}
                disabled={form.values.length === 1}
                onClick={() => set('values', form.values.filter((_, j) => j !== i))}
              >
                <IconX size={14} />
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button size="xs" variant="subtle" leftSection={<IconPlus size={14} />} onClick={() => set('values', [...form.values, { value: '', label: '' }])}>
              Add a value
            </Button>
          </Group>
        </Stack>
      ) : null}
      <TextInput label="Description" value={form.description} onChange={(e) => set('description', e.currentTarget.value)} />
      <Checkbox
        label="Required"
        description={resource.builtin || resource.table ? 'Existing records have no value: the database may refuse a required field until they do.' : undefined}
        checked={form.required}
        onChange={(e) => set('required', e.currentTarget.checked)}
      />
    </FormModal>
  );
}
