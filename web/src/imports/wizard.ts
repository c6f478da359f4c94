// The import wizard's logic, apart from React: the mapping targets of a resource, the rows of
// the mapping step, guessing date formats and key fields, a client-side CSV preview when the
// user overrides the detected format, checking the wizard's state and building the body of
// POST /imports/{id}/start.

import type {
  Encoding, FieldDef, ImportColumnSpec, ImportMode, ImportSniff, ImportStartRequest, OnBadValue, ResourceDef,
  SuggestedColumn,
} from '../api';
import { SYSTEM_FIELDS } from '../records/fields';

/** A field or link a column can be imported into. */
export interface ImportTarget {
  name: string;
  label: string;
  /** The field's type, or "link" (the id of a record of `linkTarget`). */
  type: FieldDef['type'] | 'link';
  required: boolean;
  linkTarget?: string;
}

/** Writable fields (not read-only, not set by the server), then links. */
export function importTargets(resource: ResourceDef): ImportTarget[] {
  const fields: ImportTarget[] = resource.fields
    .filter((f) => !f.readOnly && !SYSTEM_FIELDS.has(f.name))
    .map((f) => ({ name: f.name, label: f.label || f.name, type: f.type, required: f.required }));
  const links: ImportTarget[] = resource.links.map((l) => ({
    name: l.name, label: l.label || l.name, type: 'link', required: l.cardinality === 'one', linkTarget: l.target,
  }));
  return [...fields, ...links];
}

export const isDateTarget = (t: ImportTarget | undefined) => t?.type === 'date' || t?.type === 'datetime';

/** One column of the file in the mapping step; `target` '' means the column is ignored. */
export interface MappingRow {
  source: number;
  target: string;
  format: string;
  onBadValue: OnBadValue;
  default: string;
  keepWhenEmpty: boolean;
}

export const IGNORE = '';

/** The delimiters offered in the format step. */
export const DELIMITERS: { value: string; label: string }[] = [
  { value: ',', label: 'Comma ( , )' },
  { value: ';', label: 'Semicolon ( ; )' },
  { value: '\t', label: 'Tab' },
  { value: '|', label: 'Pipe ( | )' },
];

export function delimiterLabel(d: string): string {
  return DELIMITERS.find((x) => x.value === d)?.label ?? `“${d}”`;
}

/** Common input formats of dates, for the date format input's suggestions. */
export const DATE_FORMATS = ['%d/%m/%Y', '%m/%d/%Y', '%d.%m.%Y', '%d-%m-%Y', '%Y/%m/%d', '%Y%m%d', '%d/%m/%Y %H:%M', '%d/%m/%Y %H:%M:%S', '%Y-%m-%d %H:%M:%S'];

/** The sentence explaining each reconciliation mode. */
export const MODE_HELP: Record<ImportMode, { label: string; help: string }> = {
  insert: { label: 'Insert only', help: 'Every line becomes a new record; existing records are never changed. With key fields, a line that matches an existing record is rejected.' },
  update: { label: 'Update only', help: 'Lines that match an existing record on the key fields update it; lines that match nothing are rejected.' },
  upsert: { label: 'Insert or update', help: 'Lines that match an existing record on the key fields update it; the others become new records.' },
  delete: { label: 'Delete', help: 'Existing records that match a line on the key fields are deleted; lines that match nothing are rejected.' },
};

const normalize = (s: string) => s.toLowerCase().replace(/[\s_\-.]/g, '');

/** The column names: the header row when there is one, else "Column 1", "Column 2"… */
export function columnNames(preview: string[][], hasHeader: boolean, count: number): string[] {
  const header = hasHeader ? preview[0] ?? [] : [];
  return Array.from({ length: count }, (_, i) => (header[i]?.trim() ? header[i].trim() : `Column ${i + 1}`));
}

/** The data rows of the preview (the header left out). */
export function dataRows(preview: string[][], hasHeader: boolean): string[][] {
  return hasHeader ? preview.slice(1) : preview;
}

/** The first non-empty values of one column. */
export function sampleValues(rows: string[][], source: number, max = 3): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const v = (row[source] ?? '').trim();
    if (v) out.push(v);
    if (out.length >= max) break;
  }
  return out;
}

/** The widest row of a preview. */
export function columnCount(preview: string[][]): number {
  return preview.reduce((n, r) => Math.max(n, r.length), 0);
}

