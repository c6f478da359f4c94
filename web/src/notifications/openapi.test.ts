// The notification routes and shapes the bell relies on must match docs/openapi.yaml. Each
// `Record<keyof T, true>` must name exactly the fields of T (tsc rejects a missing or extra one).

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import type { AppNotification, NotificationPage } from './api';

const found = import.meta.glob<string>('../../../docs/openapi.yaml', { query: '?raw', import: 'default', eager: true });
const SPEC_TEXT = Object.values(found)[0];

type Schema = { properties?: Record<string, Schema>; items?: Schema; enum?: string[]; $ref?: string };

const notification = {
  id: true, level: true, title: true, message: true, link: true, createdAt: true, readAt: true,
} satisfies Record<keyof AppNotification, true>;
const page = { items: true, next: true, unread: true } satisfies Record<keyof NotificationPage, true>;

describe.skipIf(!SPEC_TEXT)('notifications match docs/openapi.yaml', () => {
  const spec = SPEC_TEXT ? parse(SPEC_TEXT) : null;
  const paths = (spec?.paths ?? {}) as Record<string, unknown>;
  const schemas = (spec?.components?.schemas ?? {}) as Record<string, Schema>;
  const keys = (s: Schema | undefined) => Object.keys(s?.properties ?? {}).sort();
  const sorted = (o: object) => Object.keys(o).sort();

  it('declares the routes and fields the bell uses', () => {
    expect(Object.keys(paths)).toContain('/api/v1/notifications');
    expect(Object.keys(paths)).toContain('/api/v1/notifications/read');
    expect(keys(schemas.Notification)).toEqual(sorted(notification));
    expect(keys(schemas.NotificationPage)).toEqual(sorted(page));
    expect([...(schemas.Notification?.properties?.level?.enum ?? [])].sort()).toEqual(['error', 'info', 'warning']);
  });
});
