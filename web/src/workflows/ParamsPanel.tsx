// The side panel of the selected activity: its label, its parameters (a form per type from
// params.ts; Segmentation has its own editor of segments) and its error policy. Each field shows
// the form's own check at once, else the server's problem for it from the last check.

import {
  ActionIcon, Button, Checkbox, Chip, Divider, Group, NumberInput, Paper, Select, Stack, Switch, Text, Textarea, TextInput, Title,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { audiences } from '../api';
import { deliveries, DELIVERIES_KEY } from '../deliveries/api';
import { useSchema } from '../records/useSchema';
import type { ActivityDef, ErrorPolicy, OnError, Params, Problem } from './api';
import { fieldProblem, normalizeOnError } from './graph';
import {
  complementOf, nextSegmentCode, parseJsonField, parseList, segmentsOf, validateParams, visibleFields, WEEKDAYS, type FieldError,
  type FieldSpec, type Segment,
} from './params';
import { QueryEditorButton, QueryEditorModal } from './QueryEditorModal';
import { DEFAULT_RESOURCE } from './queryText';

interface Props {
  activity: ActivityDef;
  typeLabel: string;
  problems: Problem[];
  /** The resource of the population reaching the activity (for a Segmentation's filters). */
  upstreamResource?: string;
  readOnly?: boolean;
  onChange: (patch: Partial<Pick<ActivityDef, 'label' | 'params' | 'onError'>>) => void;
  onDelete: () => void;
}

function errorFor(field: string, local: FieldError[], server: Problem[]): string | undefined {
  return local.find((e) => e.field === field)?.message ?? fieldProblem(server, field);
}

/** A JSON field edited as text: kept as typed while it does not parse. */
function JsonField({ spec, value, error, onChange, readOnly }: { spec: FieldSpec; value: unknown; error?: string; onChange: (v: unknown) => void; readOnly?: boolean }) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 1)));
  const [parseError, setParseError] = useState<string | undefined>();
  useEffect(() => {
    // another activity selected, or the value changed elsewhere: show it
    const parsed = parseJsonField(text);
    if (parsed.error || JSON.stringify(parsed.value) !== JSON.stringify(value)) {
      setText(value === undefined ? '' : JSON.stringify(value, null, 1));
      setParseError(undefined);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <Textarea
      label={spec.label}
      description={spec.description}
      value={text}
      autosize
      minRows={2}
      maxRows={10}
      readOnly={readOnly}
      styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
      error={parseError ?? error}
      onChange={(e) => {
        const t = e.currentTarget.value;
        setText(t);
        const parsed = parseJsonField(t);
        setParseError(parsed.error);
        if (!parsed.error) onChange(parsed.value);
      }}
    />
  );
}

function ResourceSelect({ spec, value, error, onChange, readOnly }: { spec: FieldSpec; value: unknown; error?: string; onChange: (v: unknown) => void; readOnly?: boolean }) {
  const schema = useSchema();
  const data = (schema.data?.resources ?? []).map((r) => ({ value: r.name, label: r.label || r.name }));
  const current = typeof value === 'string' ? value : null;
  if (current && !data.some((d) => d.value === current)) data.push({ value: current, label: current });
  return <Select label={spec.label} required={spec.required} data={data} value={current} onChange={(v) => onChange(v ?? undefined)} error={error} readOnly={readOnly} searchable />;
}

function AudienceSelect({ spec, value, error, onChange, readOnly }: { spec: FieldSpec; value: unknown; error?: string; onChange: (v: unknown) => void; readOnly?: boolean }) {
  const list = useQuery({ queryKey: ['audiences', 'list', 'workflow-picker'], queryFn: ({ signal }) => audiences.list({ limit: 200 }, signal) });
  const data = (list.data?.items ?? []).map((a) => ({ value: String(a.id), label: `${a.label} (#${a.id})` }));
  const current = typeof value === 'number' ? String(value) : null;
  if (current && !data.some((d) => d.value === current)) data.push({ value: current, label: `#${current}` });
  return (
    <Select label={spec.label} required={spec.required} placeholder="Choose an audience" data={data} value={current} onChange={(v) => onChange(v ? Number(v) : undefined)} error={error} readOnly={readOnly} searchable />
  );
}

function TemplateSelect({ spec, value, error, onChange, readOnly }: { spec: FieldSpec; value: unknown; error?: string; onChange: (v: unknown) => void; readOnly?: boolean }) {
  const list = useQuery({ queryKey: [...DELIVERIES_KEY, 'templates'], queryFn: ({ signal }) => deliveries.list({ template: true, limit: 100 }, signal) });
  const data = (list.data?.items ?? []).map((d) => ({ value: String(d.id), label: `${d.label} (#${d.id})` }));
  const current = typeof value === 'number' ? String(value) : null;
  if (current && !data.some((d) => d.value === current)) data.push({ value: current, label: `#${current}` });
  return (
    <Select
      label={spec.label}
      required={spec.required}
      placeholder={data.length ? 'Choose a delivery template' : 'No delivery template yet'}
      data={data}
      value={current}
      onChange={(v) => onChange(v ? Number(v) : undefined)}
      error={error}
      readOnly={readOnly}
      searchable
    />
  );
}

/** A textarea of the query language with the button that opens the query editor on it. */
function QueryTextField({ label, description, required, placeholder, error, value, resource, readOnly, minRows = 2, buttonLabel, onChange }: {
  label: string;
  description?: string;
  required?: boolean;
  placeholder?: string;
  error?: string;
  value: string;
  resource: string;
  readOnly?: boolean;
  minRows?: number;
  buttonLabel?: string;
  onChange: (v: string) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <Stack gap={4}>
      <Textarea
        label={label}
        description={description}
        required={required}
        placeholder={placeholder}
        error={error}
        readOnly={readOnly}
        autosize
        minRows={minRows}
        maxRows={8}
        styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
      {readOnly ? null : (
        <Group justify="flex-end">
          <QueryEditorButton onClick={() => setOpen(true)} label={buttonLabel} />
        </Group>
      )}
      <QueryEditorModal
        opened={open}
        resource={resource}
        text={value}
        what={label}
        onClose={() => setOpen(false)}
        onApply={(text) => {
          onChange(text);
          setOpen(false);
        }}
      />
    </Stack>
  );
}

function ParamField({ spec, params, error, onChange, readOnly }: { spec: FieldSpec; params: Params; error?: string; onChange: (v: unknown) => void; readOnly?: boolean }) {
  const value = params[spec.key];
  const common = { label: spec.label, description: spec.description, required: spec.required, error, readOnly, placeholder: spec.placeholder };
  switch (spec.kind) {
    case 'text':
      return <TextInput {...common} value={typeof value === 'string' ? value : value === undefined ? '' : String(value)} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'textarea':
      return <Textarea {...common} autosize minRows={2} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'expression':
      if (spec.queryEditor) {
        const resource = typeof params.resource === 'string' && params.resource.trim() ? params.resource.trim() : DEFAULT_RESOURCE;
        return (
          <QueryTextField
            label={spec.label}
            description={spec.description}
            required={spec.required}
            placeholder={spec.placeholder}
            error={error}
            readOnly={readOnly}
            value={typeof value === 'string' ? value : ''}
            resource={resource}
            onChange={onChange}
          />
        );
      }
      return (
        <Textarea
          {...common}
          autosize
          minRows={2}
          maxRows={8}
          styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'integer':
      return (
        <NumberInput
          {...common}
          allowDecimal={false}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : v === '' ? undefined : Number(v))}
        />
      );
    case 'boolean':
      return <Switch label={spec.label} description={spec.description} checked={Boolean(value)} disabled={readOnly} onChange={(e) => onChange(e.currentTarget.checked)} />;
    case 'select':
      return <Select {...common} data={spec.options ?? []} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v ?? undefined)} allowDeselect={false} />;
    case 'strings':
      return (
        <TextInput
          {...common}
          defaultValue={Array.isArray(value) ? value.join(', ') : ''}
          key={Array.isArray(value) ? value.join(',') : ''}
          onBlur={(e) => onChange(parseList(e.currentTarget.value))}
        />
      );
    case 'days': {
      const days = Array.isArray(value) ? (value as string[]) : [];
      return (
        <Stack gap={4}>
          <Text size="sm" fw={500}>{spec.label}</Text>
          <Chip.Group multiple value={days} onChange={(v) => onChange(WEEKDAYS.filter((d) => v.includes(d)))}>
            <Group gap={4}>
              {WEEKDAYS.map((d) => (
                <Chip key={d} value={d} size="xs" disabled={readOnly}>{d}</Chip>
              ))}
            </Group>
          </Chip.Group>
          {error ? <Text size="xs" c="red">{error}</Text> : null}
        </Stack>
      );
    }
    case 'json':
      return <JsonField spec={spec} value={value} error={error} onChange={onChange} readOnly={readOnly} />;
    case 'resource':
      return <ResourceSelect spec={spec} value={value} error={error} onChange={onChange} readOnly={readOnly} />;
    case 'audience':
      return <AudienceSelect spec={spec} value={value} error={error} onChange={onChange} readOnly={readOnly} />;
    case 'template':
      return <TemplateSelect spec={spec} value={value} error={error} onChange={onChange} readOnly={readOnly} />;
  }
}

