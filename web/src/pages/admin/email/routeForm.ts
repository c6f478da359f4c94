// The route form's model: its empty and loaded states, the request bodies it sends (POST to create,
// PATCH to change) and the server's field errors mapped onto its fields. No React here, so that
// `routeForm.test.ts` checks it directly.

import { ApiError } from '../../../api';
import type { Route, RouteKind, RouteWrite, SmtpSettings, SmtpSettingsWrite, TlsMode } from '../../../api/email';

/** NumberInput's value: a number, or '' while the box is empty. */
export type NumberValue = number | string;

/** What the admin does with the SMTP password when the route already has one. */
export type PasswordAction = 'keep' | 'change' | 'remove';

export interface SmtpForm {
  host: string;
  port: NumberValue;
  tls: TlsMode;
  verifyCertificate: boolean;
  caFile: string;
  username: string;
  /** The new password (create, "set" or "change"); never the stored one, which is not sent back. */
  password: string;
  passwordAction: PasswordAction;
  allowPlainAuth: boolean;
  heloName: string;
  poolSize: NumberValue;
  maxMessagesPerConnection: NumberValue;
  ratePerSecond: NumberValue;
  perDomainConcurrency: NumberValue;
  perDomainRate: NumberValue;
  connectTimeoutMs: NumberValue;
  commandTimeoutMs: NumberValue;
  dataTimeoutMs: NumberValue;
  maxQueueWaitMs: NumberValue;
}

export interface RouteForm {
  name: string;
  label: string;
  kind: RouteKind;
  isDefault: boolean;
  smtp: SmtpForm;
  folder: string;
}

/** The server's defaults (docs/openapi.yaml, SmtpSettings). */
export const SMTP_DEFAULTS = {
  port: 25,
  tls: 'starttls' as TlsMode,
  verifyCertificate: true,
  poolSize: 10,
  maxMessagesPerConnection: 1000,
  ratePerSecond: 0,
  perDomainConcurrency: 0,
  perDomainRate: 0,
  connectTimeoutMs: 30000,
  commandTimeoutMs: 60000,
  dataTimeoutMs: 600000,
  maxQueueWaitMs: 60000,
};

/** The TLS modes with what each does, for the select. */
export const TLS_CHOICES: { value: TlsMode; label: string; description: string }[] = [
  { value: 'starttls', label: 'STARTTLS when offered', description: 'Upgrades to TLS when the server offers it, plain text otherwise.' },
  { value: 'starttls-required', label: 'STARTTLS required', description: 'Fails unless the server offers STARTTLS (port 587 or 25).' },
  { value: 'implicit', label: 'Implicit TLS (SMTPS)', description: 'TLS from the first byte, usually port 465.' },
  { value: 'none', label: 'No TLS', description: 'Plain text only: for a relay on this machine or a trusted network.' },
];

/** The number fields that sit in the "Advanced" section. */
export const ADVANCED_FIELDS = [
  'heloName', 'poolSize', 'maxMessagesPerConnection', 'ratePerSecond', 'perDomainConcurrency', 'perDomainRate',
  'connectTimeoutMs', 'commandTimeoutMs', 'dataTimeoutMs', 'maxQueueWaitMs',
] as const;

const NUMBER_FIELDS = [
  'port', 'poolSize', 'maxMessagesPerConnection', 'ratePerSecond', 'perDomainConcurrency', 'perDomainRate',
  'connectTimeoutMs', 'commandTimeoutMs', 'dataTimeoutMs', 'maxQueueWaitMs',
] as const;

const TEXT_FIELDS = ['host', 'caFile', 'username', 'heloName'] as const;

export function emptyRouteForm(): RouteForm {
  return {
    name: '',
    label: '',
    kind: 'smtp',
    isDefault: false,
    smtp: {
      ...SMTP_DEFAULTS,
      host: '',
      caFile: '',
      username: '',
      password: '',
      passwordAction: 'keep',
      allowPlainAuth: false,
      heloName: '',
    },
    folder: '',
  };
}

