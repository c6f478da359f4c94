// "Save as audience": label, description, expiry and kind (a query, recomputed whenever it is
// used, or a list, the members matching now), created with POST /api/v1/audiences.

import { NativeSelect, Textarea, TextInput } from '@mantine/core';

import { audiences, type Audience, type AudienceKind, type ExpressionInput } from '../../api';
import { FormModal, useFormModal } from '../../components/FormModal';

export const AUDIENCES_KEY = ['audiences'] as const;

interface Form {
  label: string;
  description: string;
  expires: string;
  kind: AudienceKind;
}

const EMPTY: Form = { label: '', description: '', expires: '', kind: 'query' };

/** A date input's "YYYY-MM-DD" as the end of that day in the browser's zone (RFC 3339), or null. */
export function expiryFromDate(date: string): string | null {
  if (!date) return null;
  const d = new Date(`${date}T23:59:59`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** An RFC 3339 instant as a date input's value in the browser's zone. */
export function dateFromExpiry(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

interface Props {
  opened: boolean;
  onClose: () => void;
  resource: string;
  input: ExpressionInput | null;
  onSaved: (audience: Audience) => void;
}

export function SaveAudienceModal({ opened, onClose, resource, input, onSaved }: Props) {
  const { form, set, modal } = useFormModal<Form, Audience>({
    empty: EMPTY,
    submit: (f) =>
      audiences.create({
        label: f.label.trim(),
        ...(f.description.trim() ? { description: f.description.trim() } : {}),
        kind: f.kind,
        resource,
        ...(input ?? {}),
        ...(f.expires ? { expiresAt: expiryFromDate(f.expires) } : {}),
      }),
    invalidates: [AUDIENCES_KEY, ['audit']],
    onSuccess: onSaved,
    onClose,
  });
  return (
    <FormModal opened={opened} title="Save as audience" errorTitle="Could not save the audience" submitLabel="Save audience" {...modal}>
      <TextInput label="Label" required value={form.label} onChange={(e) => set('label', e.currentTarget.value)} data-autofocus maxLength={200} />
      <Textarea label="Description" autosize minRows={2} value={form.description} onChange={(e) => set('description', e.currentTarget.value)} />
      <TextInput label="Expires on" description="Optional. After this day the audience can no longer be counted, previewed or exported." type="date" value={form.expires} onChange={(e) => set('expires', e.currentTarget.value)} />
      <NativeSelect
        label="Kind"
        description={form.kind === 'query' ? 'The rules are saved and evaluated again each time the audience is used.' : 'The profiles matching now are saved as a fixed list (a snapshot).'}
        value={form.kind}
        onChange={(e) => set('kind', e.currentTarget.value === 'list' ? 'list' : 'query')}
        data={[{ value: 'query', label: 'Query (recomputed)' }, { value: 'list', label: 'List (snapshot of the members now)' }]}
      />
    </FormModal>
  );
}