function SegmentationEditor({ params, local, server, resource, onChange, readOnly }: {
  params: Params;
  local: FieldError[];
  server: Problem[];
  resource: string;
  onChange: (p: Params) => void;
  readOnly?: boolean;
}) {
  const segments = segmentsOf(params);
  const complement = complementOf(params);
  const setSegments = (next: Segment[]) => onChange({ ...params, segments: next });
  const setSegment = (i: number, patch: Partial<Segment>) => {
    const next = segments.map((s, j) => {
      if (j !== i) return s;
      const merged: Segment = { ...s, ...patch };
      if (!merged.filter) delete merged.filter;
      if (!merged.limit) delete merged.limit;
      return merged;
    });
    setSegments(next);
  };
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>Segments</Text>
      <Text size="xs" c="dimmed">Filled in order: a row goes to the first segment that takes it.</Text>
      {segments.map((s, i) => (
        <Paper key={i} withBorder p="xs" data-testid={`segment-${i}`}>
          <Stack gap={6}>
            <Group gap={6} align="flex-end" wrap="nowrap">
              <TextInput
                label={`Segment ${i + 1} code`}
                required
                value={s.code}
                readOnly={readOnly}
                error={errorFor(`params.segments[${i}].code`, local, server)}
                onChange={(e) => setSegment(i, { code: e.currentTarget.value })}
                style={{ flex: 1 }}
              />
              <ActionIcon variant="subtle" color="red" aria-label={`Remove segment ${i + 1}`} disabled={readOnly} onClick={() => setSegments(segments.filter((_, j) => j !== i))} mb={4}>
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
            <QueryTextField
              label={`Segment ${i + 1} filter`}
              description="Optional expression; empty takes any row."
              minRows={1}
              value={s.filter ?? ''}
              resource={resource}
              readOnly={readOnly}
              error={fieldProblem(server, `params.segments[${i}].filter`)}
              buttonLabel={`Edit segment ${i + 1} filter with the query editor`}
              onChange={(filter) => setSegment(i, { filter })}
            />
            <Checkbox
              label={`Segment ${i + 1} limit`}
              checked={Boolean(s.limit)}
              disabled={readOnly}
              onChange={(e) => setSegment(i, { limit: e.currentTarget.checked ? { kind: 'percent', value: 10, random: true } : undefined })}
            />
            {s.limit ? (
              <Group gap={6} align="flex-end" wrap="nowrap">
                <NumberInput
                  label={`Segment ${i + 1} limit value`}
                  value={s.limit.value}
                  min={0}
                  readOnly={readOnly}
                  error={errorFor(`params.segments[${i}].limit.value`, local, server)}
                  onChange={(v) => setSegment(i, { limit: { ...s.limit!, value: Number(v) || 0 } })}
                  w={110}
                />
                <Select
                  label={`Segment ${i + 1} limit kind`}
                  data={[{ value: 'percent', label: '%' }, { value: 'count', label: 'rows' }]}
                  value={s.limit.kind}
                  allowDeselect={false}
                  readOnly={readOnly}
                  onChange={(v) => setSegment(i, { limit: { ...s.limit!, kind: v === 'count' ? 'count' : 'percent' } })}
                  w={90}
                />
                <Checkbox
                  label="Random"
                  aria-label={`Segment ${i + 1} random`}
                  checked={Boolean(s.limit.random)}
                  disabled={readOnly}
                  onChange={(e) => setSegment(i, { limit: { ...s.limit!, random: e.currentTarget.checked } })}
                  mb={8}
                />
              </Group>
            ) : null}
          </Stack>
        </Paper>
      ))}
      {errorFor('params.segments', local, server) ? <Text size="xs" c="red">{errorFor('params.segments', local, server)}</Text> : null}
      <Button
        variant="light"
        size="xs"
        leftSection={<IconPlus size={14} />}
        disabled={readOnly}
        onClick={() => setSegments([...segments, { code: nextSegmentCode(params) }])}
      >
        Add segment
      </Button>
      <Switch
        label="Complement (the rows no segment took)"
        checked={complement.enabled}
        disabled={readOnly}
        onChange={(e) => onChange({ ...params, complement: { ...complement, enabled: e.currentTarget.checked } })}
      />
      {complement.enabled ? (
        <TextInput
          label="Complement code"
          value={complement.code}
          readOnly={readOnly}
          error={errorFor('params.complement.code', local, server)}
          onChange={(e) => onChange({ ...params, complement: { ...complement, code: e.currentTarget.value } })}
        />
      ) : null}
    </Stack>
  );
}

