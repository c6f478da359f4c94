// Administration > DKIM keys: the signing keys by domain and selector. Everyone reads the list and a
// key's DNS record; administrators generate a key (Ed25519 recommended, or RSA), import one from a
// PEM and delete keys. A new key opens its details: the DNS name and TXT record to publish.

import {
  Badge, Button, Code, CopyButton, Group, Modal, NativeSelect, SegmentedControl, Stack, Table, Text, Textarea, TextInput, Tooltip,
} from '@mantine/core';
import { IconCheck, IconCopy, IconFileImport, IconKey } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';

import { dkimKeys, type DkimKey } from '../../../api/email';
import { useCurrentUser } from '../../../auth';
import { ConfirmModal } from '../../../components/ConfirmModal';
import { FormModal } from '../../../components/FormModal';
import { ListView, type ListColumn } from '../../../components/ListView';
import { notifyError, notifySuccess } from '../../../components/notify';
import { useSort } from '../../../components/SortableTable';
import { formatDateTime } from '../../../format';
import { shownCount, useCursorList } from '../../../hooks/useCursorList';
import { useInvalidate } from '../../../hooks/useInvalidate';
import {
  algorithmLabel, canManageEmail, generateKeyBody, importKeyBody, RSA_BITS, suggestSelector, zoneFileLine,
  type GenerateKeyForm, type ImportKeyForm,
} from './emailModel';
import { fieldError } from './routeForm';

type SortKey = 'domain' | 'selector' | 'algorithm' | 'bits' | 'createdAt';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'Domain', sortKey: 'domain' },
  { label: 'Selector', sortKey: 'selector' },
  { label: 'Algorithm', sortKey: 'algorithm' },
  { label: 'Bits', sortKey: 'bits' },
  { label: 'Created', sortKey: 'createdAt' },
  {},
];

export function DkimKeysPage() {
  const user = useCurrentUser();
  const admin = canManageEmail(user.role);
  const invalidate = useInvalidate([['dkim-keys'], ['audit']]);
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState<'generate' | 'import' | null>(null);
  const [shown, setShown] = useState<DkimKey | null>(null);
  const [toDelete, setToDelete] = useState<DkimKey | null>(null);

  const { query, rows } = useCursorList({
    queryKey: ['dkim-keys'],
    fetchPage: (params, signal) => dkimKeys.list(params, signal),
    filter,
    haystack: (k) => `${k.domain} ${k.selector} ${k.algorithm}`,
  });
  const { sorted, sort, toggle } = useSort<DkimKey, SortKey>(rows, { key: 'domain', dir: 'asc' }, (k, key) => k[key]);

  const remove = useMutation({
    mutationFn: (key: DkimKey) => dkimKeys.remove(key.id),
    onSuccess: (_, key) => {
      notifySuccess(`Key ${key.selector} of ${key.domain} deleted.`);
      setToDelete(null);
    },
    onError: (err) => notifyError('Could not delete the key', err),
    onSettled: invalidate,
  });

  return (
    <ListView
      query={query}
      refused="Reading the DKIM keys needs the read data permission."
      search={{ label: 'Filter keys', placeholder: 'Domain or selector', value: filter, onChange: setFilter }}
      actions={
        admin ? (
          <Group gap="sm">
            <Button variant="default" leftSection={<IconFileImport size={16} />} onClick={() => setCreating('import')}>
              Import key
            </Button>
            <Button leftSection={<IconKey size={16} />} onClick={() => setCreating('generate')}>
              Generate key
            </Button>
          </Group>
        ) : null
      }
      label="DKIM keys"
      minWidth={760}
      columns={COLUMNS}
      sort={sort}
      onSort={toggle}
      rows={sorted}
      skeletonRows={2}
      empty={filter.trim() ? 'No key matches the filter.' : 'No DKIM keys yet: messages go out unsigned.'}
      count={shownCount(rows.length, ['key', 'keys'], query.hasNextPage)}
      renderRow={(k) => (
        <Table.Tr key={k.id} data-key={`${k.selector}._domainkey.${k.domain}`}>
          <Table.Td><Text size="sm" fw={500}>{k.domain}</Text></Table.Td>
          <Table.Td><Code>{k.selector}</Code></Table.Td>
          <Table.Td>
            <Badge size="sm" variant="light" color={k.algorithm === 'ed25519-sha256' ? 'teal' : 'blue'}>{k.algorithm}</Badge>
          </Table.Td>
          <Table.Td><Text size="sm">{k.bits}</Text></Table.Td>
          <Table.Td><Text size="sm" title={`${k.createdAt} by ${k.createdBy}`}>{formatDateTime(k.createdAt)}</Text></Table.Td>
          <Table.Td>
            <Group gap={6} justify="flex-end" wrap="nowrap">
              <Button size="xs" variant="light" aria-label={`DNS record of ${k.selector}._domainkey.${k.domain}`} onClick={() => setShown(k)}>
                DNS record
              </Button>
              {admin ? (
                <Button size="xs" variant="light" color="red" aria-label={`Delete ${k.selector}._domainkey.${k.domain}`} onClick={() => setToDelete(k)}>
                  Delete
                </Button>
              ) : null}
            </Group>
          </Table.Td>
        </Table.Tr>
      )}
    >
      {creating === 'generate' ? (
        <GenerateKeyModal
          onClose={() => setCreating(null)}
          onCreated={(key) => {
            setCreating(null);
            notifySuccess(`Key ${key.selector} of ${key.domain} generated: publish its DNS record.`);
            setShown(key);
          }}
        />
      ) : null}
      {creating === 'import' ? (
        <ImportKeyModal
          onClose={() => setCreating(null)}
          onCreated={(key) => {
            setCreating(null);
            notifySuccess(`Key ${key.selector} of ${key.domain} imported.`);
            setShown(key);
          }}
        />
      ) : null}

      <KeyDetailsModal dkimKey={shown} onClose={() => setShown(null)} />

      <ConfirmModal
        opened={toDelete !== null}
        title={`Delete the key ${toDelete?.selector ?? ''} of ${toDelete?.domain ?? ''}?`}
        confirmLabel="Delete key"
        loading={remove.isPending}
        onCancel={() => setToDelete(null)}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
      >
        Messages from this domain will be signed with its other key, or go out unsigned if it has none. Keep the DNS record
        published for a few days so that messages already sent still verify. The private key cannot be restored.
      </ConfirmModal>
    </ListView>
  );
}

