// A new unique key (or plain index) over fields and links of a custom resource, in the draft.

import { Checkbox, Stack, Switch, Text } from '@mantine/core';
import { useEffect, useState } from 'react';

import type { ResourceDef } from '../../../api';
import { FormModal } from '../../../components/FormModal';
import { addIndex } from '../../../records/draft';
import { SYSTEM_FIELDS } from '../../../records/fields';
import { useDraft } from './DraftContext';

export function AddKeyModal({ resource, opened, onClose }: { resource: ResourceDef; opened: boolean; onClose: () => void }) {
  const { draft, setDraft } = useDraft();
  const [chosen, setChosen] = useState<string[]>([]);
  const [unique, setUnique] = useState(true);
  const [problem, setProblem] = useState('');
  useEffect(() => {
    if (opened) {
      setChosen([]);
      setUnique(true);
      setProblem('');
    }
  }, [opened]);
  const candidates = [
    ...resource.fields.filter((f) => !SYSTEM_FIELDS.has(f.name) && f.type !== 'text').map((f) => ({ name: f.name, label: f.label })),
    ...resource.links.map((l) => ({ name: l.name, label: `${l.label} (link)` })),
  ];

  const submit = () => {
    if (chosen.length === 0) return setProblem('Choose at least one field.');
    setDraft(addIndex(draft, resource.name, candidates.map((c) => c.name).filter((n) => chosen.includes(n)), unique));
    onClose();
  };

  return (
    <FormModal opened={opened} title={`New key in ${resource.label}`} errorTitle="" submitLabel="Add to draft" onClose={onClose} onSubmit={submit} pending={false} error={null}>
      <Checkbox.Group label="Fields" description="The combination of their values" value={chosen} onChange={setChosen} error={problem || undefined}>
        <Stack gap={6} mt="xs">
          {candidates.length === 0 ? <Text size="sm" c="dimmed">Add fields first.</Text> : null}
          {candidates.map((c) => <Checkbox key={c.name} value={c.name} label={c.label} />)}
        </Stack>
      </Checkbox.Group>
      <Switch label="Unique: no two records may have the same values" checked={unique} onChange={(e) => setUnique(e.currentTarget.checked)} />
    </FormModal>
  );
}
