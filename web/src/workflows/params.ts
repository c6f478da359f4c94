// The parameters of each activity type, without React: their defaults when an activity is
// dropped on the canvas, the form fields the side panel draws for them, and the checks the
// form makes as you type (the server's check, POST /workflows/check, stays the judge: these
// only catch what is plainly incomplete, at once and beside the field).

import type { Params } from './api';

export type FieldKind =
  | 'text' // one line
  | 'expression' // the query language (monospace, several lines)
  | 'textarea'
  | 'integer'
  | 'boolean'
  | 'select'
  | 'strings' // a list of strings, one per line / comma-separated
  | 'days' // weekdays (Scheduler weekly)
  | 'json' // a JSON value (lists of objects: additional data, mapping, columns, parameters)
  | 'audience' // an audience id, chosen from the audiences
  | 'template' // a delivery template id
  | 'resource'; // a resource name of the data model

export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  description?: string;
  options?: { value: string; label: string }[];
  required?: boolean;
  /** Shown only when this returns true for the current params. */
  when?: (p: Params) => boolean;
  placeholder?: string;
  /** An expression over a resource: the side panel offers the query editor for it. */
  queryEditor?: boolean;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const AGGREGATE_HELP =
  'A list: [{"name": "city", "field": "city"}] or [{"name": "orders", "aggregate": "count", "link": "purchases"}] (aggregate count, sum, min, max, avg; "filter" optional).';

const schedulerKind = (k: string) => (p: Params) => p.kind === k;

const QUERY_FIELDS: FieldSpec[] = [
  { key: 'resource', label: 'Resource', kind: 'resource', required: true },
  {
    key: 'expression',
    label: 'Expression',
    kind: 'expression',
    required: true,
    description: 'The query language, e.g. country in ("FR", "DE").',
    placeholder: 'country in ("FR", "DE")',
    queryEditor: true,
  },
  { key: 'additionalData', label: 'Additional data', kind: 'json', description: AGGREGATE_HELP },
];

