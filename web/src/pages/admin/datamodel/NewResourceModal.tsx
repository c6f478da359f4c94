// A new custom resource in the draft: name, labels, and optionally a link to profile (or another
// resource) with its cardinality and reverse name. Fields and unique keys are added on its page.

import { Checkbox, NativeSelect, SimpleGrid, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';

import type { Cardinality } from '../../../api';
import { FormModal } from '../../../components/FormModal';
import { addLink, addResource, labelFromName, linkProblems, resourceProblems, findResource } from '../../../records/draft';
import { useDraft } from './DraftContext';

export const CARDINALITY_OPTIONS = [
  { value: 'one', label: 'Exactly one (required; deleting it deletes these records)' },
  { value: 'zeroOrOne', label: 'At most one (optional)' },
];

const EMPTY = { name: '', label: '', pluralLabel: '', withLink: true, target: 'profile', cardinality: 'one' as Cardinality, linkName: '', reverseName: '' };

export function NewResourceModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (name: string) => void }) {
  const { draft, setDraft } = useDraft();
  const [form, setForm] = useState(EMPTY);
  const [problems, setProblems] = useState<Record<string, string>>({});
  useEffect(() => {
    if (opened) {
      setForm(EMPTY);
      setProblems({});
    }
  }, [opened]);
  const set = <K extends keyof typeof EMPTY>(k: K, v: (typeof EMPTY)[K]) => setForm((f) => ({ ...f, [k]: v }));

  const label = form.label.trim() || (form.name ? labelFromName(form.name) : '');
  const plural = form.pluralLabel.trim() || (label ? `${label}s` : '');
  const linkName = form.linkName.trim() || form.target;
  const reverseName = form.reverseName.trim() || (form.name ? `${form.name}s` : '');

  const submit = () => {
    const found = resourceProblems(draft, { name: form.name.trim(), label, pluralLabel: plural });
    if (Object.keys(found).length) return setProblems(found);
    let next = addResource(draft, { name: form.name.trim(), label, pluralLabel: plural });
    if (form.withLink) {
      const link = { name: linkName, target: form.target, cardinality: form.cardinality, reverseName, label: findResource(draft, form.target)?.label ?? '' };
      const lp = linkProblems(next, findResource(next, form.name.trim())!, link);
      if (Object.keys(lp).length) {
        return setProblems({ ...(lp.name ? { linkName: lp.name } : {}), ...(lp.reverseName ? { reverseName: lp.reverseName } : {}), ...(lp.target ? { target: lp.target } : {}) });
      }
      next = addLink(next, form.name.trim(), link);
    }
    setDraft(next);
    onCreated(form.name.trim());
  };

  return (
    <FormModal opened={opened} title="New resource" errorTitle="" submitLabel="Add to draft" onClose={onClose} onSubmit={submit} pending={false} error={null} size="lg">
      <TextInput
        label="Name"
        description="Used in the API (/api/v1/resources/name): lower-case first letter, letters and digits, e.g. purchase."
        required
        data-autofocus
        value={form.name}
        error={problems.name}
        onChange={(e) => set('name', e.currentTarget.value)}
      />
      <SimpleGrid cols={2}>
        <TextInput label="Label" placeholder={label || 'Purchase'} value={form.label} onChange={(e) => set('label', e.currentTarget.value)} />
        <TextInput label="Plural label" placeholder={plural || 'Purchases'} value={form.pluralLabel} onChange={(e) => set('pluralLabel', e.currentTarget.value)} />
      </SimpleGrid>
      <Checkbox label="Link each record to another resource" checked={form.withLink} onChange={(e) => set('withLink', e.currentTarget.checked)} />
      {form.withLink ? (
        <>
          <SimpleGrid cols={2}>
            <NativeSelect
              label="Linked to"
              data={draft.filter((r) => r.name !== 'subscription' && r.name !== 'subscriptionHistory').map((r) => ({ value: r.name, label: r.label }))}
              value={form.target}
              error={problems.target}
              onChange={(e) => set('target', e.currentTarget.value)}
            />
            <NativeSelect label="Cardinality" data={CARDINALITY_OPTIONS} value={form.cardinality} onChange={(e) => set('cardinality', e.currentTarget.value as Cardinality)} />
          </SimpleGrid>
          <SimpleGrid cols={2}>
            <TextInput label="Link name" placeholder={linkName} value={form.linkName} error={problems.linkName} onChange={(e) => set('linkName', e.currentTarget.value)} />
            <TextInput
              label="Reverse name"
              description={`How a ${form.target} lists them`}
              placeholder={reverseName}
              value={form.reverseName}
              error={problems.reverseName}
              onChange={(e) => set('reverseName', e.currentTarget.value)}
            />
          </SimpleGrid>
        </>
      ) : null}
    </FormModal>
  );
}
