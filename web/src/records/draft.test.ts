import { describe, expect, it } from 'vitest';

import {
  addField, addIndex, addLink, addResource, customModel, draftSummary, fieldProblems, isDirty, labelFromName,
  linkProblems, linksInto, nameProblem, publishBody, removeField, removeIndex, removeLink, removeResource, sqlScript,
} from './draft';
import { testModel } from './testModel';

describe('draft → publish body', () => {
  it('sends built-in resources with their custom items only, custom resources whole', () => {
    expect(customModel(testModel())).toEqual([
      {
        name: 'profile',
        fields: [
          { name: 'loyaltyTier', type: 'enum', label: 'Loyalty tier', required: false, values: [{ value: 'bronze', label: 'Bronze' }, { value: 'gold', label: 'Gold' }] },
          { name: 'score', type: 'float', label: 'score', required: false },
        ],
        links: [],
        indexes: [],
      },
      {
        name: 'purchase', label: 'Purchase', pluralLabel: 'Purchases',
        fields: [
          { name: 'sku', type: 'string', label: 'sku', required: true, length: 40 },
          { name: 'boughtAt', type: 'datetime', label: 'boughtAt', required: false },
          { name: 'notes', type: 'text', label: 'notes', required: false },
        ],
        links: [{ name: 'profile', target: 'profile', cardinality: 'one', reverseName: 'purchases', label: 'Profile' }],
        indexes: [{ fields: ['sku', 'profile'], unique: true }],
      },
    ]);
  });

  it('adds the switches only when asked', () => {
    const model = testModel();
    expect(Object.keys(publishBody(model))).toEqual(['resources']);
    expect(publishBody(model, { dryRun: true })).toMatchObject({ dryRun: true });
    expect(publishBody(model, { allowDataLoss: true })).toMatchObject({ allowDataLoss: true });
    expect(publishBody(model, { dryRun: true, allowDataLoss: false })).not.toHaveProperty('allowDataLoss');
  });

  it('adds an enumeration field with labels (a missing label is the value)', () => {
    const before = testModel();
    const after = addField(before, 'service', {
      name: 'tier', type: 'enum', label: '', required: false,
      values: [{ value: 'bronze', label: 'Bronze' }, { value: ' gold ', label: '' }],
    });
    expect(isDirty(before, after)).toBe(true);
    expect(isDirty(before, testModel())).toBe(false);
    expect(before.find((r) => r.name === 'service')!.fields).toHaveLength(4); // the original is untouched
    expect(customModel(after).find((r) => r.name === 'service')).toEqual({
      name: 'service',
      fields: [{ name: 'tier', type: 'enum', label: 'Tier', required: false, values: [{ value: 'bronze', label: 'Bronze' }, { value: 'gold', label: 'gold' }] }],
      links: [],
      indexes: [],
    });
    expect(draftSummary(before, after)).toEqual(['New field service.tier']);
  });

  it('a string field carries its length; removing a field drops the keys that used it', () => {
    let d = addField(testModel(), 'purchase', { name: 'code', type: 'string', label: 'Code', required: true, length: 12 });
    expect(customModel(d)[1].fields.at(-1)).toEqual({ name: 'code', type: 'string', label: 'Code', required: true, length: 12 });
    d = removeField(d, 'purchase', 'sku');
    expect(customModel(d)[1].indexes).toEqual([]);
    expect(removeField(d, 'profile', 'email').find((r) => r.name === 'profile')!.fields.some((f) => f.name === 'email')).toBe(true);
    expect(draftSummary(testModel(), d)).toEqual(['New field purchase.code', 'Remove field purchase.sku', 'Remove key purchase unique (sku, profile)']);
  });

  it('adds a resource with a link to profile, its reverse link, and a unique key', () => {
    let d = addResource(testModel(), { name: 'loyaltyCard', label: '', pluralLabel: '' });
    d = addLink(d, 'loyaltyCard', { name: 'profile', target: 'profile', cardinality: 'zeroOrOne', reverseName: 'cards', label: '' });
    d = addField(d, 'loyaltyCard', { name: 'number', type: 'string', label: 'Number', required: true, length: 20 });
    d = addIndex(d, 'loyaltyCard', ['number'], true);
    const card = customModel(d).find((r) => r.name === 'loyaltyCard');
    expect(card).toEqual({
      name: 'loyaltyCard', label: 'Loyalty card', pluralLabel: 'Loyalty cards',
      fields: [{ name: 'number', type: 'string', label: 'Number', required: true, length: 20 }],
      links: [{ name: 'profile', target: 'profile', cardinality: 'zeroOrOne', reverseName: 'cards', label: 'Profile' }],
      indexes: [{ fields: ['number'], unique: true }],
    });
    expect(d.find((r) => r.name === 'profile')!.reverseLinks.map((r) => r.name)).toEqual(['subscriptions', 'cards']);
    expect(linksInto(d, 'profile')).toEqual([{ resource: 'purchase', link: 'profile' }, { resource: 'loyaltyCard', link: 'profile' }]);

    const unlinked = removeLink(d, 'loyaltyCard', 'profile');
    expect(unlinked.find((r) => r.name === 'profile')!.reverseLinks.map((r) => r.name)).toEqual(['subscriptions']);
    const gone = removeResource(d, 'loyaltyCard');
    expect(gone.find((r) => r.name === 'loyaltyCard')).toBeUndefined();
    expect(gone.find((r) => r.name === 'profile')!.reverseLinks.map((r) => r.name)).toEqual(['subscriptions']);
    expect(() => removeResource(d, 'profile')).toThrow();
  });

  it('removes a custom index by position, never a built-in one', () => {
    const d = testModel();
    expect(removeIndex(d, 'purchase', 0).find((r) => r.name === 'purchase')!.indexes).toEqual([]);
    expect(removeIndex(d, 'profile', 0).find((r) => r.name === 'profile')!.indexes).toHaveLength(1);
  });

  it('a removed resource is a change', () => {
    expect(draftSummary(testModel(), removeResource(testModel(), 'purchase'))).toEqual(['Remove resource purchase']);
  });
});