/** The form of each type; a type not listed has no parameters. */
export const FIELDS: Record<string, FieldSpec[]> = {
  scheduler: [
    {
      key: 'kind',
      label: 'Repeat',
      kind: 'select',
      required: true,
      options: [
        { value: 'once', label: 'Once' },
        { value: 'daily', label: 'Every day' },
        { value: 'weekly', label: 'Every week' },
        { value: 'monthly', label: 'Every month' },
        { value: 'cron', label: 'Cron expression' },
      ],
    },
    { key: 'at', label: 'At (local time)', kind: 'text', placeholder: '2026-12-01T09:00', when: schedulerKind('once'), required: true, description: 'YYYY-MM-DDTHH:MM in the time zone below.' },
    { key: 'time', label: 'Time', kind: 'text', placeholder: '02:00', when: (p) => ['daily', 'weekly', 'monthly'].includes(String(p.kind)), required: true },
    { key: 'days', label: 'Days', kind: 'days', when: schedulerKind('weekly'), required: true },
    { key: 'dayOfMonth', label: 'Day of the month', kind: 'integer', when: schedulerKind('monthly'), required: true, description: '1 to 31, or -1 for the last day.' },
    { key: 'cron', label: 'Cron', kind: 'text', placeholder: '0 2 * * 1-5', when: schedulerKind('cron'), required: true, description: 'Five fields: minute, hour, day of month, month, day of week.' },
    { key: 'timeZone', label: 'Time zone', kind: 'text', placeholder: 'UTC', description: 'IANA name, e.g. Europe/Paris.' },
  ],
  externalSignal: [
    {
      key: 'parameters',
      label: 'Parameters',
      kind: 'json',
      description: 'A list: [{"name": "country", "type": "string", "required": true}] (type string, integer or boolean). They become run variables.',
    },
  ],
  wait: [
    {
      key: 'kind',
      label: 'Wait',
      kind: 'select',
      required: true,
      options: [
        { value: 'duration', label: 'For a duration' },
        { value: 'until', label: 'Until a date' },
      ],
    },
    { key: 'seconds', label: 'Seconds', kind: 'integer', when: (p) => p.kind !== 'until', required: true },
    { key: 'at', label: 'Until', kind: 'text', placeholder: '2026-12-01T09:00:00Z', when: (p) => p.kind === 'until', required: true, description: 'RFC 3339, e.g. 2026-12-01T09:00:00Z.' },
  ],
  test: [
    {
      key: 'condition',
      label: 'Condition',
      kind: 'expression',
      required: true,
      description: 'Over the run variables and `count` (rows of the inbound population), e.g. count > 100.',
      placeholder: 'count > 0',
    },
  ],
  alert: [
    { key: 'message', label: 'Message', kind: 'textarea', required: true },
    {
      key: 'level',
      label: 'Level',
      kind: 'select',
      options: [
        { value: 'info', label: 'Information' },
        { value: 'warning', label: 'Warning' },
        { value: 'error', label: 'Error' },
      ],
    },
    { key: 'recipients', label: 'Recipients', kind: 'strings', description: 'User names, separated by commas.' },
  ],
  query: QUERY_FIELDS,
  incrementalQuery: QUERY_FIELDS,
  readAudience: [{ key: 'audienceId', label: 'Audience', kind: 'audience', required: true }],
  saveAudience: [
    { key: 'label', label: 'Audience label', kind: 'text', required: true, description: 'A list audience of that label, created when missing.' },
    {
      key: 'mode',
      label: 'Mode',
      kind: 'select',
      options: [
        { value: 'replace', label: 'Replace its profiles' },
        { value: 'append', label: 'Add to its profiles' },
      ],
    },
  ],
  deduplication: [
    { key: 'fields', label: 'Fields', kind: 'strings', required: true, description: 'Rows with the same values of these fields are duplicates.' },
    {
      key: 'keep',
      label: 'Keep',
      kind: 'select',
      options: [
        { value: 'lowestId', label: 'The lowest id' },
        { value: 'highestId', label: 'The highest id' },
      ],
    },
  ],
  enrichment: [{ key: 'add', label: 'Add', kind: 'json', required: true, description: AGGREGATE_HELP }],
  emailDelivery: [
    { key: 'templateId', label: 'Delivery template', kind: 'template', required: true },
    { key: 'label', label: 'Delivery label', kind: 'text', description: 'Optional; the template’s label and the run number otherwise.' },
    { key: 'confirm', label: 'Wait for a supervisor to confirm', kind: 'boolean' },
  ],
  loadFile: [
    { key: 'path', label: 'File', kind: 'text', required: true, placeholder: 'nightly.csv', description: 'Relative to the workflow files folder.' },
    { key: 'delimiter', label: 'Delimiter', kind: 'text', placeholder: ', or auto' },
    { key: 'header', label: 'First line is a header', kind: 'boolean' },
    { key: 'columns', label: 'Columns', kind: 'json', description: 'Optional list: [{"name": "email", "type": "string"}]; all header columns as strings otherwise.' },
  ],
  updateData: [
    { key: 'resource', label: 'Resource', kind: 'resource', required: true },
    {
      key: 'mode',
      label: 'Mode',
      kind: 'select',
      options: ['insert', 'update', 'upsert', 'delete'].map((v) => ({ value: v, label: v })),
    },
    { key: 'keys', label: 'Keys', kind: 'strings', required: true },
    { key: 'mapping', label: 'Mapping', kind: 'json', required: true, description: 'A list: [{"column": "email", "field": "email"}].' },
  ],
  extractFile: [
    { key: 'path', label: 'File', kind: 'text', required: true, placeholder: 'out/segment.csv' },
    { key: 'columns', label: 'Columns', kind: 'strings', required: true, description: 'e.g. email, segment_code' },
  ],
  transferFile: [
    { key: 'from', label: 'From', kind: 'text', required: true },
    { key: 'to', label: 'To', kind: 'text', required: true },
  ],
  subscriptionServices: [
    { key: 'service', label: 'Service', kind: 'text', required: true, placeholder: 'newsletter' },
    {
      key: 'action',
      label: 'Action',
      kind: 'select',
      options: [
        { value: 'subscribe', label: 'Subscribe' },
        { value: 'unsubscribe', label: 'Unsubscribe' },
      ],
    },
  ],
};

export interface SegmentLimit {
  kind: 'percent' | 'count';
  value: number;
  random?: boolean;
}

export interface Segment {
  code: string;
  filter?: string;
  limit?: SegmentLimit;
}

export interface Complement {
  enabled: boolean;
  code: string;
}

