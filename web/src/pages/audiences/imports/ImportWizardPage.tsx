// Profiles & audiences > Imports > New import: a four-step wizard.
//  1. File: the resource to import into (profiles unless ?resource= says otherwise) and the file
//     (drag and drop or the file chooser), uploaded with a progress bar.
//  2. Format: the detected delimiter, encoding and header line, editable, and a preview.
//  3. Mapping: one row per column (name, sample values, target, date format, bad values, empty
//     cells), then reconciliation (mode and key fields).
//  4. Run: start, live progress, counters, rejects (ImportRun).

import {
  Alert, Anchor, Autocomplete, Badge, Button, Code, Group, List, MultiSelect, NativeSelect, Paper, Progress,
  ScrollArea, SimpleGrid, Stack, Stepper, Switch, Table, Text, TextInput,
} from '@mantine/core';
import { IconAlertTriangle, IconFileUpload, IconUpload, IconX } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { Link, useSearchParams } from 'react-router';

import {
  IMPORT_MODES, imports, uploadImport, type Encoding, type ImportItem, type ImportSniff, type ImportMode, type ResourceDef,
  type UploadedImport, type UploadHandle,
} from '../../../api';
import { useCurrentUser } from '../../../auth';
import { AccessRefused, isAccessRefused, LoadError } from '../../../components/ErrorAlert';
import {
  buildStartRequest, columnCount, columnNames, DATE_FORMATS, dataRows, defaultKeys, defaultMode, DELIMITERS,
  delimiterLabel, formatBytes, IGNORE, importTargets, initialMappings, isDateTarget, mappedTargets, MODE_HELP,
  parseCsv, problems, sampleValues, setTarget, type ImportTarget, type MappingRow, type WizardState,
} from '../../../imports/wizard';
import { canWriteData } from '../../../records/permissions';
import { useSchema } from '../../../records/useSchema';
import { ImportRun } from './ImportRun';
import { IMPORTS_LIST_KEY } from './ImportsPage';

const PREVIEW_ROWS = 10;
const HEAD_BYTES = 256 * 1024;

