// Pure helpers of the notification bell: the badge text, the level colours and "5 min ago".

import type { NotificationLevel } from './api';

export const LEVEL_COLORS: Record<NotificationLevel, string> = {
  info: 'blue',
  warning: 'orange',
  error: 'red',
};

export function levelColor(level: string): string {
  return LEVEL_COLORS[level as NotificationLevel] ?? 'gray';
}

/** The badge over the bell: '' for none, the count up to 99, then '99+'. */
export function badgeText(unread: number): string {
  if (!Number.isFinite(unread) || unread <= 0) return '';
  return unread > 99 ? '99+' : String(Math.floor(unread));
}

/** "just now", "5 min ago", "3 h ago", "2 d ago"; the date after a week; "" when unparsable. */
export function timeAgo(iso: string, now: Date = new Date()): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const seconds = Math.max(0, Math.round((now.getTime() - t.getTime()) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 7) return `${days} d ago`;
  return t.toISOString().slice(0, 10);
}

/** The in-app path to open for a notification's link, or null (only paths of this app). */
export function internalPath(link: string): string | null {
  return link.startsWith('/') && !link.startsWith('//') ? link : null;
}