/** The parameters of a newly dropped activity. */
export function defaultParams(type: string): Params {
  switch (type) {
    case 'scheduler':
      return { kind: 'once', at: '', timeZone: 'UTC' };
    case 'externalSignal':
      return { parameters: [] };
    case 'wait':
      return { kind: 'duration', seconds: 3600 };
    case 'test':
      return { condition: '' };
    case 'alert':
      return { message: '', level: 'info', recipients: [] };
    case 'query':
    case 'incrementalQuery':
      return { resource: 'profile', expression: '' };
    case 'saveAudience':
      return { label: '', mode: 'replace' };
    case 'segmentation':
      return { segments: [{ code: 'segment1' }], complement: { enabled: true, code: 'rest' } };
    case 'deduplication':
      return { fields: ['email'], keep: 'lowestId' };
    case 'enrichment':
      return { add: [] };
    case 'emailDelivery':
      return { confirm: false };
    case 'loadFile':
      return { path: '', delimiter: ',', header: true };
    case 'updateData':
      return { resource: 'profile', mode: 'upsert', keys: ['email'], mapping: [] };
    case 'extractFile':
      return { path: '', columns: [] };
    case 'transferFile':
      return { from: '', to: '' };
    case 'subscriptionServices':
      return { service: '', action: 'subscribe' };
    default:
      return {};
  }
}

/** The fields of a type shown for these params. */
export function visibleFields(type: string, params: Params): FieldSpec[] {
  return (FIELDS[type] ?? []).filter((f) => !f.when || f.when(params));
}

/** "a, b ,c" -> ["a", "b", "c"]. */
export function parseList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The segments of a Segmentation's params (tolerant of half-typed JSON). */
export function segmentsOf(params: Params): Segment[] {
  const raw = Array.isArray(params.segments) ? params.segments : [];
  return raw.map((s) => {
    const o = (s && typeof s === 'object' ? s : {}) as Record<string, unknown>;
    const seg: Segment = { code: typeof o.code === 'string' ? o.code : '' };
    if (typeof o.filter === 'string' && o.filter) seg.filter = o.filter;
    const l = o.limit as Record<string, unknown> | undefined;
    if (l && typeof l === 'object') {
      seg.limit = { kind: l.kind === 'count' ? 'count' : 'percent', value: Number(l.value ?? 0), random: Boolean(l.random) };
    }
    return seg;
  });
}

export function complementOf(params: Params): Complement {
  const c = (params.complement && typeof params.complement === 'object' ? params.complement : {}) as Record<string, unknown>;
  return { enabled: Boolean(c.enabled), code: typeof c.code === 'string' ? c.code : 'rest' };
}

/** A segment code the next "Add segment" gets: segment1, segment2, ... not yet used. */
export function nextSegmentCode(params: Params): string {
  const used = new Set([...segmentsOf(params).map((s) => s.code), complementOf(params).code]);
  for (let n = 1; ; n++) if (!used.has(`segment${n}`)) return `segment${n}`;
}

