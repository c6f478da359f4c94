// The email channel's administration (docs/openapi.yaml, tags routes, dkim-keys and bounces):
// sending routes (smtp relays and maildir folders), DKIM keys, bounce and complaint events and the
// rules that classify SMTP replies. Types as the C++ server sends them (src/http/api_email.cpp).

import { apiFetch } from './client';
import type { Page } from './types';

const V1 = '/api/v1';

export const ROUTE_KINDS = ['smtp', 'maildir'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

export const TLS_MODES = ['none', 'starttls', 'starttls-required', 'implicit'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** An SMTP relay as GET shows it: every setting with its value or default; the password never. */
export interface SmtpSettings {
  host: string;
  port: number;
  tls: TlsMode;
  verifyCertificate: boolean;
  caFile: string;
  username: string;
  hasPassword: boolean;
  allowPlainAuth: boolean;
  heloName: string;
  poolSize: number;
  maxMessagesPerConnection: number;
  ratePerSecond: number;
  perDomainConcurrency: number;
  perDomainRate: number;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  dataTimeoutMs: number;
  maxQueueWaitMs: number;
}

/**
 * What POST and PATCH take: any subset of the settings (the server fills the defaults on create and
 * merges on change). password: a string sets it, null removes it, absent keeps it.
 */
export type SmtpSettingsWrite = Partial<Omit<SmtpSettings, 'hasPassword'>> & { password?: string | null };

export interface MaildirSettings {
  folder: string;
}

export interface Route {
  id: number;
  name: string;
  label: string;
  kind: RouteKind;
  isDefault: boolean;
  smtp?: SmtpSettings;
  maildir?: MaildirSettings;
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  modifiedBy: string;
}

/** POST /routes needs name and kind; PATCH takes the rest (name and kind cannot change). */
export interface RouteWrite {
  name?: string;
  label?: string;
  kind?: RouteKind;
  isDefault?: boolean;
  smtp?: SmtpSettingsWrite;
  maildir?: MaildirSettings;
}

export interface RouteTestResult {
  ok: boolean;
  message: string;
  capabilities: string[];
}

export const DKIM_ALGORITHMS = ['ed25519-sha256', 'rsa-sha256'] as const;
export type DkimAlgorithm = (typeof DKIM_ALGORITHMS)[number];

export interface DkimKey {
  id: number;
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  bits: number;
  publicKey: string; // the p= value
  dnsName: string; // s2026._domainkey.example.com
  dnsRecord: string; // v=DKIM1; k=ed25519; p=…
  txtStrings: string[]; // dnsRecord in strings of at most 255 bytes
  createdAt: string;
  createdBy: string;
}

/** Generates a key, or imports privateKey (a PEM) when it is given. */
export interface NewDkimKey {
  domain: string;
  selector: string;
  algorithm?: DkimAlgorithm;
  bits?: number;
  privateKey?: string;
}

export const BOUNCE_OUTCOMES = ['sent', 'soft', 'hard', 'ignored', 'route'] as const;
export type BounceOutcome = (typeof BOUNCE_OUTCOMES)[number];

export interface BounceEvent {
  id: number;
  receivedAt: string;
  source: 'imap' | 'webhook';
  type: 'bounce' | 'complaint';
  deliveryId?: number | null;
  recipientId?: number | null;
  recipient?: string;
  action?: string;
  status?: string;
  diagnostic?: string;
  feedbackType?: string;
  messageId?: string;
  outcome: BounceOutcome;
  reason: string;
  appliedAt?: string | null;
}

export interface BounceRule {
  id?: number; // administrator rules only
  name: string;
  code: number; // 0 any, 2..5 a class, or an exact three-digit code
  statusPrefix: string;
  textPattern: string;
  outcome: BounceOutcome;
  reason: string;
  builtIn: boolean;
}

export interface NewBounceRule {
  name: string;
  code?: number;
  statusPrefix?: string;
  textPattern?: string;
  outcome: BounceOutcome;
  reason: string;
}

export interface Classification {
  outcome: BounceOutcome;
  reason: string;
  code: number;
  status: string;
  text: string;
}

interface PageParams {
  limit?: number;
  cursor?: string | null;
}

const id = (n: number) => encodeURIComponent(n);

export const routes = {
  list: ({ limit = 50, cursor }: PageParams = {}, signal?: AbortSignal) =>
    apiFetch<Page<Route>>(`${V1}/routes`, { query: { limit, cursor }, signal }),
  get: (routeId: number, signal?: AbortSignal) => apiFetch<Route>(`${V1}/routes/${id(routeId)}`, { signal }),
  create: (route: RouteWrite) => apiFetch<Route>(`${V1}/routes`, { method: 'POST', body: route }),
  update: (routeId: number, patch: RouteWrite) =>
    apiFetch<Route>(`${V1}/routes/${id(routeId)}`, { method: 'PATCH', body: patch }),
  remove: (routeId: number) => apiFetch<void>(`${V1}/routes/${id(routeId)}`, { method: 'DELETE' }),
  /** A failed connection answers 200 with ok false; only a bad request or a missing route throws. */
  test: (routeId: number) => apiFetch<RouteTestResult>(`${V1}/routes/${id(routeId)}/test`, { method: 'POST' }),
};

export const dkimKeys = {
  list: ({ limit = 50, cursor, domain }: PageParams & { domain?: string } = {}, signal?: AbortSignal) =>
    apiFetch<Page<DkimKey>>(`${V1}/dkim-keys`, { query: { limit, cursor, domain }, signal }),
  get: (keyId: number, signal?: AbortSignal) => apiFetch<DkimKey>(`${V1}/dkim-keys/${id(keyId)}`, { signal }),
  create: (key: NewDkimKey) => apiFetch<DkimKey>(`${V1}/dkim-keys`, { method: 'POST', body: key }),
  remove: (keyId: number) => apiFetch<void>(`${V1}/dkim-keys/${id(keyId)}`, { method: 'DELETE' }),
};

export const bounces = {
  list: ({ limit = 50, cursor, deliveryId }: PageParams & { deliveryId?: number | null } = {}, signal?: AbortSignal) =>
    apiFetch<Page<BounceEvent>>(`${V1}/bounces`, { query: { limit, cursor, deliveryId }, signal }),
};

export const bounceRules = {
  list: (signal?: AbortSignal) => apiFetch<{ items: BounceRule[] }>(`${V1}/bounce-rules`, { signal }),
  create: (rule: NewBounceRule) => apiFetch<BounceRule>(`${V1}/bounce-rules`, { method: 'POST', body: rule }),
  remove: (ruleId: number) => apiFetch<void>(`${V1}/bounce-rules/${id(ruleId)}`, { method: 'DELETE' }),
  classify: (reply: string) =>
    apiFetch<Classification>(`${V1}/bounce-rules/classify`, { method: 'POST', body: { reply } }),
};
