// From the data model to forms and table cells: which input a field gets, how a record's value
// becomes a form value and back into the JSON the server takes, and how a value is shown.

import type { FieldDef, LinkDef, ResourceDef } from '../api';
import { formatDateTime } from '../format';

export type InputKind = 'text' | 'textarea' | 'integer' | 'float' | 'switch' | 'date' | 'datetime' | 'select' | 'link';

/** One input of a record form: a field of the resource, or one of its links (an id). */
export interface FormField {
  name: string;
  label: string;
  description: string;
  kind: InputKind;
  required: boolean;
  readOnly: boolean;
  builtin: boolean;
  maxLength?: number;
  options?: { value: string; label: string }[];
  /** Links only: the resource the id points to. */
  target?: string;
}

export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;

/** Set by the server on every row, never by a form. */
export const SYSTEM_FIELDS: ReadonlySet<string> = new Set(['id', 'createdAt', 'modifiedAt', 'createdBy', 'modifiedBy']);

export function inputKind(field: Pick<FieldDef, 'type'>): InputKind {
  switch (field.type) {
    case 'text': return 'textarea';
    case 'integer': return 'integer';
    case 'float': return 'float';
    case 'boolean': return 'switch';
    case 'date': return 'date';
    case 'datetime': return 'datetime';
    case 'enum': return 'select';
    default: return 'text';
  }
}

export function fieldToForm(f: FieldDef): FormField {
  return {
    name: f.name,
    label: f.label || f.name,
    description: f.description ?? '',
    kind: inputKind(f),
    required: f.required,
    readOnly: f.readOnly || SYSTEM_FIELDS.has(f.name),
    builtin: f.builtin,
    ...(f.type === 'string' && f.length ? { maxLength: f.length } : {}),
    ...(f.type === 'enum' ? { options: (f.values ?? []).map((v) => ({ value: v.value, label: v.label || v.value })) } : {}),
  };
}

export function linkToForm(l: LinkDef): FormField {
  return {
    name: l.name,
    label: l.label || l.name,
    description: '',
    kind: 'link',
    required: l.cardinality === 'one',
    readOnly: false,
    builtin: l.builtin,
    target: l.target,
  };
}

/** Every field then every link of a resource, as form inputs. */
export function formFields(resource: ResourceDef): FormField[] {
  return [...resource.fields.map(fieldToForm), ...resource.links.map(linkToForm)];
}

/** The inputs a user fills: neither read-only nor set by the server. */
export function editableFields(fields: FormField[]): FormField[] {
  return fields.filter((f) => !f.readOnly);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An RFC 3339 instant as the value of an <input type="datetime-local"> in the browser's zone. */
export function isoToLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A record's value as a form value: booleans stay booleans, everything else becomes text. */
export function toFormValue(field: FormField, value: unknown): FormValue {
  if (field.kind === 'switch') return value === true;
  if (value === null || value === undefined) return '';
  if (field.kind === 'datetime') return isoToLocalInput(String(value));
  return String(value);
}

export function recordToForm(fields: FormField[], record: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const f of fields) out[f.name] = toFormValue(f, record[f.name]);
  return out;
}

/** The form of a new record: switches off, required enumerations on their first value, the rest empty. */
export function emptyForm(fields: FormField[], initial: FormValues = {}): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    if (f.name in initial) out[f.name] = initial[f.name];
    else if (f.kind === 'switch') out[f.name] = false;
    else if (f.kind === 'select' && f.required && f.options?.length) out[f.name] = f.options[0].value;
    else out[f.name] = '';
  }
  return out;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** A form value as the JSON the server takes; empty text is null. */
export function fromFormValue(field: FormField, value: FormValue): Parsed {
  if (field.kind === 'switch') return { ok: true, value: value === true };
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return { ok: true, value: null };
  switch (field.kind) {
    case 'integer':
    case 'link': {
      if (!/^-?\d+$/.test(text)) return { ok: false, error: field.kind === 'link' ? 'Enter the id of a record (a whole number).' : 'Enter a whole number.' };
      return { ok: true, value: Number(text) };
    }
    case 'float': {
      const n = Number(text.replace(',', '.'));
      if (!Number.isFinite(n)) return { ok: false, error: 'Enter a number.' };
      return { ok: true, value: n };
    }
    case 'datetime': {
      const d = new Date(text);
      if (Number.isNaN(d.getTime())) return { ok: false, error: 'Enter a date and time.' };
      return { ok: true, value: d.toISOString() };
    }
    case 'textarea':
      return { ok: true, value: typeof value === 'string' ? value : '' };
    default:
      return { ok: true, value: text };
  }
}

export interface BodyResult {
  body: Record<string, unknown>;
  /** Field name → what is wrong, found before asking the server. */
  errors: Record<string, string>;
}

/**
 * The JSON body of a create (no `original`: every filled field) or of a PATCH (only what differs
 * from `original`; a cleared field is sent as null). Read-only fields are never sent.
 */