function GenerateKeyModal({ onClose, onCreated }: { onClose: () => void; onCreated: (key: DkimKey) => void }) {
  const invalidate = useInvalidate([['dkim-keys'], ['audit']]);
  const [form, setForm] = useState<GenerateKeyForm>(() => ({ domain: '', selector: suggestSelector(), algorithm: 'ed25519-sha256', bits: 2048 }));
  const set = <K extends keyof GenerateKeyForm>(field: K, value: GenerateKeyForm[K]) => setForm((f) => ({ ...f, [field]: value }));
  const create = useMutation({
    mutationFn: (f: GenerateKeyForm) => dkimKeys.create(generateKeyBody(f)),
    onSuccess: (key) => {
      invalidate();
      onCreated(key);
    },
  });
  const err = (field: string) => fieldError(create.error, field);

  return (
    <FormModal
      opened
      title="Generate a DKIM key"
      errorTitle="Could not generate the key"
      submitLabel="Generate key"
      onClose={onClose}
      onSubmit={() => create.mutate(form)}
      pending={create.isPending}
      error={create.error}
    >
      <TextInput
        label="Domain"
        description="The domain of the From addresses it signs, e.g. news.example.com."
        required
        data-autofocus
        value={form.domain}
        error={err('domain')}
        onChange={(e) => set('domain', e.currentTarget.value)}
      />
      <TextInput
        label="Selector"
        description="Names this key in DNS; a new selector for each rotation (the year and month is a good habit)."
        required
        value={form.selector}
        error={err('selector')}
        onChange={(e) => set('selector', e.currentTarget.value)}
      />
      <Stack gap={4}>
        <Text size="sm" fw={500}>Algorithm</Text>
        <SegmentedControl
          aria-label="Algorithm"
          value={form.algorithm}
          onChange={(v) => set('algorithm', v as GenerateKeyForm['algorithm'])}
          data={[
            { value: 'ed25519-sha256', label: 'Ed25519 (recommended)' },
            { value: 'rsa-sha256', label: 'RSA' },
          ]}
        />
        <Text size="xs" c="dimmed">
          {form.algorithm === 'ed25519-sha256'
            ? 'Short keys and records. Some receivers still verify only RSA: publish an RSA key beside it for them.'
            : 'Verified by every receiver. 2048 bits is usual; longer records are split into 255-byte strings.'}
        </Text>
        {err('algorithm') ? <Text size="xs" c="red">{err('algorithm')}</Text> : null}
      </Stack>
      {form.algorithm === 'rsa-sha256' ? (
        <NativeSelect
          label="Bits"
          data={RSA_BITS.map((b) => ({ value: String(b), label: String(b) }))}
          value={String(form.bits)}
          onChange={(e) => set('bits', Number(e.currentTarget.value))}
          error={err('bits')}
        />
      ) : null}
    </FormModal>
  );
}

