import { describe, expect, it } from 'vitest';

import {
  countLabel, editableFields, emptyForm, formFields, formToBody, formatValue, fromFormValue, groupFields, inputKind,
  isoToLocalInput, recordHref, recordTitle, recordToForm,
} from './fields';
import { testModel } from './testModel';

const [profile, service, purchase] = testModel();
const byName = (name: string, r = profile) => formFields(r).find((f) => f.name === name)!;

describe('schema → form fields', () => {
  it('picks an input for each type', () => {
    expect((['string', 'text', 'integer', 'float', 'boolean', 'date', 'datetime', 'enum'] as const).map((type) => inputKind({ type }))).toEqual([
      'text', 'textarea', 'integer', 'float', 'switch', 'date', 'datetime', 'select',
    ]);
  });

  it('keeps labels, lengths and enumeration labels, and adds links as id inputs', () => {
    expect(byName('email')).toMatchObject({ kind: 'text', label: 'Email', maxLength: 254, readOnly: false, builtin: true });
    expect(byName('loyaltyTier')).toMatchObject({
      kind: 'select', builtin: false, options: [{ value: 'bronze', label: 'Bronze' }, { value: 'gold', label: 'Gold' }],
    });
    expect(byName('profile', purchase)).toMatchObject({ kind: 'link', target: 'profile', required: true });
  });

  it('leaves read-only and system fields out of forms', () => {
    const names = editableFields(formFields(profile)).map((f) => f.name);
    expect(names).not.toContain('id');
    expect(names).not.toContain('emailDomain');
    expect(names).not.toContain('createdBy');
    expect(names).toContain('loyaltyTier');
  });

  it('starts a new form with switches off and required enumerations on their first value', () => {
    const form = emptyForm(editableFields(formFields(service)), { name: 'news' });
    expect(form).toEqual({ name: 'news', channel: 'email', validityDays: '' });
    expect(emptyForm(editableFields(formFields(profile))).blockEmail).toBe(false);
    expect(emptyForm(editableFields(formFields(profile))).gender).toBe('');
  });

  it('groups profile fields: identity, contact, address, preferences, custom, system', () => {
    const groups = groupFields('profile', formFields(profile));
    expect(groups.map((g) => g.key)).toEqual(['identity', 'contact', 'address', 'preferences', 'custom', 'system']);
    expect(groups.find((g) => g.key === 'custom')!.fields.map((f) => f.name)).toEqual(['loyaltyTier', 'score']);
    expect(groups.find((g) => g.key === 'system')!.fields.map((f) => f.name)).toEqual(['id', 'createdAt', 'modifiedAt', 'createdBy']);
    expect(groups.find((g) => g.key === 'contact')!.fields.map((f) => f.name)).toEqual(['email', 'emailDomain']);
  });

  it('groups a custom resource: fields, links, system', () => {
    const groups = groupFields('purchase', formFields(purchase), true);
    expect(groups.map((g) => [g.key, g.title])).toEqual([['custom', 'Fields'], ['links', 'Links'], ['system', 'System fields']]);
  });
});

describe('form values ↔ JSON', () => {
  it('parses numbers, ids, dates and date-times; empty is null', () => {
    expect(fromFormValue(byName('validityDays', service), '365')).toEqual({ ok: true, value: 365 });
    expect(fromFormValue(byName('validityDays', service), '1.5')).toEqual({ ok: false, error: 'Enter a whole number.' });
    expect(fromFormValue(byName('score'), '2,5')).toEqual({ ok: true, value: 2.5 });
    expect(fromFormValue(byName('score'), 'lots').ok).toBe(false);
    expect(fromFormValue(byName('profile', purchase), '12')).toEqual({ ok: true, value: 12 });
    expect(fromFormValue(byName('birthDate'), '1990-02-28')).toEqual({ ok: true, value: '1990-02-28' });
    expect(fromFormValue(byName('email'), '   ')).toEqual({ ok: true, value: null });
    expect(fromFormValue(byName('blockEmail'), true)).toEqual({ ok: true, value: true });
    const local = isoToLocalInput('2026-11-27T09:00:00.000Z');
    expect(fromFormValue(byName('boughtAt', purchase), local)).toEqual({ ok: true, value: '2026-11-27T09:00:00.000Z' });
  });

  it('a create body has the filled fields only; read-only fields are never sent', () => {
    const fields = formFields(profile);
    const form = { ...emptyForm(editableFields(fields)), email: ' ann@example.com ', loyaltyTier: 'gold', id: '7' };
    expect(formToBody(fields, form)).toEqual({
      body: { email: 'ann@example.com', blockEmail: false, loyaltyTier: 'gold' },
      errors: {},
    });
  });

  it('a patch has only what changed, a cleared field as null, and reports bad input by field', () => {
    const fields = formFields(profile);
    const record = { id: 3, email: 'a@example.com', city: 'Lyon', blockEmail: false, score: 1.5, loyaltyTier: 'bronze' };
    const original = recordToForm(fields, record);
    expect(original.score).toBe('1.5');
    expect(original.blockEmail).toBe(false);
    const edited = { ...original, city: '', blockEmail: true, loyaltyTier: 'gold', score: 'x' };
    expect(formToBody(fields, edited, original)).toEqual({
      body: { city: null, blockEmail: true, loyaltyTier: 'gold' },
      errors: { score: 'Enter a number.' },
    });
    expect(formToBody(fields, original, original)).toEqual({ body: {}, errors: {} });
  });
});

describe('value formatting', () => {
  it('shows labels, Yes/No, grouped numbers and a dash for nothing', () => {
    expect(formatValue(byName('loyaltyTier'), 'gold')).toBe('Gold');
    expect(formatValue(byName('loyaltyTier'), 'platinum')).toBe('platinum');
    expect(formatValue(byName('blockEmail'), true)).toBe('Yes');
    expect(formatValue(byName('blockEmail'), false)).toBe('No');
    expect(formatValue(byName('validityDays', service), 12345)).toBe('12,345');
    expect(formatValue(byName('score'), 19.5)).toBe('19.5');
    expect(formatValue(byName('email'), null)).toBe('—');
    expect(formatValue(byName('profile', purchase), 4)).toBe('#4');
    expect(formatValue(byName('birthDate'), '1990-02-28')).toBe('1990-02-28');
    expect(formatValue(byName('createdAt'), '2026-11-27T09:00:00.000Z')).toMatch(/^2026-11-2\d \d\d:\d\d$/);
  });

  it('counts with thousands separators', () => {
    expect(countLabel(1234, 'profile', 'profiles')).toBe('1,234 profiles');
    expect(countLabel(1, 'profile', 'profiles')).toBe('1 profile');
    expect(countLabel(0, 'profile', 'profiles')).toBe('0 profiles');
  });

  it('names records and finds their pages', () => {
    expect(recordTitle(profile, { id: 5, firstName: 'Bea', email: 'b@example.com' })).toBe('Bea');
    expect(recordTitle(profile, { id: 5, email: 'b@example.com' })).toBe('b@example.com');
    expect(recordTitle(profile, { id: 5 })).toBe('Profile #5');
    expect(recordTitle(purchase, { id: 2, sku: 'SKU-1' })).toBe('SKU-1');
    expect(recordHref('profile', 5)).toBe('/profiles/5');
    expect(recordHref('purchase', 2)).toBe('/audiences/resources/purchase/2');
    expect(recordHref('service', 1)).toBe('/audiences/services/1');
    expect(recordHref('profile', null)).toBeNull();
  });
});