/**
 * Guesses an input format for a date column from its samples: ISO (empty) when they look like
 * 2025-01-31, "%d/%m/%Y" or "%m/%d/%Y" for slashes (day first unless only month-first fits),
 * "%d.%m.%Y" for dots; a time part adds " %H:%M[:%S]". Empty when nothing fits.
 */
export function guessDateFormat(samples: string[], withTime = false): string {
  const values = samples.map((s) => s.trim()).filter(Boolean);
  if (values.length === 0) return '';
  if (values.every((v) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v))) return '';
  const m = values.map((v) => /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(:(\d{2}))?)?$/.exec(v));
  if (m.some((x) => !x)) return '';
  const matches = m as RegExpExecArray[];
  const sep = matches[0][2];
  if (matches.some((x) => x[2] !== sep)) return '';
  const firstOver12 = matches.some((x) => Number(x[1]) > 12);
  const secondOver12 = matches.some((x) => Number(x[3]) > 12);
  const dayFirst = firstOver12 || !secondOver12;
  let format = dayFirst ? `%d${sep}%m${sep}%Y` : `%m${sep}%d${sep}%Y`;
  const hasTime = matches.some((x) => x[5] !== undefined);
  if (hasTime || withTime) {
    if (matches.every((x) => x[5] !== undefined)) format += matches.some((x) => x[7] !== undefined) ? ' %H:%M:%S' : ' %H:%M';
  }
  return format;
}

/** Finds the target a column name stands for: the same name or label, ignoring case, spaces, '_', '-' and '.'. */
export function matchTarget(column: string, targets: ImportTarget[]): string {
  const n = normalize(column);
  if (!n) return IGNORE;
  return (targets.find((t) => normalize(t.name) === n) ?? targets.find((t) => normalize(t.label) === n))?.name ?? IGNORE;
}

function rowFor(source: number, target: string, targets: ImportTarget[], samples: string[], base?: Partial<MappingRow>): MappingRow {
  const t = targets.find((x) => x.name === target);
  return {
    source,
    target,
    format: base?.format || (isDateTarget(t) ? guessDateFormat(samples, t?.type === 'datetime') : ''),
    onBadValue: base?.onBadValue ?? 'reject',
    default: base?.default ?? '',
    keepWhenEmpty: base?.keepWhenEmpty ?? true,
  };
}

/**
 * The mapping rows of a file: one per column. The server's suggestions (matched on the header
 * for the resource it was uploaded for) come first; a column they leave out is matched by name
 * or label here; the rest are ignored. Dates get a guessed format.
 */
export function initialMappings(
  names: string[],
  rows: string[][],
  targets: ImportTarget[],
  suggested: SuggestedColumn[] = [],
): MappingRow[] {
  const valid = new Set(targets.map((t) => t.name));
  const used = new Set<string>();
  const out: MappingRow[] = names.map((_, i) => rowFor(i, IGNORE, targets, []));
  for (const s of suggested) {
    if (s.source < 0 || s.source >= names.length || !valid.has(s.target) || used.has(s.target)) continue;
    used.add(s.target);
    out[s.source] = rowFor(s.source, s.target, targets, sampleValues(rows, s.source, 10), {
      format: s.format, onBadValue: s.onBadValue, default: s.default, keepWhenEmpty: s.keepWhenEmpty,
    });
  }
  names.forEach((name, i) => {
    if (out[i].target) return;
    const t = matchTarget(name, targets);
    if (!t || used.has(t)) return;
    used.add(t);
    out[i] = rowFor(i, t, targets, sampleValues(rows, i, 10));
  });
  return out;
}

/** Changes a row's target; choosing a date target guesses its format from the samples. */
export function setTarget(row: MappingRow, target: string, targets: ImportTarget[], rows: string[][]): MappingRow {
  const t = targets.find((x) => x.name === target);
  return { ...row, target, format: isDateTarget(t) ? row.format || guessDateFormat(sampleValues(rows, row.source, 10), t?.type === 'datetime') : '' };
}

/** The targets chosen in the mapping, in column order. */
export function mappedTargets(rows: MappingRow[]): string[] {
  return rows.filter((r) => r.target !== IGNORE).map((r) => r.target);
}

/**
 * The key fields to suggest: for profiles email (then externalId, then mobilePhone) when mapped;
 * for another resource the fields of its first unique index that are all mapped; else none.
 */
