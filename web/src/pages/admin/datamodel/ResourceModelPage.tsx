// Administration > Data model > a resource: its fields, links, reverse links and indexes; for
// administrators and data managers, add or remove custom items (in the draft).

import { ActionIcon, Anchor, Badge, Breadcrumbs, Button, Code, Group, Paper, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconKey, IconLink, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import type { FieldDef, ResourceDef } from '../../../api';
import { notifyError, notifySuccess } from '../../../components/notify';
import { findResource, linksInto, removeField, removeIndex, removeLink, removeResource } from '../../../records/draft';
import { AddFieldModal, TYPE_LABELS } from './AddFieldModal';
import { AddKeyModal } from './AddKeyModal';
import { AddLinkModal } from './AddLinkModal';
import { useDraft } from './DraftContext';

function typeText(f: FieldDef): string {
  if (f.type === 'string') return `string (${f.length ?? '?'})`;
  return f.type;
}

function Kind({ builtin, unpublished }: { builtin: boolean; unpublished: boolean }) {
  const style = { flexShrink: 0, overflow: 'visible' };
  if (unpublished) return <Badge size="sm" variant="outline" color="indigo" style={style}>draft</Badge>;
  return builtin ? (
    <Badge size="sm" variant="light" color="gray" style={style}>Built-in</Badge>
  ) : (
    <Badge size="sm" variant="light" color="grape" style={style}>Custom</Badge>
  );
}

function Section({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="md">
      <Group justify="space-between" mb="sm">
        <Title order={4}>{title}</Title>
        {action}
      </Group>
      {children}
    </Paper>
  );
}

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Tooltip label="Remove (in the draft)" withArrow>
      <ActionIcon variant="subtle" color="red" aria-label={label} onClick={onClick}>
        <IconTrash size={16} />
      </ActionIcon>
    </Tooltip>
  );
}

