import { describe, expect, it } from 'vitest';

import { loadColumns, saveColumns, toggleColumn } from './columns';

function memory() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe('column chooser memory', () => {
  const available = ['email', 'firstName', 'lastName', 'country', 'loyaltyTier', 'createdAt'];
  const defaults = ['email', 'firstName', 'createdAt'];

  it('uses the defaults until a choice is saved, then the choice', () => {
    const store = memory();
    expect(loadColumns('k', available, defaults, store)).toEqual(defaults);
    saveColumns('k', ['loyaltyTier', 'email'], store);
    expect(loadColumns('k', available, defaults, store)).toEqual(['loyaltyTier', 'email']);
  });

  it('forgets fields that are gone and falls back on garbage', () => {
    const store = memory();
    saveColumns('k', ['nickname', 'email'], store);
    expect(loadColumns('k', available, defaults, store)).toEqual(['email']);
    saveColumns('k', ['nickname'], store);
    expect(loadColumns('k', available, defaults, store)).toEqual(defaults);
    store.setItem('k', '{not json');
    expect(loadColumns('k', available, defaults, store)).toEqual(defaults);
    expect(loadColumns('k', available, defaults, null)).toEqual(defaults);
  });

  it('adds a column at the right end and removes one where it is', () => {
    expect(toggleColumn(['createdAt', 'email'], 'loyaltyTier', true, available)).toEqual(['createdAt', 'email', 'loyaltyTier']);
    expect(toggleColumn(['email', 'createdAt'], 'email', false, available)).toEqual(['createdAt']);
    expect(toggleColumn(['email', 'gone'], 'nothing', true, available)).toEqual(['email']);
  });
});