export function defaultKeys(resource: ResourceDef, mapped: string[]): string[] {
  const has = new Set(mapped);
  if (resource.name === 'profile') {
    for (const k of ['email', 'externalId', 'mobilePhone']) if (has.has(k)) return [k];
    return [];
  }
  for (const idx of resource.indexes) {
    if (idx.unique && idx.fields.length > 0 && !idx.fields.includes('id') && idx.fields.every((f) => has.has(f))) return [...idx.fields];
  }
  for (const k of ['email', 'code', 'externalId', 'name']) if (has.has(k)) return [k];
  return [];
}

/** The mode to start with: upsert when there are keys to match on, else insert. */
export function defaultMode(keys: string[]): ImportMode {
  return keys.length ? 'upsert' : 'insert';
}

/** Everything the wizard has chosen once the file is uploaded. */
export interface WizardState {
  resource: string;
  sniff: ImportSniff;
  delimiter: string;
  encoding: Encoding;
  hasHeader: boolean;
  mappings: MappingRow[];
  mode: ImportMode;
  keys: string[];
}

/** What stops the import from starting, in the words shown to the user; empty when it can start. */
export function problems(state: WizardState, targets: ImportTarget[]): string[] {
  const out: string[] = [];
  const mapped = mappedTargets(state.mappings);
  const byName = new Map(targets.map((t) => [t.name, t]));
  if (mapped.length === 0) out.push('Map at least one column to a field.');
  const seen = new Set<string>();
  for (const t of mapped) {
    if (seen.has(t)) out.push(`${byName.get(t)?.label ?? t} is chosen for two columns.`);
    seen.add(t);
  }
  for (const r of state.mappings) {
    if (r.target && r.onBadValue === 'default' && r.default.trim() === '') {
      out.push(`Give a default value for ${byName.get(r.target)?.label ?? r.target}, or choose another way to handle bad values.`);
    }
  }
  if (state.mode !== 'insert' && state.keys.length === 0) out.push(`${MODE_HELP[state.mode].label} needs key fields to find existing records.`);
  for (const k of state.keys) if (!seen.has(k)) out.push(`The key ${byName.get(k)?.label ?? k} is not mapped from a column.`);
  return out;
}

/** The body of POST /imports/{id}/start. Ignored columns are left out; format only for dates. */
export function buildStartRequest(state: WizardState, targets: ImportTarget[]): ImportStartRequest {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const columns: ImportColumnSpec[] = state.mappings
    .filter((r) => r.target !== IGNORE)
    .map((r) => {
      const c: ImportColumnSpec = { source: r.source, target: r.target, onBadValue: r.onBadValue, keepWhenEmpty: r.keepWhenEmpty };
      if (isDateTarget(byName.get(r.target)) && r.format.trim()) c.format = r.format.trim();
      if (r.onBadValue === 'default') c.default = r.default;
      return c;
    });
  const mapped = new Set(columns.map((c) => c.target));
  return {
    resource: state.resource,
    mode: state.mode,
    keys: state.keys.filter((k) => mapped.has(k)),
    columns,
    delimiter: state.delimiter,
    encoding: state.encoding,
    hasHeader: state.hasHeader,
  };
}

/**
 * Splits CSV text into rows (RFC 4180 quotes, "" inside quotes, CRLF or LF), at most `maxRows`;
 * a last line cut off by the end of the text is dropped when `partial`.
 */
export function parseCsv(text: string, delimiter: string, maxRows = 30, partial = false): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(cell);
    cell = '';
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length && rows.length < maxRows; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else cell += c;
  }
  if (rows.length < maxRows && !partial && (cell !== '' || row.length)) endRow();
  return rows;
}

/** "1.5 MB" */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** The sentence under the result counters. */
export function resultSummary(c: { read: number; inserted: number; updated: number; deleted: number; unchanged: number; rejected: number }): string {
  if (c.read === 0) return 'The file has no data lines: nothing was changed.';
  if (c.inserted + c.updated + c.deleted === 0) {
    if (c.rejected === c.read) return 'Nothing changed: every line was rejected. Download the rejects to see why.';
    return 'Nothing changed: the records already had these values' + (c.rejected ? ', and the other lines were rejected.' : '.');
  }
  const parts: string[] = [];
  if (c.inserted) parts.push(`${c.inserted.toLocaleString('en-US')} inserted`);
  if (c.updated) parts.push(`${c.updated.toLocaleString('en-US')} updated`);
  if (c.deleted) parts.push(`${c.deleted.toLocaleString('en-US')} deleted`);
  return `Done: ${parts.join(', ')}${c.rejected ? `; ${c.rejected.toLocaleString('en-US')} ${c.rejected === 1 ? 'line was' : 'lines were'} rejected` : ''}.`;
}
