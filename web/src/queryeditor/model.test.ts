import { describe, expect, it } from 'vitest';

import type { FieldDef, ResourceDef } from '../api';
import { testModel } from '../records/testModel';
import {
  aggregateOperators, catalog, daysAgoJson, stableJson, emptyFieldRule, emptyGroup, groupFrom, operatorsFor, parseAmount, shape,
  toJson, updateNode, windowJson, type Catalog, type Group, type JsonNode,
} from './model';

const f = (name: string, type: FieldDef['type'], extra: Partial<FieldDef> = {}): FieldDef => ({
  name, type, label: name, description: '', required: false, readOnly: false, builtin: false, ...extra,
});

/** The test model with profile.country, a referrer link, and purchases (amount, purchasedAt). */
function model(): ResourceDef[] {
  const resources = testModel();
  const profile = resources.find((r) => r.name === 'profile')!;
  profile.fields.push(f('country', 'string', { label: 'Country', builtin: true }), f('visits', 'integer'));
  profile.links = [{ name: 'referrer', target: 'profile', cardinality: 'zeroOrOne', reverseName: 'referred', label: 'Referrer', builtin: false }];
  profile.reverseLinks = [{ name: 'purchases', source: 'purchase', link: 'profile' }];
  const purchase = resources.find((r) => r.name === 'purchase')!;
  purchase.fields.push(f('amount', 'float', { label: 'Amount' }), f('purchasedAt', 'datetime'));
  return resources;
}

const cat = (): Catalog => catalog(model(), 'profile')!;

/** JSON -> tree -> JSON must give back the same JSON. */
function roundTrip(json: JsonNode): JsonNode | null {
  const c = cat();
  const built = toJson(groupFrom(json, c), c);
  expect(built.problems).toEqual([]);
  return built.json;
}

describe('catalog', () => {
  it('lists the fields, the many-to-one paths by label and the 1-N links', () => {
    const c = cat();
    expect(c.fields.find((x) => x.path === 'gender')?.kind).toBe('enum');
    const via = c.fields.find((x) => x.path === 'referrer.country');
    expect(via?.label).toBe('Referrer › Country');
    expect(c.links.map((l) => [l.name, l.label])).toEqual([['purchases', 'Purchases']]);
  });
});

describe('operators per type', () => {
  it('offers what each type supports', () => {
    const ops = (k: Parameters<typeof operatorsFor>[0]) => operatorsFor(k).map((o) => o.op);
    expect(ops('string')).toEqual(expect.arrayContaining(['=', '!=', 'like', 'not like', 'contains', 'starts with', 'ends with', 'in', 'is empty']));
    expect(ops('string')).not.toContain('<');
    expect(ops('number')).toEqual(expect.arrayContaining(['<', '>=', 'between', 'in']));
    expect(ops('boolean')).toEqual(['is true', 'is false', 'is empty', 'is not empty']);
    expect(ops('enum')).toEqual(['=', '!=', 'in', 'not in', 'is empty', 'is not empty']);
    expect(ops('date')).toEqual(expect.arrayContaining(['<', 'between', 'in last', 'in next', 'before days ago', 'after days ago']));
    expect(ops('datetime')).toEqual(ops('date'));
  });

  it('aggregates: count has no "is empty", min/max of a date compare as dates', () => {
    expect(aggregateOperators('count', undefined).map((o) => o.op)).not.toContain('is empty');
    const at = f('purchasedAt', 'datetime');
    expect(aggregateOperators('max', at).map((o) => o.op)).toContain('<');
    expect(aggregateOperators('max', at).map((o) => o.label)).toContain('before');
  });
});

describe('relative dates', () => {
  it('builds windows and daysAgo()', () => {
    expect(windowJson({ field: 'createdAt' }, 'last', 7, 'days')).toEqual({ field: 'createdAt', op: 'in last', amount: 7, unit: 'days' });
    expect(daysAgoJson(30)).toEqual({ call: 'daysAgo', args: [30] });
    expect(parseAmount('7')).toBe(7);
    expect(parseAmount('0')).toBeNull();
    expect(parseAmount('100001')).toBeNull();
    expect(parseAmount('1.5')).toBeNull();
  });

  it('turns "before N days ago" and "in the last N weeks" into JSON and back', () => {
    const c = cat();
    const root: Group = { ...emptyGroup(), children: [
      { ...emptyFieldRule('createdAt', 'before days ago'), amount: '30' },
      { ...emptyFieldRule('birthDate', 'in last'), amount: '2', unit: 'weeks' },
    ] };
    const built = toJson(root, c);
    expect(built.json).toEqual({ and: [
      { field: 'createdAt', op: '<', value: { call: 'daysAgo', args: [30] } },
      { field: 'birthDate', op: 'in last', amount: 2, unit: 'weeks' },
    ] });
    expect(shape(groupFrom(built.json, c))).toEqual(shape(root));
  });
});

