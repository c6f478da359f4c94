// A new link from a custom resource to another resource (the target's id), in the draft.

import { NativeSelect, SimpleGrid, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';

import type { Cardinality, ResourceDef } from '../../../api';
import { FormModal } from '../../../components/FormModal';
import { addLink, findResource, linkProblems } from '../../../records/draft';
import { useDraft } from './DraftContext';
import { CARDINALITY_OPTIONS } from './NewResourceModal';

export function AddLinkModal({ resource, opened, onClose }: { resource: ResourceDef; opened: boolean; onClose: () => void }) {
  const { draft, setDraft } = useDraft();
  const empty = { name: '', label: '', target: 'profile', cardinality: 'zeroOrOne' as Cardinality, reverseName: '' };
  const [form, setForm] = useState(empty);
  const [problems, setProblems] = useState<Record<string, string>>({});
  useEffect(() => {
    if (opened) {
      setForm(empty);
      setProblems({});
    }
  }, [opened]);
  const set = <K extends keyof typeof empty>(k: K, v: (typeof empty)[K]) => setForm((f) => ({ ...f, [k]: v }));

  const submit = () => {
    const link = { ...form, name: form.name.trim() || form.target, label: form.label.trim() || (findResource(draft, form.target)?.label ?? '') };
    const found = linkProblems(draft, resource, link);
    setProblems(found);
    if (Object.keys(found).length) return;
    setDraft(addLink(draft, resource.name, link));
    onClose();
  };

  return (
    <FormModal opened={opened} title={`New link from ${resource.label}`} errorTitle="" submitLabel="Add to draft" onClose={onClose} onSubmit={submit} pending={false} error={null} size="lg">
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
        <TextInput label="Name" placeholder={form.target} value={form.name} error={problems.name} data-autofocus onChange={(e) => set('name', e.currentTarget.value)} />
        <TextInput label="Label" value={form.label} onChange={(e) => set('label', e.currentTarget.value)} />
      </SimpleGrid>
      <TextInput
        label="Reverse name"
        description={`How a ${form.target} lists its ${resource.pluralLabel.toLowerCase()}; leave empty for none`}
        value={form.reverseName}
        error={problems.reverseName}
        onChange={(e) => set('reverseName', e.currentTarget.value)}
      />
    </FormModal>
  );
}
