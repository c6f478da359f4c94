// Checks the email client's types and calls against the server's contract, docs/openapi.yaml (the
// routes, dkim-keys and bounces tags), the way openapi.test.ts does for the rest of the API, and
// what each call sends (method, path, query, body) through a stubbed fetch.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';

import { ApiError } from './client';
import {
  BOUNCE_OUTCOMES, bounceRules, bounces, DKIM_ALGORITHMS, dkimKeys, ROUTE_KINDS, routes, TLS_MODES,
} from './email';
import type {
  BounceEvent, BounceRule, Classification, DkimKey, MaildirSettings, NewBounceRule, NewDkimKey, Route, RouteTestResult,
  RouteWrite, SmtpSettings, SmtpSettingsWrite,
} from './email';

const found = import.meta.glob<string>('../../../docs/openapi.yaml', { query: '?raw', import: 'default', eager: true });
const SPEC_TEXT = Object.values(found)[0];

// SmtpSettings in the spec holds the write-only password and the read-only hasPassword together.
type SmtpBoth = SmtpSettings & SmtpSettingsWrite;

const fields = {
  Route: {
    id: true, name: true, label: true, kind: true, isDefault: true, smtp: true, maildir: true, createdAt: true,
    createdBy: true, modifiedAt: true, modifiedBy: true,
  } satisfies Record<keyof Route, true>,
  RouteWrite: { name: true, label: true, kind: true, isDefault: true, smtp: true, maildir: true } satisfies Record<keyof RouteWrite, true>,
  SmtpSettings: {
    host: true, port: true, tls: true, verifyCertificate: true, caFile: true, username: true, password: true,
    hasPassword: true, allowPlainAuth: true, heloName: true, poolSize: true, maxMessagesPerConnection: true,
    ratePerSecond: true, perDomainConcurrency: true, perDomainRate: true, connectTimeoutMs: true,
    commandTimeoutMs: true, dataTimeoutMs: true, maxQueueWaitMs: true,
  } satisfies Record<keyof SmtpBoth, true>,
  MaildirSettings: { folder: true } satisfies Record<keyof MaildirSettings, true>,
  RouteTestResult: { ok: true, message: true, capabilities: true } satisfies Record<keyof RouteTestResult, true>,
  DkimKey: {
    id: true, domain: true, selector: true, algorithm: true, bits: true, publicKey: true, dnsName: true, dnsRecord: true,
    txtStrings: true, createdAt: true, createdBy: true,
  } satisfies Record<keyof DkimKey, true>,
  NewDkimKey: { domain: true, selector: true, algorithm: true, bits: true, privateKey: true } satisfies Record<keyof NewDkimKey, true>,
  BounceEvent: {
    id: true, receivedAt: true, source: true, type: true, deliveryId: true, recipientId: true, recipient: true,
    action: true, status: true, diagnostic: true, feedbackType: true, messageId: true, outcome: true, reason: true,
    appliedAt: true,
  } satisfies Record<keyof BounceEvent, true>,
  BounceRule: {
    id: true, name: true, code: true, statusPrefix: true, textPattern: true, outcome: true, reason: true, builtIn: true,
  } satisfies Record<keyof BounceRule, true>,
  NewBounceRule: { name: true, code: true, statusPrefix: true, textPattern: true, outcome: true, reason: true } satisfies Record<keyof NewBounceRule, true>,
  Classification: { outcome: true, reason: true, code: true, status: true, text: true } satisfies Record<keyof Classification, true>,
};

type Schema = { properties?: Record<string, Schema>; enum?: string[] };

