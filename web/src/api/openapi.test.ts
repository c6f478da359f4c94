// Checks the client's types against the server's contract, docs/openapi.yaml.
// Each `Record<keyof T, true>` below must name exactly the fields of T (tsc rejects a missing
// or extra one), and the test then compares those names with the schema's properties.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROLES } from './types';
import type {
  ApiKey, AuditEntry, LoginResponse, MeResponse, NewApiKey, NewUser, User, UserPatch,
} from './types';
import { IMPORT_MODES, IMPORT_STATUSES } from './imports';
import type { ImportSniff, ImportStartRequest, SuggestedColumn, UploadedImport } from './imports';
import type { Audience, AudiencePatch, NewAudience } from './query';

// A glob rather than an import, so that a checkout without docs/ skips instead of failing.
const found = import.meta.glob<string>('../../../docs/openapi.yaml', { query: '?raw', import: 'default', eager: true });
const SPEC_TEXT = Object.values(found)[0];

const fields = {
  User: { id: true, username: true, displayName: true, role: true, disabled: true, createdAt: true, updatedAt: true } satisfies Record<keyof User, true>,
  NewUser: { username: true, password: true, role: true, displayName: true } satisfies Record<keyof NewUser, true>,
  UserPatch: { role: true, disabled: true, displayName: true, password: true } satisfies Record<keyof UserPatch, true>,
  LoginResponse: { user: true, csrfToken: true, expiresAt: true } satisfies Record<keyof LoginResponse, true>,
  MeResponse: { user: true, csrfToken: true, apiKey: true } satisfies Record<keyof MeResponse, true>,
  ApiKey: {
    id: true, name: true, prefix: true, scopes: true, userId: true, username: true, createdAt: true,
    lastUsedAt: true, revokedAt: true,
  } satisfies Record<keyof ApiKey, true>,
  NewApiKey: { name: true, scopes: true } satisfies Record<keyof NewApiKey, true>,
  AuditEntry: {
    id: true, at: true, actorId: true, actorName: true, action: true, targetType: true, targetId: true, details: true,
  } satisfies Record<keyof AuditEntry, true>,
  Import: {
    id: true, status: true, fileName: true, fileBytes: true, sniff: true, resource: true, request: true, counters: true,
    hasRejects: true, error: true, progress: true, createdAt: true, createdBy: true, startedAt: true, finishedAt: true,
    suggestedColumns: true,
  } satisfies Record<keyof UploadedImport, true>,
  Sniff: { gzip: true, encoding: true, delimiter: true, hasHeader: true, columnCount: true, preview: true } satisfies Record<keyof ImportSniff, true>,
  ImportColumn: {
    source: true, target: true, format: true, onBadValue: true, default: true, keepWhenEmpty: true, column: true,
  } satisfies Record<keyof SuggestedColumn, true>,
  ImportStart: {
    resource: true, mode: true, keys: true, columns: true, delimiter: true, encoding: true, hasHeader: true,
  } satisfies Record<keyof ImportStartRequest, true>,
  Audience: {
    id: true, label: true, description: true, kind: true, resource: true, expression: true, json: true, expiresAt: true,
    expired: true, memberCount: true, createdAt: true, createdBy: true, modifiedAt: true, modifiedBy: true,
  } satisfies Record<keyof Audience, true>,
  NewAudience: {
    label: true, description: true, kind: true, resource: true, expression: true, json: true, expiresAt: true,
  } satisfies Record<keyof NewAudience, true>,
  AudiencePatch: { label: true, description: true, expression: true, json: true, expiresAt: true } satisfies Record<keyof AudiencePatch, true>,
};

type Schema = { properties?: Record<string, unknown>; enum?: string[] };

describe.skipIf(!SPEC_TEXT)('types match docs/openapi.yaml', () => {
  const spec = SPEC_TEXT ? parse(SPEC_TEXT) : null;
  const schemas = (spec?.components?.schemas ?? {}) as Record<string, Schema>;

  for (const [name, ours] of Object.entries(fields)) {
    it(`${name} has the same fields`, () => {
      expect(schemas[name], `schema ${name} missing from openapi.yaml`).toBeDefined();
      expect(Object.keys(schemas[name].properties ?? {}).sort()).toEqual(Object.keys(ours).sort());
    });
  }

  it('roles are the same', () => {
    expect([...(schemas.Role?.enum ?? [])].sort()).toEqual([...ROLES].sort());
  });

  it('import statuses and modes are the same', () => {
    const enumOf = (schema: string, prop: string) => [...(((schemas[schema]?.properties ?? {})[prop] as Schema | undefined)?.enum ?? [])].sort();
    expect(enumOf('Import', 'status')).toEqual([...IMPORT_STATUSES].sort());
    expect(enumOf('ImportStart', 'mode')).toEqual([...IMPORT_MODES].sort());
  });

  it('the client calls only paths the server declares', () => {
    const paths = Object.keys(spec?.paths ?? {});
    for (const p of ['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/auth/me', '/api/v1/users',
      '/api/v1/users/{id}', '/api/v1/api-keys', '/api/v1/api-keys/{id}', '/api/v1/audit', '/healthz',
      '/api/v1/imports', '/api/v1/imports/uploads', '/api/v1/imports/{id}', '/api/v1/imports/{id}/start',
      '/api/v1/imports/{id}/rejects', '/api/v1/imports/{id}/cancel', '/api/v1/query/validate', '/api/v1/query/count',
      '/api/v1/query/preview', '/api/v1/audiences', '/api/v1/audiences/{id}', '/api/v1/audiences/{id}/count',
      '/api/v1/audiences/{id}/preview', '/api/v1/audiences/{id}/export']) {
      expect(paths).toContain(p);
    }
  });
});