/** The form filled with a route's current settings (for "Edit"). */
export function routeToForm(route: Route): RouteForm {
  const form = emptyRouteForm();
  form.name = route.name;
  form.label = route.label;
  form.kind = route.kind;
  form.isDefault = route.isDefault;
  if (route.smtp) {
    const settings: Partial<SmtpSettings> = { ...route.smtp };
    delete settings.hasPassword;
    form.smtp = { ...form.smtp, ...settings, password: '', passwordAction: 'keep' };
  }
  form.folder = route.maildir?.folder ?? '';
  return form;
}

/** A NumberInput's value as a number; undefined when the box is empty or not a number. */
export function numberOf(value: NumberValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
}

/** The smtp settings to send; an empty number box is left out (the server's default, or unchanged). */
function smtpBody(smtp: SmtpForm, hadPassword: boolean): SmtpSettingsWrite {
  const out: SmtpSettingsWrite = {
    tls: smtp.tls,
    verifyCertificate: smtp.verifyCertificate,
    allowPlainAuth: smtp.allowPlainAuth,
  };
  for (const f of TEXT_FIELDS) out[f] = smtp[f].trim();
  for (const f of NUMBER_FIELDS) {
    const n = numberOf(smtp[f]);
    if (n !== undefined) out[f] = n;
  }
  if (!hadPassword) {
    if (smtp.password) out.password = smtp.password;
  } else if (smtp.passwordAction === 'change') {
    out.password = smtp.password;
  } else if (smtp.passwordAction === 'remove') {
    out.password = null;
  }
  return out;
}

/** The body of POST /routes: name, label, kind, isDefault and the kind's settings only. */
export function createRouteBody(form: RouteForm): RouteWrite {
  const body: RouteWrite = { name: form.name.trim(), label: form.label.trim(), kind: form.kind };
  if (form.isDefault) body.isDefault = true;
  if (form.kind === 'smtp') body.smtp = smtpBody(form.smtp, false);
  else body.maildir = { folder: form.folder.trim() };
  return body;
}

/**
 * The body of PATCH /routes/{id}: the label and the kind's settings (name and kind cannot change;
 * "Make default" is its own request). The password goes only when it is set, changed or removed.
 */
export function updateRouteBody(form: RouteForm, route: Route): RouteWrite {
  const body: RouteWrite = { label: form.label.trim() };
  if (route.kind === 'smtp') body.smtp = smtpBody(form.smtp, route.smtp?.hasPassword ?? false);
  else body.maildir = { folder: form.folder.trim() };
  return body;
}

/**
 * The form field a server error is about: details.field as the API names it ("smtp.port",
 * "maildir.folder", "name"), or null for an error about no field in particular.
 */
export function errorField(error: unknown): string | null {
  if (error instanceof ApiError && typeof error.details.field === 'string' && error.details.field) {
    return error.details.field;
  }
  return null;
}

/** The error text to show next to `field` (an API field name), or undefined for other fields. */
export function fieldError(error: unknown, field: string): string | undefined {
  const named = errorField(error);
  if (!named || !(error instanceof Error)) return undefined;
  return named === field ? error.message : undefined;
}

/** Whether the field an error names is in the "Advanced" section (which then opens). */
export function errorInAdvanced(error: unknown): boolean {
  const named = errorField(error);
  return !!named && (ADVANCED_FIELDS as readonly string[]).some((f) => named === `smtp.${f}`);
}

/** Where a route sends: "smtp.example.com:587" or the maildir folder. */
export function routeDestination(route: Route): string {
  if (route.kind === 'smtp' && route.smtp) return `${route.smtp.host}:${route.smtp.port}`;
  if (route.kind === 'maildir' && route.maildir) return route.maildir.folder;
  return '';
}

/** A route name from its label: lower-case letters, digits, _ and -; at most 64. */
export function nameFromLabel(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}