describe.skipIf(!SPEC_TEXT)('email types match docs/openapi.yaml', () => {
  const spec = SPEC_TEXT ? parse(SPEC_TEXT) : null;
  const schemas = (spec?.components?.schemas ?? {}) as Record<string, Schema>;
  const enumOf = (schema: string, prop: string) => [...(schemas[schema]?.properties?.[prop]?.enum ?? [])].sort();

  for (const [name, ours] of Object.entries(fields)) {
    it(`${name} has the same fields`, () => {
      expect(schemas[name], `schema ${name} missing from openapi.yaml`).toBeDefined();
      expect(Object.keys(schemas[name].properties ?? {}).sort()).toEqual(Object.keys(ours).sort());
    });
  }

  it('the enums are the same', () => {
    expect(enumOf('Route', 'kind')).toEqual([...ROUTE_KINDS].sort());
    expect(enumOf('SmtpSettings', 'tls')).toEqual([...TLS_MODES].sort());
    expect(enumOf('DkimKey', 'algorithm')).toEqual([...DKIM_ALGORITHMS].sort());
    expect(enumOf('NewDkimKey', 'algorithm')).toEqual([...DKIM_ALGORITHMS].sort());
    expect(enumOf('BounceRule', 'outcome')).toEqual([...BOUNCE_OUTCOMES].sort());
    expect(enumOf('Classification', 'outcome')).toEqual([...BOUNCE_OUTCOMES].sort());
  });

  it('the client calls only paths and methods the server declares', () => {
    const paths = (spec?.paths ?? {}) as Record<string, Record<string, unknown>>;
    const calls: [string, string][] = [
      ['get', '/api/v1/routes'], ['post', '/api/v1/routes'], ['get', '/api/v1/routes/{id}'],
      ['patch', '/api/v1/routes/{id}'], ['delete', '/api/v1/routes/{id}'], ['post', '/api/v1/routes/{id}/test'],
      ['get', '/api/v1/dkim-keys'], ['post', '/api/v1/dkim-keys'], ['get', '/api/v1/dkim-keys/{id}'],
      ['delete', '/api/v1/dkim-keys/{id}'], ['get', '/api/v1/bounces'], ['get', '/api/v1/bounce-rules'],
      ['post', '/api/v1/bounce-rules'], ['delete', '/api/v1/bounce-rules/{id}'], ['post', '/api/v1/bounce-rules/classify'],
    ];
    for (const [method, path] of calls) {
      expect(paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
  });
});

describe('email client requests', () => {
  const sent: { url: string; method: string; body: unknown }[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };

  beforeEach(() => {
    sent.length = 0;
    answer = { status: 200, body: { items: [], next: null } };
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      sent.push({ url, method: init.method ?? 'GET', body: init.body ? JSON.parse(String(init.body)) : undefined });
      const text = answer.status === 204 ? '' : JSON.stringify(answer.body);
      return new Response(text || null, { status: answer.status, headers: { 'Content-Type': 'application/json' } });
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('lists with limit and cursor, leaving out empty filters', async () => {
    await routes.list({ cursor: 'abc' });
    await dkimKeys.list({ domain: '' });
    await bounces.list({ limit: 20, deliveryId: 42 });
    await bounces.list({ deliveryId: null });
    expect(sent.map((s) => s.url)).toEqual([
      '/api/v1/routes?limit=50&cursor=abc',
      '/api/v1/dkim-keys?limit=50',
      '/api/v1/bounces?limit=20&deliveryId=42',
      '/api/v1/bounces?limit=50',
    ]);
  });

  it('sends the route changes, the test and the delete to the route', async () => {
    await routes.update(7, { isDefault: true });
    await routes.test(7);
    answer = { status: 204, body: null };
    await routes.remove(7);
    expect(sent).toEqual([
      { url: '/api/v1/routes/7', method: 'PATCH', body: { isDefault: true } },
      { url: '/api/v1/routes/7/test', method: 'POST', body: undefined },
      { url: '/api/v1/routes/7', method: 'DELETE', body: undefined },
    ]);
  });

  it('classifies a reply and creates rules and keys with their bodies', async () => {
    await bounceRules.classify('550 5.1.1 user unknown');
    await bounceRules.create({ name: 'x', outcome: 'hard', reason: 'user_unknown' });
    await dkimKeys.create({ domain: 'example.com', selector: '2026-11', algorithm: 'ed25519-sha256' });
    expect(sent).toEqual([
      { url: '/api/v1/bounce-rules/classify', method: 'POST', body: { reply: '550 5.1.1 user unknown' } },
      { url: '/api/v1/bounce-rules', method: 'POST', body: { name: 'x', outcome: 'hard', reason: 'user_unknown' } },
      { url: '/api/v1/dkim-keys', method: 'POST', body: { domain: 'example.com', selector: '2026-11', algorithm: 'ed25519-sha256' } },
    ]);
  });

  it('throws the server refusal of the default route with its message', async () => {
    answer = {
      status: 409,
      body: { error: { code: 'failed_precondition', message: "'main' is the default route: make another route the default first" } },
    };
    const err = await routes.remove(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toContain('make another route the default first');
  });
});
