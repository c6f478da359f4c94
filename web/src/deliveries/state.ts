// How deliveries look: the state badge (label and colour per state), which states show the
// sending dashboard rather than the editor, exclusion causes in words, and the counters, rate,
// ETA and progress of a send.

import type { Role } from '../api';
import type { DeliveryCounters, DeliveryState } from './api';

/** Supervisors and administrators confirm and resume sends (Permission::kConfirmDeliveries). */
export function canConfirm(role: Role): boolean {
  return role === 'administrator' || role === 'supervisor';
}

export const STATE_LABELS: Record<DeliveryState, string> = {
  draft: 'Draft',
  preparing: 'Preparing',
  ready: 'Ready',
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  stopped: 'Stopped',
  finished: 'Finished',
  failed: 'Failed',
};

export const STATE_COLORS: Record<DeliveryState, string> = {
  draft: 'gray',
  preparing: 'blue',
  ready: 'cyan',
  scheduled: 'indigo',
  sending: 'violet',
  paused: 'yellow',
  stopped: 'orange',
  finished: 'teal',
  failed: 'red',
};

/** Label and colour of a state's badge; an unknown state shows as it is, in gray. */
export function stateBadge(state: string): { label: string; color: string } {
  const s = state as DeliveryState;
  return { label: STATE_LABELS[s] ?? state, color: STATE_COLORS[s] ?? 'gray' };
}

const DASHBOARD_STATES: ReadonlySet<string> = new Set(['scheduled', 'sending', 'paused', 'stopped', 'finished', 'failed']);

/** The delivery page shows the sending dashboard in these states, the editor otherwise. */
export function showsDashboard(state: string): boolean {
  return DASHBOARD_STATES.has(state);
}

/** States the server moves on its own: the page polls while the delivery is in one of them. */
export function isMoving(state: string): boolean {
  return state === 'preparing' || state === 'scheduled' || state === 'sending';
}

const CAUSES: Record<string, string> = {
  address_missing: 'No email address',
  address_invalid: 'Invalid email address',
  blocked: 'Profile blocked (all channels)',
  opted_out: 'Opted out of email',
  denylisted: 'Address on the deny list',
  quarantined: 'Address in quarantine',
  duplicate_address: 'Duplicate address',
};

/** "Opted out of email", "Filter: vip_only", "Fatigue: weekly"; an unknown cause as it is. */
export function causeLabel(cause: string): string {
  if (CAUSES[cause]) return CAUSES[cause];
  const colon = cause.indexOf(':');
  if (colon > 0) {
    const kind = cause.slice(0, colon);
    const name = cause.slice(colon + 1);
    if (kind === 'filter') return `Filter: ${name}`;
    if (kind === 'fatigue') return `Fatigue: ${name}`;
  }
  return cause;
}

/** "45 s", "3 min 20 s", "2 h 05 min", "3 d 4 h"; "—" for null or a negative value. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const rest = s % 60;
    return rest ? `${m} min ${rest} s` : `${m} min`;
  }
  if (s < 86400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return `${h} h ${String(m).padStart(2, '0')} min`;
  }
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** "1,234/s" at a second or more, "12.5/s" under 100, "300/min" or "40/h" when slower. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond) || perSecond <= 0) return '—';
  if (perSecond >= 100) return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
  if (perSecond >= 1) return `${(Math.round(perSecond * 10) / 10).toLocaleString('en-US')}/s`;
  if (perSecond * 60 >= 1) return `${Math.round(perSecond * 60)}/min`;
  return `${Math.max(1, Math.round(perSecond * 3600))}/h`;
}

/** Handled rows (sent, failed) out of the rows to send, as a percentage 0-100 (0 when nothing to send). */
export function sendProgress(c: Pick<DeliveryCounters, 'toSend' | 'sent' | 'failed'>): number {
  if (c.toSend <= 0) return 0;
  return Math.min(100, Math.max(0, ((c.sent + c.failed) / c.toSend) * 100));
}

/** The preparation's progress bar, 0-100. */
export function preparationProgress(p: { done: number; total: number }): number {
  if (p.total <= 0) return 0;
  return Math.min(100, Math.max(0, (p.done / p.total) * 100));
}

/** "12,345". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US');
}
