// In-app notifications over HTTP (docs/workflows.md, "Alert"; docs/openapi.yaml): the signed-in
// user's own notifications and marking them read. Types as the C++ server sends them.

import { apiFetch } from '../api/client';

export type NotificationLevel = 'info' | 'warning' | 'error';

export interface AppNotification {
  id: number;
  level: NotificationLevel;
  title: string;
  message: string;
  link: string;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: AppNotification[];
  next: string | null;
  unread: number;
}

export interface ReadResult {
  unread: number;
}

export const notifications = {
  list: (q: { unread?: boolean; limit?: number; cursor?: string | null } = {}) =>
    apiFetch<NotificationPage>('/api/v1/notifications', { query: { unread: q.unread, limit: q.limit, cursor: q.cursor } }),
  /** Marks `ids` read, or every notification of the user when `ids` is omitted. */
  markRead: (ids?: number[]) =>
    apiFetch<ReadResult>('/api/v1/notifications/read', { method: 'POST', body: ids === undefined ? {} : { ids } }),
};