function ImportKeyModal({ onClose, onCreated }: { onClose: () => void; onCreated: (key: DkimKey) => void }) {
  const invalidate = useInvalidate([['dkim-keys'], ['audit']]);
  const [form, setForm] = useState<ImportKeyForm>(() => ({ domain: '', selector: '', privateKey: '' }));
  const set = <K extends keyof ImportKeyForm>(field: K, value: ImportKeyForm[K]) => setForm((f) => ({ ...f, [field]: value }));
  const create = useMutation({
    mutationFn: (f: ImportKeyForm) => dkimKeys.create(importKeyBody(f)),
    onSuccess: (key) => {
      invalidate();
      onCreated(key);
    },
  });
  const err = (field: string) => fieldError(create.error, field);

  return (
    <FormModal
      opened
      title="Import a DKIM key"
      errorTitle="Could not import the key"
      submitLabel="Import key"
      onClose={onClose}
      onSubmit={() => create.mutate(form)}
      pending={create.isPending}
      error={create.error}
      size="lg"
    >
      <TextInput label="Domain" required data-autofocus value={form.domain} error={err('domain')}
        onChange={(e) => set('domain', e.currentTarget.value)} />
      <TextInput label="Selector" description="The selector its DNS record is published under." required value={form.selector}
        error={err('selector')} onChange={(e) => set('selector', e.currentTarget.value)} />
      <Textarea
        label="Private key (PEM)"
        description="Unencrypted PKCS#8 or PKCS#1, Ed25519 or RSA. Stored sealed; never shown again."
        required
        autosize
        minRows={6}
        maxRows={14}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        placeholder={'-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----'}
        value={form.privateKey}
        error={err('privateKey')}
        onChange={(e) => set('privateKey', e.currentTarget.value)}
      />
    </FormModal>
  );
}

/** A value to publish, with a copy button. */
function Copyable({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" fw={500}>{label}</Text>
        <CopyButton value={value} timeout={1500}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
              <Button size="compact-xs" variant="subtle" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}
                leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
      <Code block data-testid={testId} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{value}</Code>
    </Stack>
  );
}

function KeyDetailsModal({ dkimKey, onClose }: { dkimKey: DkimKey | null; onClose: () => void }) {
  return (
    <Modal opened={dkimKey !== null} onClose={onClose} title={<Text fw={600}>DKIM key {dkimKey?.selector} of {dkimKey?.domain}</Text>} centered size="xl">
      {dkimKey ? (
        <Stack gap="md">
          <Group gap="xs">
            <Badge variant="light" color={dkimKey.algorithm === 'ed25519-sha256' ? 'teal' : 'blue'}>{algorithmLabel(dkimKey)}</Badge>
            <Text size="xs" c="dimmed">Created {formatDateTime(dkimKey.createdAt)} by {dkimKey.createdBy}</Text>
          </Group>
          <Text size="sm">
            Publish this TXT record in the DNS zone of {dkimKey.domain}. Receivers verify the signatures with it: until it
            is published, signed messages fail DKIM.
          </Text>
          <Copyable label="DNS name" value={dkimKey.dnsName} testId="dkim-dns-name" />
          <Copyable label="TXT record" value={dkimKey.dnsRecord} testId="dkim-txt-record" />
          <Copyable
            label={`Zone file line (${dkimKey.txtStrings.length} string${dkimKey.txtStrings.length === 1 ? '' : 's'} of at most 255 bytes)`}
            value={zoneFileLine(dkimKey)}
            testId="dkim-zone-line"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
