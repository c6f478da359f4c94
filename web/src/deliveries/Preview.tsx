// The preview pieces: the recipient picker (a test profile or any profile), the desktop/mobile
// width switch, and the sandboxed frame that shows rendered HTML (srcdoc, no scripts).

import { Group, Paper, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDeviceDesktop, IconDeviceMobile } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';

import { records, type DataRecord } from '../api';
import type { PreviewTarget } from './api';

export const PREVIEW_WIDTHS = { desktop: 600, mobile: 375 } as const;
export type PreviewWidth = keyof typeof PREVIEW_WIDTHS;

export function WidthSwitch({ value, onChange }: { value: PreviewWidth; onChange: (v: PreviewWidth) => void }) {
  return (
    <SegmentedControl
      size="xs"
      value={value}
      onChange={(v) => onChange(v as PreviewWidth)}
      aria-label="Preview width"
      data={[
        { value: 'desktop', label: <Group gap={4} wrap="nowrap"><IconDeviceDesktop size={14} />Desktop</Group> },
        { value: 'mobile', label: <Group gap={4} wrap="nowrap"><IconDeviceMobile size={14} />Mobile</Group> },
      ]}
    />
  );
}

function nameOf(r: DataRecord): string {
  const name = [r.firstName, r.lastName].filter((x) => typeof x === 'string' && x).join(' ');
  const label = typeof r.label === 'string' && r.label ? r.label : name;
  const email = typeof r.email === 'string' && r.email ? r.email : '';
  return [label, email ? `<${email}>` : ''].filter(Boolean).join(' ') || `#${r.id}`;
}

/** Picks the recipient a preview is rendered for. */
export function RecipientPicker({ value, onChange }: { value: PreviewTarget | null; onChange: (v: PreviewTarget | null) => void }) {
  const [kind, setKind] = useState<'test' | 'profile'>(value && 'profileId' in value ? 'profile' : 'test');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const tests = useQuery({
    queryKey: ['records', 'testProfile', 'picker'],
    queryFn: ({ signal }) => records.list('testProfile', { limit: 100 }, signal),
  });
  const profiles = useQuery({
    queryKey: ['records', 'profile', 'picker', q],
    queryFn: ({ signal }) => records.list('profile', { limit: 20, q: q || undefined }, signal),
    enabled: kind === 'profile',
  });
  const testData = (tests.data?.items ?? []).map((r) => ({ value: String(r.id), label: nameOf(r) }));
  const profileData = (profiles.data?.items ?? []).map((r) => ({ value: String(r.id), label: `#${r.id} ${nameOf(r)}` }));
  const selected = value ? String('profileId' in value ? value.profileId : value.testProfileId) : null;
  // Keep the chosen profile in the list while another search runs.
  if (kind === 'profile' && selected && !profileData.some((d) => d.value === selected)) {
    profileData.unshift({ value: selected, label: `#${selected}` });
  }

  return (
    <Group gap="xs" align="flex-end" wrap="wrap">
      <SegmentedControl
        size="xs"
        value={kind}
        aria-label="Preview for"
        onChange={(v) => {
          setKind(v as 'test' | 'profile');
          onChange(null);
        }}
        data={[
          { value: 'test', label: 'Test profile' },
          { value: 'profile', label: 'Profile' },
        ]}
      />
      {kind === 'test' ? (
        <Select
          size="xs"
          w={280}
          label="Test profile"
          placeholder={tests.isPending ? 'Loading…' : testData.length ? 'Choose a test profile' : 'No test profile yet'}
          data={testData}
          value={selected}
          onChange={(v) => onChange(v ? { testProfileId: Number(v) } : null)}
          clearable
          comboboxProps={{ withinPortal: true }}
        />
      ) : (
        <Select
          size="xs"
          w={280}
          label="Profile"
          placeholder="Search by name or email"
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          filter={({ options }) => options}
          data={profileData}
          value={selected}
          onChange={(v) => onChange(v ? { profileId: Number(v) } : null)}
          clearable
          nothingFoundMessage={profiles.isPending ? 'Searching…' : 'No profile matches'}
          comboboxProps={{ withinPortal: true }}
        />
      )}
    </Group>
  );
}

/** Rendered HTML in a sandboxed frame (no scripts, no same-origin access) at the chosen width. */
export function PreviewFrame({ html, width, subject, title = 'Email preview' }: { html: string; width: PreviewWidth; subject?: string | null; title?: string }) {
  const px = PREVIEW_WIDTHS[width];
  return (
    <Stack gap={6} align="center">
      {subject !== undefined ? (
        <Paper withBorder px="sm" py={6} w={px} maw="100%" radius="sm">
          <Text size="xs" c="dimmed">Subject</Text>
          <Text size="sm" fw={500} data-testid="preview-subject">{subject || '—'}</Text>
        </Paper>
      ) : null}
      <iframe
        title={title}
        srcDoc={html}
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        data-width={width}
        style={{ width: px, maxWidth: '100%', height: 560, border: '1px solid var(--mantine-color-default-border)', borderRadius: 4, background: '#fff' }}
      />
    </Stack>
  );
}
