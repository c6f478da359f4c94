import { describe, expect, it } from 'vitest';
import type { Delivery } from './api';
import { applyContentPatch, contentWithDefaults, draftOf, isDirty, patchOf } from './draft';

const delivery = {
  id: 1, label: 'News', isTemplate: false, routeId: null, typologyId: 1,
  content: { subject: 'Hi', html: '<p>Hi</p>', textMode: 'auto' },
  audience: { kind: 'audience', audienceId: 3 },
  settings: { validityHours: 24 },
} as unknown as Delivery;

describe('draftOf', () => {
  it('fills the defaults', () => {
    const d = draftOf(delivery);
    expect(d.content.editor).toBe('mjml');
    expect(d.content.from).toEqual({ name: '', address: '' });
    expect(d.content.replyTo).toBeNull();
    expect(d.audience).toEqual({ kind: 'audience', audienceId: 3 });
    expect(d.settings).toEqual({ testProfileIds: [], schedule: { kind: 'now' }, validityHours: 24, throughputPerHour: 0, retryDelaySeconds: 600 });
  });
});

describe('applyContentPatch', () => {
  const c = contentWithDefaults({ html: '<p>a</p>', text: 'a', textMode: 'auto' });
  it('regenerates the text from the HTML in auto mode', () => {
    expect(applyContentPatch(c, { html: '<p>b <a href="https://x.example">x</a></p>' }).text).toBe('b x [https://x.example]');
  });
  it('switches to manual when the text is edited, and keeps it then', () => {
    const m = applyContentPatch(c, { text: 'mine' });
    expect(m.textMode).toBe('manual');
    expect(applyContentPatch(m, { html: '<p>c</p>' }).text).toBe('mine');
    expect(applyContentPatch(m, { textMode: 'auto' }).text).toBe('a');
  });
});

describe('patchOf', () => {
  it('sends only what changed, with the version', () => {
    const base = draftOf(delivery);
    const next = { ...base, label: 'News 2', content: { ...base.content, subject: 'Hello' } };
    expect(patchOf(base, next, 7)).toEqual({ version: 7, label: 'News 2', content: next.content });
    expect(isDirty(base, base)).toBe(false);
    expect(isDirty(base, next)).toBe(true);
  });
});