/** The first bytes of the file as text, un-gzipped when needed, in the chosen encoding. */
async function readHead(file: File, gzip: boolean, encoding: Encoding): Promise<string> {
  const decoder = new TextDecoder(encoding === 'latin-1' ? 'latin1' : 'utf-8');
  if (!gzip) return decoder.decode(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const reader = file.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < HEAD_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return decoder.decode(all);
}

export function ImportWizardPage() {
  const user = useCurrentUser();
  const schema = useSchema();
  if (schema.isPending) return <Text c="dimmed">Loading the data model…</Text>;
  if (schema.isError) {
    if (isAccessRefused(schema.error)) return <AccessRefused needs="Imports need a role with access to data." error={schema.error} />;
    return <LoadError error={schema.error} onRetry={() => schema.refetch()} />;
  }
  if (!canWriteData(user.role)) return <AccessRefused needs="Importing changes data, which your role cannot do." />;
  return <Wizard resources={schema.data.resources} />;
}

function Wizard({ resources }: { resources: ResourceDef[] }) {
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const importable = useMemo(() => resources.filter((r) => importTargets(r).length > 0), [resources]);
  const [active, setActive] = useState(0);
  const [resourceName, setResourceName] = useState(() => {
    const asked = params.get('resource');
    return importable.some((r) => r.name === asked) ? (asked as string) : 'profile';
  });
  const resource = importable.find((r) => r.name === resourceName) ?? importable[0];
  const targets = useMemo(() => (resource ? importTargets(resource) : []), [resource]);

  // Step 1: the file and its upload.
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<UploadedImport | null>(null);
  const [uploadedFor, setUploadedFor] = useState('');
  const [sent, setSent] = useState<{ loaded: number; total: number } | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const handle = useRef<UploadHandle | null>(null);
  useEffect(() => () => handle.current?.abort(), []);

  // Step 2: the format.
  const [delimiter, setDelimiter] = useState(',');
  const [encoding, setEncoding] = useState<Encoding>('utf-8');
  const [hasHeader, setHasHeader] = useState(true);
  const [localPreview, setLocalPreview] = useState<{ key: string; rows: string[][] | null; error?: string } | null>(null);

  // Step 3: the mapping.
  const [mappings, setMappings] = useState<MappingRow[]>([]);
  const [mappedFor, setMappedFor] = useState('');
  const [mode, setMode] = useState<ImportMode>('upsert');
  const [keys, setKeys] = useState<string[]>([]);
  // Until the user picks keys or a mode, they follow the mapping (email once it is mapped…).
  const [keysTouched, setKeysTouched] = useState(false);
  const [modeTouched, setModeTouched] = useState(false);

  // Step 4: the run.
  const [started, setStarted] = useState<ImportItem | null>(null);
  const [finished, setFinished] = useState(false);

  const sniff = upload?.sniff ?? null;
  const formatKey = `${delimiter}|${encoding}`;
  const detected = !sniff || (delimiter === sniff.delimiter && encoding === sniff.encoding);
  useEffect(() => {
    if (!sniff || !file || detected || localPreview?.key === formatKey) return;
    let live = true;
    readHead(file, sniff.gzip, encoding)
      .then((text) => live && setLocalPreview({ key: formatKey, rows: parseCsv(text, delimiter, 30, text.length >= HEAD_BYTES - 4) }))
      .catch((e: unknown) => live && setLocalPreview({ key: formatKey, rows: null, error: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, [formatKey, sniff, file, detected]);
  const preview: string[][] = detected ? sniff?.preview ?? [] : localPreview?.key === formatKey && localPreview.rows ? localPreview.rows : sniff?.preview ?? [];
  const previewStale = !detected && !(localPreview?.key === formatKey && localPreview.rows);
  const count = detected ? sniff?.columnCount ?? 0 : columnCount(preview);
  const names = useMemo(() => columnNames(preview, hasHeader, count), [preview, hasHeader, count]);
  const rows = useMemo(() => dataRows(preview, hasHeader), [preview, hasHeader]);

  const chooseFile = (f: File | null) => {
    handle.current?.abort();
    setFile(f);
    setUpload(null);
    setSent(null);
    setUploadError(null);
    setMappedFor('');
  };

  const doUpload = () => {
    if (!file || !resource) return;
    setUploadError(null);
    setSent({ loaded: 0, total: file.size });
    const h = uploadImport(file, resource.name, setSent);
    handle.current = h;
    h.promise.then(
      (u) => {
        handle.current = null;
        setUpload(u);
        setUploadedFor(resource.name);
        setDelimiter(u.sniff.delimiter);
        setEncoding(u.sniff.encoding);
        setHasHeader(u.sniff.hasHeader);
        setLocalPreview(null);
        setMappedFor('');
        void queryClient.invalidateQueries({ queryKey: IMPORTS_LIST_KEY });
        setActive(1);
      },
      (e: unknown) => {
        handle.current = null;
        setSent(null);
        if (e instanceof DOMException && e.name === 'AbortError') return;
        setUploadError(e instanceof Error ? e.message : String(e));
      },
    );
  };

  // The mapping is rebuilt when the step is entered with another resource or format.
  const layoutKey = `${upload?.id ?? 0}|${resource?.name}|${formatKey}|${hasHeader}|${names.join('\u0001')}`;
  const enterMapping = () => {
    if (resource && mappedFor !== layoutKey) {
      const suggested = detected && uploadedFor === resource.name ? upload?.suggestedColumns ?? [] : [];
      const m = initialMappings(names, rows, targets, suggested);
      const k = defaultKeys(resource, mappedTargets(m));
      setMappings(m);
      setKeys(k);
      setMode(defaultMode(k));
      setKeysTouched(false);
      setModeTouched(false);
      setMappedFor(layoutKey);
    }
    setActive(2);
  };

  const state: WizardState | null = sniff && resource
    ? { resource: resource.name, sniff, delimiter, encoding, hasHeader, mappings, mode, keys }
    : null;
  const issues = state ? problems(state, targets) : [];

  const start = useMutation({
    mutationFn: () => imports.start(upload!.id, buildStartRequest(state!, targets)),
    onSuccess: (item) => {
      setStarted(item);
      void queryClient.invalidateQueries({ queryKey: IMPORTS_LIST_KEY });
    },
  });

  const updateRow = (i: number, next: MappingRow) => {
    const all = mappings.map((r, j) => (j === i ? next : r));
    setMappings(all);
    if (!keysTouched && resource) {
      const k = defaultKeys(resource, mappedTargets(all));
      setKeys(k);
      if (!modeTouched) setMode(defaultMode(k));
    } else {
      // Keys must stay among the mapped targets.
      const mapped = new Set(mappedTargets(all));
      setKeys((k) => k.filter((x) => mapped.has(x)));
    }
  };

  const uploading = sent !== null && upload === null && !uploadError;
  const locked = started !== null;

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Anchor component={Link} to="/audiences/imports" size="sm">← Imports</Anchor>
        {upload ? <Text size="sm" c="dimmed">{upload.fileName} · {formatBytes(upload.fileBytes)}</Text> : null}
      </Group>
      <Stepper active={active} onStepClick={locked ? undefined : setActive} allowNextStepsSelect={false} size="sm">
        <Stepper.Step label="File" description="What and where">
          <StepFile
            importable={importable}
            resource={resource}
            onResource={setResourceName}
            file={file}
            onFile={chooseFile}
            uploading={uploading}
            sent={sent}
            uploaded={upload}
            error={uploadError}
            onCancelUpload={() => handle.current?.abort()}
          />
        </Stepper.Step>
        <Stepper.Step label="Format" description="Delimiter, encoding">
          {sniff ? (
            <StepFormat
              sniff={sniff}
              delimiter={delimiter}
              onDelimiter={setDelimiter}
              encoding={encoding}
              onEncoding={setEncoding}
              hasHeader={hasHeader}
              onHasHeader={setHasHeader}
              names={names}
              rows={rows}
              stale={previewStale}
              previewError={localPreview?.key === formatKey ? localPreview.error : undefined}
            />
          ) : null}
        </Stepper.Step>
        <Stepper.Step label="Mapping" description="Columns and keys">
          {state && resource ? (
            <StepMapping
              resource={resource}
              targets={targets}
              names={names}
              rows={rows}
              mappings={mappings}
              onRow={updateRow}
              mode={mode}
              onMode={(m) => {
                setMode(m);
                setModeTouched(true);
              }}
              keys={keys}
              onKeys={(k) => {
                setKeys(k);
                setKeysTouched(true);
              }}
              issues={issues}
            />
          ) : null}
        </Stepper.Step>
        <Stepper.Step label="Run" description="Progress and result">
          {state && resource && upload ? (
            <Stack gap="md">
              <Paper withBorder radius="md" p="md">
                <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
                  <Summary label="File" value={`${upload.fileName} (${formatBytes(upload.fileBytes)})`} />
                  <Summary label="Into" value={resource.pluralLabel} />
                  <Summary label="Mode" value={MODE_HELP[mode].label} />
                  <Summary label="Key fields" value={keys.map((k) => targets.find((t) => t.name === k)?.label ?? k).join(', ') || '—'} />
                </SimpleGrid>
                <Text size="sm" c="dimmed" mt="sm">
                  {mappedTargets(mappings).length} of {mappings.length} columns imported · {delimiterLabel(delimiter)} · {encoding}
                  {hasHeader ? ' · first line is the header' : ''}. An import is all or nothing: if it fails or is cancelled, nothing is changed.
                </Text>
              </Paper>
              {start.isError ? (
                <Alert color="red" variant="light" title="The server refused to start the import" icon={<IconAlertTriangle size={18} />} role="alert">
                  {start.error instanceof Error ? start.error.message : String(start.error)}
                </Alert>
              ) : null}
              {started ? (
                <ImportRun id={started.id} onFinished={() => setFinished(true)} />
              ) : (
                <Group>
                  <Button onClick={() => start.mutate()} loading={start.isPending} disabled={issues.length > 0}>
                    Start import
                  </Button>
                </Group>
              )}
              {finished && resource ? (
                <Group>
                  <Button component={Link} to={resource.name === 'profile' ? '/audiences/profiles' : `/audiences/resources/${resource.name}`} variant="default">
                    Open {resource.pluralLabel.toLowerCase()}
                  </Button>
                  <Button component={Link} to="/audiences/imports" variant="default">Import history</Button>
                </Group>
              ) : null}
            </Stack>
          ) : null}
        </Stepper.Step>
      </Stepper>

      {!locked ? (
        <Group justify="space-between">
          <Button variant="default" onClick={() => setActive((a) => Math.max(0, a - 1))} disabled={active === 0}>
            Back
          </Button>
          {active === 0 ? (
            upload ? (
              <Button onClick={() => setActive(1)}>Next</Button>
            ) : (
              <Button leftSection={<IconUpload size={16} />} onClick={doUpload} disabled={!file || uploading} loading={uploading}>
                Upload and continue
              </Button>
            )
          ) : null}
          {active === 1 ? <Button onClick={enterMapping} disabled={previewStale || count === 0}>Next</Button> : null}
          {active === 2 ? <Button onClick={() => setActive(3)} disabled={issues.length > 0}>Next</Button> : null}
        </Group>
      ) : null}
    </Stack>
  );
}

function Summary({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase">{label}</Text>
      <Text size="sm" fw={500}>{value}</Text>
    </Stack>
  );
}

interface StepFileProps {
  importable: ResourceDef[];
  resource: ResourceDef | undefined;
  onResource: (name: string) => void;
  file: File | null;
  onFile: (f: File | null) => void;
  uploading: boolean;
  sent: { loaded: number; total: number } | null;
  uploaded: UploadedImport | null;
  error: string | null;
  onCancelUpload: () => void;
}

function StepFile({ importable, resource, onResource, file, onFile, uploading, sent, uploaded, error, onCancelUpload }: StepFileProps) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files?.[0];
    if (f) onFile(f);
  };
  const percent = sent && sent.total ? Math.round((sent.loaded / sent.total) * 100) : 0;
  return (
    <Stack gap="md" mt="md">
      <NativeSelect
        label="Import into"
        description="Profiles, or any other resource of the data model, custom ones included."
        data={importable.map((r) => ({ value: r.name, label: `${r.pluralLabel}${r.builtin ? '' : ' (custom)'}` }))}
        value={resource?.name ?? ''}
        onChange={(e) => onResource(e.currentTarget.value)}
        disabled={uploading}
        w={360}
      />
      <Paper
        withBorder
        radius="md"
        p="xl"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
        data-testid="drop-zone"
        style={{ borderStyle: 'dashed', borderWidth: 2, background: over ? 'var(--mantine-color-indigo-0)' : undefined, textAlign: 'center' }}
      >
        <Stack align="center" gap="xs">
          <IconFileUpload size={40} stroke={1.3} color="var(--mantine-color-indigo-6)" />
          <Text fw={500}>Drop a CSV or TSV file here</Text>
          <Text size="sm" c="dimmed">Comma, semicolon, tab or pipe separated; UTF-8 or Latin-1; may be gzip-compressed (.gz). Up to 256 MiB.</Text>
          <input
            ref={input}
            id="import-file"
            type="file"
            accept=".csv,.tsv,.txt,.gz,text/csv,text/tab-separated-values,application/gzip"
            aria-label="File to import"
            onChange={(e) => onFile(e.currentTarget.files?.[0] ?? null)}
            style={{ position: 'absolute', width: 1, height: 1, opacity: 0, overflow: 'hidden', pointerEvents: 'none' }}
            tabIndex={-1}
          />
          <Button variant="light" onClick={() => input.current?.click()} disabled={uploading}>
            Choose a file
          </Button>
          {file ? (
            <Group gap="xs" data-testid="chosen-file">
              <Badge variant="light" size="lg" tt="none">{file.name}</Badge>
              <Text size="sm" c="dimmed">{formatBytes(file.size)}</Text>
            </Group>
          ) : null}
        </Stack>
      </Paper>
      {sent ? (
        <Stack gap={4}>
          <Group justify="space-between">
            <Text size="sm">{uploaded ? 'Uploaded' : `Uploading… ${formatBytes(sent.loaded)} of ${formatBytes(sent.total)}`}</Text>
            <Group gap="xs">
              <Text size="sm" fw={600}>{uploaded ? 100 : percent}%</Text>
              {uploading ? (
                <Button size="compact-xs" variant="subtle" color="red" leftSection={<IconX size={12} />} onClick={onCancelUpload}>
                  Stop upload
                </Button>
              ) : null}
            </Group>
          </Group>
          <Progress value={uploaded ? 100 : percent} aria-label="Upload progress" animated={uploading} />
        </Stack>
      ) : null}
      {error ? (
        <Alert color="red" variant="light" title="The upload failed" icon={<IconAlertTriangle size={18} />} role="alert">
          {error}
        </Alert>
      ) : null}
    </Stack>
  );
}

interface StepFormatProps {
  sniff: ImportSniff;
  delimiter: string;
  onDelimiter: (d: string) => void;
  encoding: Encoding;
  onEncoding: (e: Encoding) => void;
  hasHeader: boolean;
  onHasHeader: (h: boolean) => void;
  names: string[];
  rows: string[][];
  stale: boolean;
  previewError?: string;
}

function StepFormat({ sniff, delimiter, onDelimiter, encoding, onEncoding, hasHeader, onHasHeader, names, rows, stale, previewError }: StepFormatProps) {
  const delimiters = DELIMITERS.some((d) => d.value === sniff.delimiter) ? DELIMITERS : [...DELIMITERS, { value: sniff.delimiter, label: delimiterLabel(sniff.delimiter) }];
  return (
    <Stack gap="md" mt="md">
      <Text size="sm" data-testid="detected-format">
        Detected: <b>{delimiterLabel(sniff.delimiter)}</b> separated, <b>{sniff.encoding === 'utf-8' ? 'UTF-8' : 'Latin-1'}</b>,{' '}
        {sniff.hasHeader ? 'with a header line' : 'no header line'}, {sniff.columnCount} columns{sniff.gzip ? ', gzip-compressed' : ''}.
        Change what was guessed wrong.
      </Text>
      <Group align="flex-end" gap="lg">
        <NativeSelect label="Delimiter" data={delimiters} value={delimiter} onChange={(e) => onDelimiter(e.currentTarget.value)} w={200} />
        <NativeSelect
          label="Encoding"
          data={[{ value: 'utf-8', label: 'UTF-8' }, { value: 'latin-1', label: 'Latin-1 (ISO-8859-1)' }]}
          value={encoding}
          onChange={(e) => onEncoding(e.currentTarget.value as Encoding)}
          w={220}
        />
        <Switch label="The first line is a header" checked={hasHeader} onChange={(e) => onHasHeader(e.currentTarget.checked)} mb={8} />
      </Group>
      {previewError ? <Alert color="orange" variant="light">Could not read the file here to preview it: {previewError}</Alert> : null}
      <Text size="sm" c="dimmed">
        {stale ? 'Reading the file with the new settings…' : `The first ${Math.min(rows.length, PREVIEW_ROWS)} lines${hasHeader ? ' after the header' : ''}:`}
      </Text>
      <Paper withBorder radius="md">
        <ScrollArea type="auto">
          <Table striped verticalSpacing={4} fz="sm" aria-label="Preview" style={{ whiteSpace: 'nowrap' }}>
            <Table.Thead>
              <Table.Tr>
                {names.map((n, i) => <Table.Th key={i}>{n}</Table.Th>)}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.slice(0, PREVIEW_ROWS).map((r, i) => (
                <Table.Tr key={i}>
                  {names.map((_, j) => <Table.Td key={j}>{r[j] ?? ''}</Table.Td>)}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </Paper>
    </Stack>
  );
}

interface StepMappingProps {
  resource: ResourceDef;
  targets: ImportTarget[];
  names: string[];
  rows: string[][];
  mappings: MappingRow[];
  onRow: (i: number, row: MappingRow) => void;
  mode: ImportMode;
  onMode: (m: ImportMode) => void;
  keys: string[];
  onKeys: (k: string[]) => void;
  issues: string[];
}

const BAD_VALUE_OPTIONS = [
  { value: 'reject', label: 'Reject the line' },
  { value: 'ignore', label: 'Ignore the value' },
  { value: 'default', label: 'Use a default' },
];

function StepMapping({ resource, targets, names, rows, mappings, onRow, mode, onMode, keys, onKeys, issues }: StepMappingProps) {
  const fields = targets.filter((t) => t.type !== 'link');
  const links = targets.filter((t) => t.type === 'link');
  const targetData = [
    { value: IGNORE, label: '— ignore —' },
    { group: 'Fields', items: fields.map((t) => ({ value: t.name, label: `${t.label}${t.required ? ' *' : ''}` })) },
    ...(links.length ? [{ group: 'Links (record id)', items: links.map((t) => ({ value: t.name, label: `${t.label} → ${t.linkTarget}` })) }] : []),
  ];
  const byName = new Map(targets.map((t) => [t.name, t]));
  const mapped = mappedTargets(mappings);
  const taken = new Map<string, number>();
  mapped.forEach((t) => taken.set(t, (taken.get(t) ?? 0) + 1));

  return (
    <Stack gap="md" mt="md">
      <Text size="sm" c="dimmed">
        Choose where each column of the file goes in {resource.pluralLabel.toLowerCase()}. Columns left on “— ignore —” are not read.
      </Text>
      <Paper withBorder radius="md">
        <Table verticalSpacing="sm" aria-label="Mapping" layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="20%">Column</Table.Th>
              <Table.Th w="22%">Sample values</Table.Th>
              <Table.Th w="24%">Import into</Table.Th>
              <Table.Th>Options</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {mappings.map((m, i) => {
              const name = names[m.source] ?? `Column ${m.source + 1}`;
              const t = byName.get(m.target);
              const samples = sampleValues(rows, m.source, 3);
              return (
                <Table.Tr key={m.source} data-column={name}>
                  <Table.Td>
                    <Text size="sm" fw={500} style={{ wordBreak: 'break-word' }}>{name}</Text>
                    <Text size="xs" c="dimmed">column {m.source + 1}</Text>
                  </Table.Td>
                  <Table.Td>
                    {samples.length ? (
                      <Stack gap={2}>
                        {samples.map((s, j) => <Code key={j} style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>{s}</Code>)}
                      </Stack>
                    ) : <Text size="xs" c="dimmed">(empty)</Text>}
                  </Table.Td>
                  <Table.Td>
                    <NativeSelect
                      aria-label={`Import ${name} into`}
                      data={targetData}
                      value={m.target}
                      onChange={(e) => onRow(i, setTarget(m, e.currentTarget.value, targets, rows))}
                      error={m.target && (taken.get(m.target) ?? 0) > 1 ? 'Chosen for two columns' : undefined}
                    />
                  </Table.Td>
                  <Table.Td>
                    {m.target ? (
                      <Stack gap={6}>
                        {isDateTarget(t) ? (
                          <Autocomplete
                            size="xs"
                            label={`Date format of ${name}`}
                            description="Empty: ISO (2025-01-31). %d day, %m month, %Y year, %H:%M time."
                            placeholder="ISO"
                            data={DATE_FORMATS}
                            value={m.format}
                            onChange={(v) => onRow(i, { ...m, format: v })}
                          />
                        ) : null}
                        <Group gap="xs" align="flex-end" wrap="nowrap">
                          <NativeSelect
                            size="xs"
                            label={`Bad values in ${name}`}
                            data={BAD_VALUE_OPTIONS}
                            value={m.onBadValue}
                            onChange={(e) => onRow(i, { ...m, onBadValue: e.currentTarget.value as MappingRow['onBadValue'] })}
                          />
                          {m.onBadValue === 'default' ? (
                            <TextInput size="xs" label={`Default for ${name}`} value={m.default} onChange={(e) => onRow(i, { ...m, default: e.currentTarget.value })} />
                          ) : null}
                        </Group>
                        <Switch
                          size="xs"
                          label="Empty cell keeps the existing value"
                          aria-label={`Empty cell in ${name} keeps the existing value`}
                          checked={m.keepWhenEmpty}
                          onChange={(e) => onRow(i, { ...m, keepWhenEmpty: e.currentTarget.checked })}
                        />
                      </Stack>
                    ) : (
                      <Text size="xs" c="dimmed">Not imported</Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Paper>

      <Paper withBorder radius="md" p="md" data-testid="reconciliation">
        <Text fw={600} mb="xs">Reconciliation</Text>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <NativeSelect
            label="Mode"
            description={MODE_HELP[mode].help}
            data={IMPORT_MODES.map((m) => ({ value: m, label: `${MODE_HELP[m].label} (${m})` }))}
            value={mode}
            onChange={(e) => onMode(e.currentTarget.value as ImportMode)}
          />
          <MultiSelect
            label="Key fields"
            description={
              resource.name === 'profile'
                ? 'The fields that identify a record; email is the usual key for profiles.'
                : 'The fields that identify a record of this resource.'
            }
            placeholder={mapped.length ? 'Choose among the mapped fields' : 'Map a column first'}
            data={[...new Set(mapped)].map((n) => ({ value: n, label: byName.get(n)?.label ?? n }))}
            value={keys}
            onChange={onKeys}
            clearable
          />
        </SimpleGrid>
      </Paper>

      {issues.length ? (
        <Alert color="orange" variant="light" title="Before you go on" icon={<IconAlertTriangle size={18} />} data-testid="mapping-issues">
          <List size="sm">
            {issues.map((p) => <List.Item key={p}>{p}</List.Item>)}
          </List>
        </Alert>
      ) : null}
    </Stack>
  );
}