export function ResourceModelPage() {
  const { name = '' } = useParams();
  const { draft, published, canEdit, setDraft } = useDraft();
  const navigate = useNavigate();
  const [adding, setAdding] = useState<'field' | 'link' | 'key' | null>(null);
  const resource = findResource(draft, name);
  if (!resource) {
    return (
      <Paper withBorder p="lg" radius="md">
        <Text>There is no resource named “{name}”{findResource(published, name) ? ' in your draft' : ''}.</Text>
        <Anchor component={Link} to="/admin/data-model" size="sm">Back to the data model</Anchor>
      </Paper>
    );
  }
  const before: ResourceDef | undefined = findResource(published, name);
  const fieldIsNew = (n: string) => !before?.fields.some((f) => f.name === n);
  const linkIsNew = (n: string) => !before?.links.some((l) => l.name === n);
  const editable = canEdit;

  const dropField = (f: FieldDef) => {
    setDraft(removeField(draft, resource.name, f.name));
    notifySuccess(`${f.label} removed from the draft.${fieldIsNew(f.name) ? '' : ' Publishing deletes its values.'}`);
  };
  const dropResource = () => {
    const blockers = linksInto(draft, resource.name);
    if (blockers.length) {
      notifyError('Cannot remove it yet', new Error(`Remove the links to it first: ${blockers.map((b) => `${b.resource}.${b.link}`).join(', ')}.`));
      return;
    }
    setDraft(removeResource(draft, resource.name));
    notifySuccess(`${resource.label} removed from the draft.${before ? ' Publishing deletes its table and records.' : ''}`);
    navigate('/admin/data-model');
  };

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to="/admin/data-model" size="sm">Data model</Anchor>
        <Text size="sm">{resource.label}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Group gap="sm">
            <Title order={3}>{resource.label}</Title>
            <Kind builtin={resource.builtin} unpublished={!before} />
          </Group>
          <Text size="sm" c="dimmed">
            <Code>{resource.name}</Code> · plural “{resource.pluralLabel}” · table {resource.table ? <Code>{resource.table}</Code> : 'created when published'}
            {!resource.builtin ? (
              <>
                {' · '}
                <Anchor component={Link} to={`/audiences/resources/${resource.name}`} size="sm">its records</Anchor>
              </>
            ) : null}
          </Text>
        </Stack>
        {editable && !resource.builtin ? (
          <Button variant="light" color="red" leftSection={<IconTrash size={16} />} onClick={dropResource}>
            Remove resource
          </Button>
        ) : null}
      </Group>

      <Section
        title={`Fields (${resource.fields.length})`}
        action={editable ? <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setAdding('field')}>Add field</Button> : undefined}
      >
        {!resource.builtin && !before ? (
          <Text size="sm" c="dimmed" mb="xs">Id, Created and Modified are added to every resource when it is published.</Text>
        ) : null}
        <Table.ScrollContainer minWidth={720} type="native">
          <Table striped verticalSpacing={6} aria-label="Fields">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Label</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th w={130}>Rules</Table.Th>
                <Table.Th w={110}>Kind</Table.Th>
                {editable ? <Table.Th w={50} /> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {resource.fields.map((f) => (
                <Table.Tr key={f.name} data-field={f.name}>
                  <Table.Td><Code>{f.name}</Code></Table.Td>
                  <Table.Td>
                    <Text size="sm">{f.label}</Text>
                    {f.description ? <Text size="xs" c="dimmed">{f.description}</Text> : null}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" title={TYPE_LABELS[f.type]}>{typeText(f)}</Text>
                    {f.values?.length ? (
                      <Text size="xs" c="dimmed">{f.values.map((v) => (v.label && v.label !== v.value ? `${v.value} (${v.label})` : v.value)).join(', ')}</Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      {f.required ? <Badge size="xs" variant="light" color="orange">required</Badge> : null}
                      {f.readOnly ? <Badge size="xs" variant="light" color="gray">read-only</Badge> : null}
                    </Group>
                  </Table.Td>
                  <Table.Td><Kind builtin={f.builtin} unpublished={!f.builtin && fieldIsNew(f.name)} /></Table.Td>
                  {editable ? (
                    <Table.Td>{!f.builtin ? <RemoveButton label={`Remove field ${f.name}`} onClick={() => dropField(f)} /> : null}</Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Section>

      <Section
        title={`Links (${resource.links.length})`}
        action={editable && !resource.builtin ? <Button size="xs" variant="light" leftSection={<IconLink size={14} />} onClick={() => setAdding('link')}>Add link</Button> : undefined}
      >
        {resource.links.length === 0 ? <Text size="sm" c="dimmed">No link to another resource.</Text> : (
          <Table verticalSpacing={6} aria-label="Links">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Label</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Cardinality</Table.Th>
                <Table.Th>Reverse name</Table.Th>
                <Table.Th>Kind</Table.Th>
                {editable ? <Table.Th /> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {resource.links.map((l) => (
                <Table.Tr key={l.name}>
                  <Table.Td><Code>{l.name}</Code></Table.Td>
                  <Table.Td><Text size="sm">{l.label}</Text></Table.Td>
                  <Table.Td><Anchor component={Link} to={`/admin/data-model/${l.target}`} size="sm">{findResource(draft, l.target)?.label ?? l.target}</Anchor></Table.Td>
                  <Table.Td><Text size="sm">{l.cardinality === 'one' ? 'exactly one' : 'at most one'}</Text></Table.Td>
                  <Table.Td>{l.reverseName ? <Code>{l.reverseName}</Code> : <Text size="sm" c="dimmed">—</Text>}</Table.Td>
                  <Table.Td><Kind builtin={l.builtin} unpublished={!l.builtin && linkIsNew(l.name)} /></Table.Td>
                  {editable ? (
                    <Table.Td>{!l.builtin ? <RemoveButton label={`Remove link ${l.name}`} onClick={() => setDraft(removeLink(draft, resource.name, l.name))} /> : null}</Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Section>

      <Section title={`Reverse links (${resource.reverseLinks.length})`}>
        {resource.reverseLinks.length === 0 ? <Text size="sm" c="dimmed">No other resource links here.</Text> : (
          <Table verticalSpacing={6} aria-label="Reverse links">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>From</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {resource.reverseLinks.map((rl) => (
                <Table.Tr key={`${rl.source}.${rl.link}`}>
                  <Table.Td><Code>{rl.name}</Code></Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/admin/data-model/${rl.source}`} size="sm">{findResource(draft, rl.source)?.label ?? rl.source}</Anchor>
                    <Text span size="sm" c="dimmed"> through its link <Code>{rl.link}</Code></Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Section>

      <Section
        title={`Indexes and unique keys (${resource.indexes.length})`}
        action={editable && !resource.builtin ? <Button size="xs" variant="light" leftSection={<IconKey size={14} />} onClick={() => setAdding('key')}>Add unique key</Button> : undefined}
      >
        {resource.indexes.length === 0 ? <Text size="sm" c="dimmed">No index.</Text> : (
          <Table verticalSpacing={6} aria-label="Indexes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Fields</Table.Th>
                <Table.Th>Unique</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Kind</Table.Th>
                {editable ? <Table.Th /> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {resource.indexes.map((ix, i) => (
                <Table.Tr key={`${ix.name ?? ''}-${i}`}>
                  <Table.Td><Group gap={4}>{ix.fields.map((f) => <Code key={f}>{f}</Code>)}</Group></Table.Td>
                  <Table.Td><Text size="sm">{ix.unique ? 'Yes' : 'No'}</Text></Table.Td>
                  <Table.Td><Text size="sm" c="dimmed">{ix.name || 'named when published'}</Text></Table.Td>
                  <Table.Td><Kind builtin={ix.builtin} unpublished={!ix.builtin && !ix.name} /></Table.Td>
                  {editable ? (
                    <Table.Td>{!ix.builtin ? <RemoveButton label={`Remove key ${ix.fields.join(', ')}`} onClick={() => setDraft(removeIndex(draft, resource.name, i))} /> : null}</Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Section>

      <AddFieldModal resource={resource} opened={adding === 'field'} onClose={() => setAdding(null)} />
      <AddLinkModal resource={resource} opened={adding === 'link'} onClose={() => setAdding(null)} />
      <AddKeyModal resource={resource} opened={adding === 'key'} onClose={() => setAdding(null)} />
    </Stack>
  );
}