describe('names and checks', () => {
  it('follows the server rule for names', () => {
    expect(nameProblem('loyaltyTier')).toBeNull();
    expect(nameProblem('')).toMatch(/Enter/);
    expect(nameProblem('Loyalty')).toMatch(/lower-case/);
    expect(nameProblem('loyalty_tier')).toMatch(/lower-case/);
    expect(nameProblem('a'.repeat(41))).toMatch(/40/);
    expect(nameProblem('order')).toMatch(/reserved/);
    expect(nameProblem('email', ['email'])).toMatch(/already/);
    expect(labelFromName('loyaltyTier')).toBe('Loyalty tier');
  });

  it('checks a new field before it goes into the draft', () => {
    const profile = testModel()[0];
    expect(fieldProblems(profile, { name: 'email', type: 'string', label: '', required: false, length: 10 })).toEqual({ name: '“email” is already used here.' });
    expect(fieldProblems(profile, { name: 'x', type: 'string', label: '', required: false, length: 0 })).toHaveProperty('length');
    expect(fieldProblems(profile, { name: 'x', type: 'enum', label: '', required: false, values: [] })).toEqual({ values: 'Add at least one value.' });
    expect(fieldProblems(profile, { name: 'x', type: 'enum', label: '', required: false, values: [{ value: 'a', label: '' }, { value: 'a', label: '' }] })).toEqual({ values: 'Each value once only.' });
    expect(fieldProblems(profile, { name: 'subscriptions', type: 'integer', label: '', required: false })).toHaveProperty('name');
  });

  it('checks a new link', () => {
    const d = testModel();
    const purchase = d[2];
    expect(linkProblems(d, purchase, { name: 'buyer', target: 'nothing', cardinality: 'one', reverseName: '', label: '' })).toHaveProperty('target');
    expect(linkProblems(d, purchase, { name: 'buyer', target: 'profile', cardinality: 'one', reverseName: 'subscriptions', label: '' })).toHaveProperty('reverseName');
    expect(linkProblems(d, purchase, { name: 'buyer', target: 'profile', cardinality: 'one', reverseName: 'buys', label: '' })).toEqual({});
  });

  it('writes the SQL as one script', () => {
    expect(sqlScript(['CREATE TABLE "x" (id INTEGER)', 'ALTER TABLE "y" ADD COLUMN "z" TEXT;'])).toBe(
      'CREATE TABLE "x" (id INTEGER);\n\nALTER TABLE "y" ADD COLUMN "z" TEXT;',
    );
  });
});
