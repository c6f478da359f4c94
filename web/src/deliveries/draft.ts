// The editor's working copy of a delivery: the server's partial JSON filled with defaults, the
// content changes that keep the text part in step with the HTML while textMode is "auto", and
// the PATCH body of what changed.

import type {
  Delivery, DeliveryAudience, DeliveryContent, DeliveryPatch, DeliverySettings, Schedule,
} from './api';
import { htmlToText } from './text';

export interface Draft {
  label: string;
  isTemplate: boolean;
  routeId: number | null;
  typologyId: number | null;
  content: DeliveryContent;
  audience: DeliveryAudience | null;
  settings: DeliverySettings;
}

export const DEFAULT_SETTINGS: DeliverySettings = {
  testProfileIds: [],
  schedule: { kind: 'now' },
  validityHours: 72,
  throughputPerHour: 0,
  retryDelaySeconds: 600,
};

export function contentWithDefaults(c: Partial<DeliveryContent> | undefined): DeliveryContent {
  const from = c?.from ?? { name: '', address: '' };
  return {
    from: { name: from.name ?? '', address: from.address ?? '' },
    replyTo: c?.replyTo && (c.replyTo.address || c.replyTo.name) ? { name: c.replyTo.name ?? '', address: c.replyTo.address ?? '' } : null,
    subject: c?.subject ?? '',
    html: c?.html ?? '',
    text: c?.text ?? '',
    textMode: c?.textMode === 'manual' ? 'manual' : 'auto',
    editor: c?.editor === 'html' ? 'html' : 'mjml',
    mjml: c?.mjml ?? '',
    preheader: c?.preheader ?? '',
  };
}

function audienceOf(a: Delivery['audience'] | undefined): DeliveryAudience | null {
  if (!a || !a.kind) return null;
  if (a.kind === 'audience' && typeof (a as { audienceId?: unknown }).audienceId === 'number') {
    return { kind: 'audience', audienceId: (a as { audienceId: number }).audienceId };
  }
  if (a.kind === 'query') return { kind: 'query', expression: String((a as { expression?: unknown }).expression ?? '') };
  if (a.kind === 'list') {
    const ids = (a as { profileIds?: unknown }).profileIds;
    return { kind: 'list', profileIds: Array.isArray(ids) ? ids.filter((x): x is number => typeof x === 'number') : [] };
  }
  return null;
}

function scheduleOf(s: Partial<Schedule> | undefined): Schedule {
  if (s?.kind === 'at' && typeof s.at === 'string') return { kind: 'at', at: s.at };
  if (s?.kind === 'local') {
    return { kind: 'local', date: s.date ?? '', time: s.time ?? '09:00', defaultTimeZone: s.defaultTimeZone ?? 'UTC' };
  }
  return { kind: 'now' };
}

export function draftOf(d: Delivery): Draft {
  const s = d.settings ?? {};
  return {
    label: d.label,
    isTemplate: d.isTemplate,
    routeId: d.routeId ?? null,
    typologyId: d.typologyId ?? null,
    content: contentWithDefaults(d.content),
    audience: audienceOf(d.audience),
    settings: {
      testProfileIds: Array.isArray(s.testProfileIds) ? s.testProfileIds : [],
      schedule: scheduleOf(s.schedule),
      validityHours: typeof s.validityHours === 'number' ? s.validityHours : DEFAULT_SETTINGS.validityHours,
      throughputPerHour: typeof s.throughputPerHour === 'number' ? s.throughputPerHour : DEFAULT_SETTINGS.throughputPerHour,
      retryDelaySeconds: typeof s.retryDelaySeconds === 'number' ? s.retryDelaySeconds : DEFAULT_SETTINGS.retryDelaySeconds,
    },
  };
}

/**
 * `content` with `patch` applied. While textMode is "auto" (or becomes it), the text part is
 * generated again from the HTML; a patch that sets `text` alone switches to "manual".
 */
export function applyContentPatch(content: DeliveryContent, patch: Partial<DeliveryContent>): DeliveryContent {
  const next = { ...content, ...patch };
  if (patch.text !== undefined && patch.textMode === undefined && patch.html === undefined) next.textMode = 'manual';
  if (next.textMode === 'auto' && (patch.html !== undefined || patch.textMode === 'auto')) next.text = htmlToText(next.html);
  return next;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The PATCH body from `base` to `draft`: changed members only, with the version. */
export function patchOf(base: Draft, draft: Draft, version: number): DeliveryPatch {
  const patch: DeliveryPatch = { version };
  if (draft.label !== base.label) patch.label = draft.label;
  if (draft.routeId !== base.routeId) patch.routeId = draft.routeId;
  if (draft.typologyId !== base.typologyId) patch.typologyId = draft.typologyId;
  if (!same(draft.content, base.content)) patch.content = draft.content;
  if (draft.audience && !same(draft.audience, base.audience)) patch.audience = draft.audience;
  if (!same(draft.settings, base.settings)) patch.settings = draft.settings;
  return patch;
}

export function isDirty(base: Draft, draft: Draft): boolean {
  return Object.keys(patchOf(base, draft, 0)).length > 1;
}
