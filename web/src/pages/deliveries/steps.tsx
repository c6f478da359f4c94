// The editor's simple steps: Properties (label, route, typology, sender, reply-to), Audience
// (a saved audience, a query or a list of profile ids, with its count) and Schedule (when,
// validity, throughput cap, retry delay).

import {
  Alert, Checkbox, Group, Loader, NumberInput, Radio, SegmentedControl, Select, SimpleGrid, Stack, Text, Textarea,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';

import { audiences } from '../../api';
import { routes } from '../../api/email';
import { ExpressionError } from '../../components/queryeditor/QueryEditor';
import { useLiveCount } from '../../components/queryeditor/useLiveCount';
import { typologies, type DeliveryAudience, type Schedule } from '../../deliveries/api';
import type { Draft } from '../../deliveries/draft';
import { browserTimeZone, parseIdList, timeZones, utcToZoned, zonedToUtc } from '../../deliveries/schedule';
import { formatCount } from '../../deliveries/state';

export interface StepProps {
  draft: Draft;
  setDraft: (update: (d: Draft) => Draft) => void;
  readOnly: boolean;
}

export function PropertiesStep({ draft, setDraft, readOnly }: StepProps) {
  const routeList = useQuery({ queryKey: ['routes', 'list', 'picker'], queryFn: ({ signal }) => routes.list({ limit: 100 }, signal), retry: false });
  const typologyList = useQuery({ queryKey: ['typologies', 'list'], queryFn: ({ signal }) => typologies.list(signal), retry: false });
  const c = draft.content;
  const setContent = (patch: Partial<Draft['content']>) => setDraft((d) => ({ ...d, content: { ...d.content, ...patch } }));
  const routeData = [
    { value: '', label: 'The default route' },
    ...(routeList.data?.items ?? []).map((r) => ({ value: String(r.id), label: `${r.label || r.name} (${r.kind})${r.isDefault ? ' · default' : ''}` })),
  ];
  const typologyData = (typologyList.data?.items ?? []).map((t) => ({ value: String(t.id), label: t.label || t.name }));

  return (
    <Stack gap="md" maw={760}>
      <TextInput label="Label" required value={draft.label} readOnly={readOnly} onChange={(e) => { const label = e.currentTarget.value; setDraft((d) => ({ ...d, label })); }} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select
          label="Route"
          description={routeList.isError ? `Routes cannot be listed: ${routeList.error.message}` : 'The way out: an SMTP relay or a maildir folder.'}
          data={routeData}
          value={draft.routeId === null ? '' : String(draft.routeId)}
          onChange={(v) => setDraft((d) => ({ ...d, routeId: v ? Number(v) : null }))}
          readOnly={readOnly}
          allowDeselect={false}
        />
        <Select
          label="Typology"
          description="The rules applied at preparation (filters, fatigue, controls)."
          data={typologyData}
          placeholder={typologyList.isPending ? 'Loading…' : 'default'}
          value={draft.typologyId === null ? null : String(draft.typologyId)}
          onChange={(v) => setDraft((d) => ({ ...d, typologyId: v ? Number(v) : null }))}
          readOnly={readOnly}
          clearable
        />
        <TextInput label="From name" value={c.from.name} readOnly={readOnly} onChange={(e) => setContent({ from: { ...c.from, name: e.currentTarget.value } })} placeholder="Shop" />
        <TextInput label="From address" type="email" value={c.from.address} readOnly={readOnly} onChange={(e) => setContent({ from: { ...c.from, address: e.currentTarget.value } })} placeholder="news@shop.example" />
      </SimpleGrid>
      <Checkbox
        label="Replies go to another address"
        checked={c.replyTo !== null}
        disabled={readOnly}
        onChange={(e) => setContent({ replyTo: e.currentTarget.checked ? { name: '', address: '' } : null })}
      />
      {c.replyTo ? (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Reply-to name" value={c.replyTo.name} readOnly={readOnly} onChange={(e) => setContent({ replyTo: { ...c.replyTo!, name: e.currentTarget.value } })} />
          <TextInput label="Reply-to address" type="email" value={c.replyTo.address} readOnly={readOnly} onChange={(e) => setContent({ replyTo: { ...c.replyTo!, address: e.currentTarget.value } })} />
        </SimpleGrid>
      ) : null}
      <Text size="sm" c="dimmed">
        {draft.isTemplate
          ? 'This is a delivery template: it is never sent; new emails start from a copy of it.'
          : 'A delivery. “Save as template” in the menu above makes a reusable copy.'}
      </Text>
    </Stack>
  );
}

function AudienceCount({ audienceId }: { audienceId: number }) {
  const count = useQuery({
    queryKey: ['audiences', 'count', audienceId],
    queryFn: ({ signal }) => audiences.count(audienceId, signal),
    retry: false,
  });
  if (count.isPending) return <Loader size="xs" aria-label="Counting" />;
  if (count.isError) return <Text size="sm" c="red">{count.error.message}</Text>;
  return <Text size="sm" data-testid="audience-count"><b>{formatCount(count.data.count)}</b> profiles in the audience</Text>;
}

function QueryCount({ expression }: { expression: string }) {
  const state = useLiveCount('profile', expression.trim() ? { expression } : null, false);
  if (state.status === 'loading') return <Group gap={6}><Loader size="xs" aria-label="Counting" /><Text size="sm" c="dimmed">{state.previous !== null ? formatCount(state.previous) : ''}</Text></Group>;
  if (state.status === 'error') return <ExpressionError error={state.error} />;
  if (state.status === 'done') return <Text size="sm" data-testid="audience-count"><b>{formatCount(state.count)}</b> profiles match{expression.trim() ? '' : ' (no rule: every profile)'}</Text>;
  return null;
}

export function AudienceStep({ draft, setDraft, readOnly }: StepProps) {
  const list = useQuery({ queryKey: ['audiences', 'list', 'picker'], queryFn: ({ signal }) => audiences.list({ limit: 100 }, signal), retry: false });
  const a = draft.audience;
  const kind = a?.kind ?? 'audience';
  const [idsText, setIdsText] = useState(a?.kind === 'list' ? a.profileIds.join(', ') : '');
  const parsed = useMemo(() => parseIdList(idsText), [idsText]);
  const set = (audience: DeliveryAudience | null) => setDraft((d) => ({ ...d, audience }));

  useEffect(() => {
    if (kind === 'list' && !readOnly) set({ kind: 'list', profileIds: parsed.ids });
    // Only the parsed ids drive the list audience.
  }, [parsed.ids.join(',')]);

  return (
    <Stack gap="md" maw={760}>
      <SegmentedControl
        aria-label="Audience kind"
        value={kind}
        disabled={readOnly}
        onChange={(v) => {
          if (v === 'audience') set(null);
          else if (v === 'query') set({ kind: 'query', expression: '' });
          else set({ kind: 'list', profileIds: parsed.ids });
        }}
        data={[
          { value: 'audience', label: 'Saved audience' },
          { value: 'query', label: 'Query' },
          { value: 'list', label: 'List of profiles' },
        ]}
      />
      {kind === 'audience' ? (
        <>
          <Select
            label="Audience"
            placeholder={list.isPending ? 'Loading…' : 'Choose a saved audience'}
            searchable
            data={(list.data?.items ?? []).map((x) => ({ value: String(x.id), label: `${x.label}${x.expired ? ' (expired)' : ''}` }))}
            value={a?.kind === 'audience' ? String(a.audienceId) : null}
            onChange={(v) => set(v ? { kind: 'audience', audienceId: Number(v) } : null)}
            readOnly={readOnly}
          />
          {a?.kind === 'audience' ? <AudienceCount audienceId={a.audienceId} /> : <Text size="sm" c="dimmed">Saved audiences are built under Profiles & audiences.</Text>}
        </>
      ) : null}
      {kind === 'query' && a?.kind === 'query' ? (
        <>
          <Textarea
            label="Expression"
            description='The expression language over profiles, e.g. country = "FR" and not blockEmail.'
            autosize
            minRows={3}
            value={a.expression}
            readOnly={readOnly}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            onChange={(e) => set({ kind: 'query', expression: e.currentTarget.value })}
          />
          <QueryCount expression={a.expression} />
        </>
      ) : null}
      {kind === 'list' ? (
        <>
          <Textarea
            label="Profile ids"
            description="Separated by commas, spaces or new lines (at most 10,000)."
            autosize
            minRows={3}
            value={idsText}
            readOnly={readOnly}
            onChange={(e) => setIdsText(e.currentTarget.value)}
          />
          <Text size="sm" data-testid="audience-count"><b>{formatCount(parsed.ids.length)}</b> profiles listed</Text>
          {parsed.invalid.length ? <Alert color="red" variant="light">Not profile ids: {parsed.invalid.slice(0, 10).join(', ')}{parsed.invalid.length > 10 ? '…' : ''}</Alert> : null}
        </>
      ) : null}
    </Stack>
  );
}

export function ScheduleStep({ draft, setDraft, readOnly }: StepProps) {
  const s = draft.settings;
  const zones = useMemo(() => timeZones(), []);
  const [zone, setZone] = useState(browserTimeZone());
  const [atLocal, setAtLocal] = useState(s.schedule.kind === 'at' ? utcToZoned(s.schedule.at, zone) : '');
  const setSettings = (patch: Partial<Draft['settings']>) => setDraft((d) => ({ ...d, settings: { ...d.settings, ...patch } }));
  const setSchedule = (schedule: Schedule) => setSettings({ schedule });
  const atUtc = atLocal ? zonedToUtc(atLocal, zone) : null;

  useEffect(() => {
    if (s.schedule.kind === 'at' && atUtc && atUtc !== s.schedule.at && !readOnly) setSchedule({ kind: 'at', at: atUtc });
  }, [atUtc]);

  return (
    <Stack gap="md" maw={760}>
      <Radio.Group
        label="When"
        value={s.schedule.kind}
        onChange={(v) => {
          if (v === 'now') setSchedule({ kind: 'now' });
          else if (v === 'at') setSchedule({ kind: 'at', at: atUtc ?? new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z') });
          else setSchedule({ kind: 'local', date: new Date().toISOString().slice(0, 10), time: '09:00', defaultTimeZone: zone });
        }}
      >
        <Stack gap={6} mt={6}>
          <Radio value="now" label="As soon as it is confirmed" disabled={readOnly} />
          <Radio value="at" label="At a date and time" disabled={readOnly} />
          <Radio value="local" label="At a time in each recipient's own time zone" disabled={readOnly} />
        </Stack>
      </Radio.Group>
      {s.schedule.kind === 'at' ? (
        <Group align="flex-end">
          <TextInput type="datetime-local" label="Date and time" value={atLocal || utcToZoned(s.schedule.at, zone)} readOnly={readOnly} onChange={(e) => setAtLocal(e.currentTarget.value)} />
          <Select label="Time zone" searchable data={zones} value={zone} onChange={(v) => v && setZone(v)} w={240} readOnly={readOnly} />
          <Text size="xs" c="dimmed">{atUtc ?? s.schedule.at} (UTC)</Text>
        </Group>
      ) : null}
      {s.schedule.kind === 'local' ? (
        <Group align="flex-end">
          <TextInput type="date" label="Date" value={s.schedule.date} readOnly={readOnly} onChange={(e) => setSchedule({ ...(s.schedule as Extract<Schedule, { kind: 'local' }>), date: e.currentTarget.value })} />
          <TextInput type="time" label="Time" value={s.schedule.time} readOnly={readOnly} onChange={(e) => setSchedule({ ...(s.schedule as Extract<Schedule, { kind: 'local' }>), time: e.currentTarget.value })} />
          <Select
            label="For profiles without a time zone"
            searchable
            data={zones}
            value={s.schedule.defaultTimeZone}
            onChange={(v) => v && setSchedule({ ...(s.schedule as Extract<Schedule, { kind: 'local' }>), defaultTimeZone: v })}
            w={260}
            readOnly={readOnly}
          />
        </Group>
      ) : null}
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <NumberInput label="Validity (hours)" description="Retries stop after it (1-720)." min={1} max={720} value={s.validityHours} readOnly={readOnly} onChange={(v) => setSettings({ validityHours: Number(v) || 1 })} />
        <NumberInput label="Throughput cap (per hour)" description="0: as fast as the route allows." min={0} value={s.throughputPerHour} readOnly={readOnly} thousandSeparator="," onChange={(v) => setSettings({ throughputPerHour: Number(v) || 0 })} />
        <NumberInput label="First retry after (seconds)" description="Doubles at each retry, at most 4 h (10-14,400)." min={10} max={14400} value={s.retryDelaySeconds} readOnly={readOnly} onChange={(v) => setSettings({ retryDelaySeconds: Number(v) || 600 })} />
      </SimpleGrid>
    </Stack>
  );
}
