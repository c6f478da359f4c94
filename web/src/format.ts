import type { Role } from './api';

const pad = (n: number) => String(n).padStart(2, '0');

/** "2025-11-28 19:26" in the browser's time zone; "—" for null or unparsable input. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  data_manager: 'Data manager',
  marketer: 'Marketer',
  supervisor: 'Supervisor',
  analyst: 'Analyst',
};

export const ROLE_COLORS: Record<Role, string> = {
  administrator: 'red',
  data_manager: 'violet',
  marketer: 'indigo',
  supervisor: 'teal',
  analyst: 'gray',
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role as Role] ?? role;
}

/** Compares two values for a table sort: numbers and ISO dates numerically, text by locale. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a).localeCompare(String(b), undefined, { sensitivity: 'base', numeric: true });
}