describe('tree -> JSON', () => {
  it('builds two groups and an exists rule with a where', () => {
    const c = cat();
    const root: Group = { ...emptyGroup('and'), children: [
      { ...emptyGroup('or'), children: [
        { ...emptyFieldRule('country', '='), values: ['FR'] },
        { ...emptyFieldRule('country', '='), values: ['DE'] },
      ] },
      { ...emptyGroup('and'), children: [emptyFieldRule('blockEmail', 'is false')] },
      { kind: 'exists', id: 'x', not: false, link: 'purchases', where: { ...emptyGroup(), children: [{ ...emptyFieldRule('amount', '>'), values: ['50'] }] } },
    ] };
    expect(toJson(root, c)).toEqual({ problems: [], json: { and: [
      { or: [{ field: 'country', op: '=', value: 'FR' }, { field: 'country', op: '=', value: 'DE' }] },
      { not: { field: 'blockEmail' } },
      { exists: 'purchases', where: { field: 'amount', op: '>', value: 50 } },
    ] } });
  });

  it('types values by field: integers, floats, enumerations, in-lists, between', () => {
    const c = cat();
    const root: Group = { ...emptyGroup(), children: [
      { ...emptyFieldRule('visits', 'between'), values: ['1', '5'] },
      { ...emptyFieldRule('score', '>='), values: ['2,5'] },
      { ...emptyFieldRule('gender', 'in'), values: ['female', 'unknown'] },
      { ...emptyFieldRule('email', 'ends with'), values: ['@x.com'] },
      { ...emptyFieldRule('city', 'is empty'), not: true },
    ] };
    expect(toJson(root, c).json).toEqual({ and: [
      { field: 'visits', op: 'between', values: [1, 5] },
      { field: 'score', op: '>=', value: 2.5 },
      { field: 'gender', op: 'in', values: ['female', 'unknown'] },
      { call: 'endsWith', args: [{ field: 'email' }, '@x.com'] },
      { not: { field: 'city', op: 'is empty' } },
    ] });
  });

  it('reports what is missing instead of building a wrong expression', () => {
    const c = cat();
    const root: Group = { ...emptyGroup(), children: [emptyFieldRule(), { ...emptyFieldRule('visits', '>'), values: ['x'] }] };
    expect(toJson(root, c)).toEqual({ json: null, problems: ['Rule 1: choose a field', 'Rule 2: enter a whole number'] });
  });

  it('an empty tree is no expression, a group of one is its rule', () => {
    const c = cat();
    expect(toJson(emptyGroup(), c)).toEqual({ json: null, problems: [] });
    const one: Group = { ...emptyGroup('or'), children: [{ ...emptyFieldRule('city', '='), values: ['Lyon'] }] };
    expect(toJson(one, c).json).toEqual({ field: 'city', op: '=', value: 'Lyon' });
  });
});

describe('JSON -> tree -> JSON', () => {
  const cases: [string, JsonNode][] = [
    ['comparison', { field: 'city', op: '!=', value: 'Paris' }],
    ['in', { field: 'country', op: 'in', values: ['FR', 'DE'] }],
    ['boolean alone and negated', { or: [{ field: 'blockEmail' }, { not: { field: 'blockEmail' } }] }],
    ['nested groups with not', { and: [{ not: { or: [{ field: 'city', op: 'like', value: 'L%' }, { field: 'visits', op: '<', value: 3 }] } }, { field: 'gender', op: 'is not empty' }] }],
    ['many-to-one path', { field: 'referrer.country', op: '=', value: 'FR' }],
    ['exists without where', { not: { exists: 'purchases' } }],
    ['count with where', { aggregate: 'count', link: 'purchases', where: { field: 'amount', op: '>', value: 100 }, op: '>=', value: 3 }],
    ['sum', { aggregate: 'sum', link: 'purchases', field: 'amount', op: '>', value: 99.5 }],
    ['window', { field: 'createdAt', op: 'in next', amount: 1, unit: 'years' }],
    ['between dates', { field: 'birthDate', op: 'between', values: ['1980-01-01', '1989-12-31'] }],
    ['contains', { call: 'contains', args: [{ field: 'email' }, 'shop'] }],
  ];
  for (const [name, json] of cases) {
    it(name, () => expect(roundTrip(json)).toEqual(json));
  }

  it('keeps what the tree cannot edit as a raw rule', () => {
    const c = cat();
    const json: JsonNode = { and: [{ call: 'lower', args: [{ field: 'email' }], op: '=', value: 'a@b.c' }, { left: 3, op: '<', value: { field: 'visits' } }] };
    const tree = groupFrom(json, c);
    expect(tree.children.map((n) => n.kind)).toEqual(['raw', 'raw']);
    expect(toJson(tree, c).json).toEqual(json);
  });

  it('a comparison with a value of the wrong type stays raw (the server reports it)', () => {
    const c = cat();
    const tree = groupFrom({ field: 'visits', op: '=', value: 'x' }, c);
    expect(tree.children[0].kind).toBe('raw');
  });
});

describe('edits', () => {
  it('updates and removes nodes by id, inside where-groups too', () => {
    const c = cat();
    const tree = groupFrom({ and: [{ field: 'city', op: '=', value: 'Lyon' }, { exists: 'purchases', where: { field: 'amount', op: '>', value: 5 } }] }, c);
    const exists = tree.children[1];
    if (exists.kind !== 'exists' || !exists.where) throw new Error('expected an exists rule');
    const inner = exists.where.children[0];
    const changed = updateNode(tree, inner.id, (n) => (n.kind === 'field' ? { ...n, values: ['60'] } : n));
    expect(toJson(changed, c).json).toEqual({ and: [{ field: 'city', op: '=', value: 'Lyon' }, { exists: 'purchases', where: { field: 'amount', op: '>', value: 60 } }] });
    const removed = updateNode(changed, tree.children[0].id, () => null);
    expect(toJson(removed, c).json).toEqual({ exists: 'purchases', where: { field: 'amount', op: '>', value: 60 } });
  });
});

describe('stableJson', () => {
  it('ignores the order of keys, not of arrays', () => {
    expect(stableJson({ op: '>', field: 'a', value: [1, { b: 2, a: 1 }] })).toBe(stableJson({ field: 'a', value: [1, { a: 1, b: 2 }], op: '>' }));
    expect(stableJson([1, 2])).not.toBe(stableJson([2, 1]));
  });
});