const POLICIES: { value: ErrorPolicy; label: string }[] = [
  { value: 'stop', label: 'Stop the run' },
  { value: 'skip', label: 'Skip: end this branch, go on with the others' },
  { value: 'retry', label: 'Retry, then stop' },
];

function OnErrorEditor({ value, onChange, readOnly }: { value: OnError | undefined; onChange: (v: OnError | undefined) => void; readOnly?: boolean }) {
  const policy = value?.policy ?? 'stop';
  return (
    <Stack gap={6}>
      <Select
        label="On error"
        data={POLICIES}
        value={policy}
        allowDeselect={false}
        readOnly={readOnly}
        onChange={(v) => onChange(normalizeOnError({ ...(value ?? { policy: 'stop' }), policy: (v ?? 'stop') as ErrorPolicy }))}
      />
      {policy === 'retry' ? (
        <Group gap={6} grow>
          <NumberInput label="Retries" min={1} max={20} allowDecimal={false} value={value?.retries ?? 3} readOnly={readOnly} onChange={(v) => onChange(normalizeOnError({ policy: 'retry', retries: Number(v) || 1, delaySeconds: value?.delaySeconds }))} />
          <NumberInput label="Delay (seconds)" min={0} max={86400} allowDecimal={false} value={value?.delaySeconds ?? 60} readOnly={readOnly} onChange={(v) => onChange(normalizeOnError({ policy: 'retry', retries: value?.retries, delaySeconds: Number(v) || 0 }))} />
        </Group>
      ) : null}
    </Stack>
  );
}