const SEGMENT_CODE = /^[A-Za-z0-9_-]{1,64}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export interface FieldError {
  field: string; // "params.at", as the server names fields
  message: string;
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

/**
 * What the form sees at once as incomplete or malformed, per field ("params.<key>",
 * "params.segments[0].code"). The server's check finds the rest (an unknown field in an
 * expression, a template that does not exist...).
 */
export function validateParams(type: string, params: Params): FieldError[] {
  const errors: FieldError[] = [];
  const err = (field: string, message: string) => errors.push({ field: `params.${field}`, message });

  for (const f of visibleFields(type, params)) {
    const v = params[f.key];
    if (f.required && isBlank(v) && f.kind !== 'json') {
      err(f.key, `${f.label} is required.`);
      continue;
    }
    if (f.kind === 'integer' && !isBlank(v) && !Number.isInteger(v)) err(f.key, `${f.label} must be a whole number.`);
    if (f.kind === 'json' && f.required && (!Array.isArray(v) || v.length === 0)) err(f.key, `${f.label} needs at least one entry.`);
    if (f.kind === 'json' && !isBlank(v) && !Array.isArray(v)) err(f.key, `${f.label} must be a JSON list.`);
  }

  switch (type) {
    case 'scheduler': {
      if (params.kind === 'once' && typeof params.at === 'string' && params.at && !LOCAL_DATETIME.test(params.at)) {
        err('at', 'Write the date and time as YYYY-MM-DDTHH:MM.');
      }
      if (['daily', 'weekly', 'monthly'].includes(String(params.kind)) && typeof params.time === 'string' && params.time && !TIME.test(params.time)) {
        err('time', 'Write the time as HH:MM (24 hours).');
      }
      if (params.kind === 'monthly' && Number.isInteger(params.dayOfMonth)) {
        const d = params.dayOfMonth as number;
        if (d !== -1 && (d < 1 || d > 31)) err('dayOfMonth', 'The day is 1 to 31, or -1 for the last day.');
      }
      if (params.kind === 'cron' && typeof params.cron === 'string' && params.cron.trim() && params.cron.trim().split(/\s+/).length !== 5) {
        err('cron', 'A cron expression has five fields.');
      }
      break;
    }
    case 'wait':
      if (params.kind !== 'until' && Number.isInteger(params.seconds) && (params.seconds as number) < 0) err('seconds', 'Seconds cannot be negative.');
      if (params.kind === 'until' && typeof params.at === 'string' && params.at && !RFC3339.test(params.at)) {
        err('at', 'Write the time as RFC 3339, e.g. 2026-12-01T09:00:00Z.');
      }
      break;
    case 'segmentation': {
      const segments = segmentsOf(params);
      const complement = complementOf(params);
      if (segments.length === 0) err('segments', 'Add at least one segment.');
      const seen = new Set<string>();
      segments.forEach((s, i) => {
        if (!SEGMENT_CODE.test(s.code)) err(`segments[${i}].code`, 'A code is 1-64 letters, digits, _ or -.');
        else if (seen.has(s.code)) err(`segments[${i}].code`, `The code “${s.code}” is used twice.`);
        seen.add(s.code);
        if (s.limit) {
          const { kind, value } = s.limit;
          if (!Number.isFinite(value) || value < 0) err(`segments[${i}].limit.value`, 'The limit must be a positive number.');
          else if (kind === 'percent' && value > 100) err(`segments[${i}].limit.value`, 'A share is at most 100 %.');
          else if (kind === 'count' && !Number.isInteger(value)) err(`segments[${i}].limit.value`, 'A count is a whole number.');
        }
      });
      if (complement.enabled) {
        if (!SEGMENT_CODE.test(complement.code)) err('complement.code', 'A code is 1-64 letters, digits, _ or -.');
        else if (seen.has(complement.code)) err('complement.code', `The code “${complement.code}” is already a segment’s.`);
      }
      break;
    }
    default:
      break;
  }
  return errors;
}

/** A JSON field's text as typed: the value, or the parse error to show under it. */
export function parseJsonField(text: string): { value?: unknown; error?: string } {
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: `Not valid JSON: ${(e as Error).message}` };
  }
}

export interface SignalParameter {
  name: string;
  type: 'string' | 'integer' | 'boolean';
  required: boolean;
}

/** The parameters an External signal declares (tolerant of half-typed JSON). */
export function signalParameters(params: Params): SignalParameter[] {
  const raw = Array.isArray(params.parameters) ? params.parameters : [];
  return raw
    .filter((p): p is Record<string, unknown> => Boolean(p) && typeof p === 'object')
    .filter((p) => typeof p.name === 'string' && p.name !== '')
    .map((p) => ({
      name: p.name as string,
      type: p.type === 'integer' || p.type === 'boolean' ? p.type : 'string',
      required: Boolean(p.required),
    }));
}

/**
 * The body of a signal from the form's text inputs: integers parsed, booleans as they are,
 * blank optional values left out; errors name the parameter.
 */
export function signalValues(
  parameters: SignalParameter[],
  form: Record<string, string | boolean>,
): { values: Record<string, string | number | boolean>; errors: Record<string, string> } {
  const values: Record<string, string | number | boolean> = {};
  const errors: Record<string, string> = {};
  for (const p of parameters) {
    const raw = form[p.name];
    if (p.type === 'boolean') {
      values[p.name] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') {
      if (p.required) errors[p.name] = `${p.name} is required.`;
      continue;
    }
    if (p.type === 'integer') {
      if (!/^-?\d+$/.test(text)) errors[p.name] = `${p.name} must be a whole number.`;
      else values[p.name] = Number(text);
    } else {
      values[p.name] = text;
    }
  }
  return { values, errors };
}