export function formToBody(fields: FormField[], form: FormValues, original?: FormValues): BodyResult {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of editableFields(fields)) {
    if (!(f.name in form)) continue;
    const value = form[f.name];
    if (original && original[f.name] === value) continue;
    const parsed = fromFormValue(f, value);
    if (!parsed.ok) {
      errors[f.name] = parsed.error;
      continue;
    }
    if (!original && parsed.value === null) continue;
    body[f.name] = parsed.value;
  }
  return { body, errors };
}

const NUMBER = new Intl.NumberFormat('en-US');
const DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

/** "1,234" */
export function formatCount(n: number): string {
  return NUMBER.format(n);
}

/** "1,234 profiles", "1 profile". */
export function countLabel(n: number, singular: string, plural: string): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}

/** A value for a table cell or a read-only display: enumeration labels, Yes/No, local date-times; "—" when empty. */
export function formatValue(field: FormField | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (!field) return typeof value === 'object' ? JSON.stringify(value) : String(value);
  switch (field.kind) {
    case 'switch': return value === true ? 'Yes' : 'No';
    case 'select': return field.options?.find((o) => o.value === value)?.label ?? String(value);
    case 'datetime': return formatDateTime(String(value));
    case 'integer': return typeof value === 'number' ? NUMBER.format(value) : String(value);
    case 'float': return typeof value === 'number' ? DECIMAL.format(value) : String(value);
    case 'link': return `#${String(value)}`;
    default: return String(value);
  }
}

/** The text a record is known by: a name-like field when there is one, else "#id". */
export function recordTitle(resource: ResourceDef | undefined, record: Record<string, unknown>): string {
  const get = (k: string) => (typeof record[k] === 'string' && record[k] ? String(record[k]) : '');
  if (resource?.name === 'profile') {
    const name = [get('firstName'), get('lastName')].filter(Boolean).join(' ');
    return name || get('email') || get('mobilePhone') || `Profile #${String(record.id)}`;
  }
  for (const k of ['label', 'name', 'title', 'address', 'email', 'code', 'sku']) if (get(k)) return get(k);
  const firstString = resource?.fields.find((f) => f.type === 'string' && !SYSTEM_FIELDS.has(f.name) && get(f.name));
  if (firstString) return get(firstString.name);
  return `${resource?.label ?? 'Record'} #${String(record.id)}`;
}

/** Where a record of `resource` opens in the UI; null when it has no page. */
export function recordHref(resource: string, id: unknown): string | null {
  if (id === null || id === undefined || id === '') return null;
  const key = encodeURIComponent(String(id));
  switch (resource) {
    case 'profile': return `/profiles/${key}`;
    case 'service': return `/audiences/services/${key}`;
    case 'testProfile': return '/audiences/test-profiles';
    case 'quarantine': return '/audiences/quarantine';
    case 'subscription':
    case 'subscriptionHistory': return null;
    default: return `/audiences/resources/${encodeURIComponent(resource)}/${key}`;
  }
}

export interface FieldGroup {
  key: string;
  title: string;
  fields: FormField[];
}

const PROFILE_GROUPS: { key: string; title: string; names: string[] }[] = [
  { key: 'identity', title: 'Identity', names: ['salutation', 'firstName', 'lastName', 'gender', 'birthDate', 'language', 'timeZone', 'externalId'] },
  { key: 'contact', title: 'Contact', names: ['email', 'emailDomain', 'mobilePhone', 'phone'] },
  { key: 'address', title: 'Address', names: ['address1', 'address2', 'address3', 'postalCode', 'city', 'stateCode', 'country'] },
  { key: 'preferences', title: 'Preferences and opt-outs', names: ['blockEmail', 'blockSms', 'blockPush', 'blockDirectMail', 'blockAll'] },
];

/**
 * The fields of a record page in groups: for profiles identity, contact, address, preferences;
 * for other resources their built-in fields; then custom fields, links, and system fields
 * (read-only). Empty groups are left out.
 */
export function groupFields(resourceName: string, fields: FormField[], customResource = false): FieldGroup[] {
  const used = new Set<string>();
  const groups: FieldGroup[] = [];
  const take = (key: string, title: string, pick: (f: FormField) => boolean) => {
    const chosen = fields.filter((f) => !used.has(f.name) && pick(f));
    chosen.forEach((f) => used.add(f.name));
    if (chosen.length) groups.push({ key, title, fields: chosen });
  };
  if (resourceName === 'profile') {
    for (const g of PROFILE_GROUPS) {
      const names = new Set(g.names);
      take(g.key, g.title, (f) => f.builtin && names.has(f.name));
    }
  } else {
    take('main', 'Details', (f) => f.builtin && f.kind !== 'link' && !SYSTEM_FIELDS.has(f.name));
  }
  take('custom', customResource ? 'Fields' : 'Custom fields', (f) => !f.builtin && f.kind !== 'link');
  take('links', 'Links', (f) => f.kind === 'link');
  take('other', resourceName === 'profile' ? 'Other' : 'Details', (f) => !SYSTEM_FIELDS.has(f.name));
  take('system', 'System fields', () => true);
  return groups;
}