export function ParamsPanel({ activity, typeLabel, problems, upstreamResource = DEFAULT_RESOURCE, readOnly, onChange, onDelete }: Props) {
  const local = validateParams(activity.type, activity.params);
  const fields = visibleFields(activity.type, activity.params);
  const setParam = (key: string, v: unknown) => {
    const params = { ...activity.params };
    if (v === undefined) delete params[key];
    else params[key] = v;
    onChange({ params });
  };
  const general = problems.filter((p) => !p.field || !p.field.startsWith('params'));
  return (
    <Paper withBorder p="sm" aria-label="Activity settings" role="region" data-testid="params-panel" data-activity={activity.id}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <div>
            <Title order={5}>{typeLabel}</Title>
            <Text size="xs" c="dimmed">id {activity.id}</Text>
          </div>
          <ActionIcon variant="subtle" color="red" aria-label="Delete the activity" disabled={readOnly} onClick={onDelete}>
            <IconTrash size={18} />
          </ActionIcon>
        </Group>
        <TextInput label="Activity label" value={activity.label} readOnly={readOnly} onChange={(e) => onChange({ label: e.currentTarget.value })} />
        {general.map((p, i) => (
          <Text key={i} size="xs" c="red">{p.message}</Text>
        ))}
        {activity.type === 'segmentation' ? (
          <SegmentationEditor params={activity.params} local={local} server={problems} resource={upstreamResource} readOnly={readOnly} onChange={(params) => onChange({ params })} />
        ) : fields.length ? (
          fields.map((f) => (
            <ParamField key={`${activity.id}-${f.key}`} spec={f} params={activity.params} readOnly={readOnly} error={errorFor(`params.${f.key}`, local, problems)} onChange={(v) => setParam(f.key, v)} />
          ))
        ) : (
          <Text size="sm" c="dimmed">No parameter.</Text>
        )}
        <Divider />
        <OnErrorEditor value={activity.onError} readOnly={readOnly} onChange={(v) => onChange({ onError: v })} />
      </Stack>
    </Paper>
  );
}
