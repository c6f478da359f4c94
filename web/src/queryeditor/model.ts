// The query editor's rule tree, without React: the tree model (groups of rules), what the
// schema offers to pick from (fields, many-to-one paths, 1-N links), the operators per field
// type, and the conversion between the tree and the JSON form of the expression language
// (docs/query-language.md, "JSON form"). The tree edits the JSON form; text mode goes through
// POST /query/validate. A JSON node the tree cannot show as a rule becomes a "raw" rule kept as
// is, so JSON -> tree -> JSON never loses anything.

import type { FieldDef, FieldType, ResourceDef } from '../api';

/** A node of the JSON form (see docs/query-language.md). */
export type JsonNode = null | boolean | number | string | JsonNode[] | { [key: string]: JsonNode };
type JsonObject = { [key: string]: JsonNode };

export type GroupOp = 'and' | 'or';

export interface Group {
  kind: 'group';
  id: string;
  op: GroupOp;
  not: boolean;
  children: Node[];
}

/** A rule on a field of the resource (or a many-to-one path to one, `referrer.country`). */
export interface FieldRule {
  kind: 'field';
  id: string;
  not: boolean;
  field: string;
  op: string;
  /** What the user typed, as text: one item for most operators, two for between, N for in. */
  values: string[];
  /** Relative dates: the amount and unit of `in last/next N unit`. */
  amount: string;
  unit: Unit;
}

/** `exists L [where (…)]`, "does not exist" being `not`. */
export interface ExistsRule {
  kind: 'exists';
  id: string;
  not: boolean;
  link: string;
  where: Group | null;
}

/** `count(L [where …]) op value`, `sum/avg/min/max(L.field [where …]) op value`. */
export interface AggregateRule {
  kind: 'aggregate';
  id: string;
  not: boolean;
  fn: AggregateFn;
  link: string;
  field: string;
  where: Group | null;
  op: string;
  values: string[];
}

/** A JSON node the tree does not edit (a function call, a literal on the left…), kept as it is. */
export interface RawRule {
  kind: 'raw';
  id: string;
  not: boolean;
  json: JsonNode;
}

export type Rule = FieldRule | ExistsRule | AggregateRule | RawRule;
export type Node = Group | Rule;

export const AGGREGATE_FNS = ['count', 'sum', 'avg', 'min', 'max'] as const;
export type AggregateFn = (typeof AGGREGATE_FNS)[number];
export const UNITS = ['days', 'weeks', 'months', 'years'] as const;
export type Unit = (typeof UNITS)[number];

let nextId = 0;
export const newId = (): string => `n${++nextId}`;

export function emptyGroup(op: GroupOp = 'and'): Group {
  return { kind: 'group', id: newId(), op, not: false, children: [] };
}

export function emptyFieldRule(field = '', op = ''): FieldRule {
  return { kind: 'field', id: newId(), not: false, field, op, values: [''], amount: '', unit: 'days' };
}

// ---------------------------------------------------------------------------------------------
// What the schema offers

/** The kind of value editor a field gets. */
export type ValueKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'date' | 'datetime';

export function valueKind(type: FieldType): ValueKind {
  switch (type) {
    case 'string':
    case 'text': return 'string';
    case 'integer': return 'integer';
    case 'float': return 'number';
    case 'boolean': return 'boolean';
    case 'enum': return 'enum';
    case 'date': return 'date';
    case 'datetime': return 'datetime';
    default: return 'string';
  }
}

/** One thing a rule can be about: a field (possibly through many-to-one links). */
export interface FieldChoice {
  path: string;
  label: string;
  field: FieldDef;
  kind: ValueKind;
  /** The label of the link(s) followed, when the path has a dot. */
  via?: string;
}

/** A 1-N link of the resource (another resource's link pointing to it), for exists and aggregates. */
export interface LinkChoice {
  name: string;
  label: string;
  target: ResourceDef;
}

export interface Catalog {
  resource: ResourceDef;
  fields: FieldChoice[];
  links: LinkChoice[];
  /** Every resource of the model, to build the catalogs of where-groups. */
  allResources: ResourceDef[];
}

const byName = (resources: ResourceDef[], name: string) => resources.find((r) => r.name === name);

/**
 * What a rule on `resource` can be about: its fields, the fields of the resources its
 * many-to-one links reach (`referrer.country`, one level), and its 1-N links.
 */
export function catalog(resources: ResourceDef[], resourceName: string): Catalog | null {
  const resource = byName(resources, resourceName);
  if (!resource) return null;
  const fields: FieldChoice[] = resource.fields.map((f) => ({ path: f.name, label: f.label || f.name, field: f, kind: valueKind(f.type) }));
  for (const link of resource.links) {
    const target = byName(resources, link.target);
    if (!target) continue;
    const via = link.label || link.name;
    for (const f of target.fields) {
      fields.push({ path: `${link.name}.${f.name}`, label: `${via} › ${f.label || f.name}`, field: f, kind: valueKind(f.type), via });
    }
  }
  const links: LinkChoice[] = [];
  for (const rl of resource.reverseLinks ?? []) {
    const target = byName(resources, rl.source);
    if (!target) continue;
    links.push({ name: rl.name, label: target.pluralLabel || rl.name, target });
  }
  return { resource, fields, links, allResources: resources };
}

export function findField(cat: Catalog, path: string): FieldChoice | undefined {
  return cat.fields.find((f) => f.path === path);
}

export function findLink(cat: Catalog, name: string): LinkChoice | undefined {
  return cat.links.find((l) => l.name === name);
}

/** The fields an aggregate other than count can take: numbers, and for min/max dates and strings. */
export function aggregatableFields(target: ResourceDef, fn: AggregateFn): FieldDef[] {
  if (fn === 'count') return [];
  return target.fields.filter((f) => {
    if (f.name === 'id') return false;
    if (f.type === 'integer' || f.type === 'float') return true;
    if (fn === 'min' || fn === 'max') return f.type === 'date' || f.type === 'datetime' || f.type === 'string';
    return false;
  });
}

// ---------------------------------------------------------------------------------------------
// Operators per type

export interface OperatorDef {
  op: string;
  label: string;
  /** How many value inputs: 0, 1, 2 (between), 'many' (in), 'relative' (amount and unit). */
  arity: 0 | 1 | 2 | 'many' | 'relative';
}

const O = (op: string, label: string, arity: OperatorDef['arity']): OperatorDef => ({ op, label, arity });

const EQ = [O('=', 'is', 1), O('!=', 'is not', 1)];
const ORDER = [O('<', 'less than', 1), O('<=', 'at most', 1), O('>', 'greater than', 1), O('>=', 'at least', 1)];
const EMPTY = [O('is empty', 'is empty', 0), O('is not empty', 'is not empty', 0)];

const OPERATORS: Record<ValueKind, OperatorDef[]> = {
  string: [
    ...EQ,
    O('contains', 'contains', 1), O('starts with', 'starts with', 1), O('ends with', 'ends with', 1),
    O('like', 'is like (% and _)', 1), O('not like', 'is not like', 1),
    O('in', 'is one of', 'many'), O('not in', 'is none of', 'many'),
    ...EMPTY,
  ],
  number: [...EQ, ...ORDER, O('between', 'between', 2), O('not between', 'not between', 2), O('in', 'is one of', 'many'), O('not in', 'is none of', 'many'), ...EMPTY],
  integer: [...EQ, ...ORDER, O('between', 'between', 2), O('not between', 'not between', 2), O('in', 'is one of', 'many'), O('not in', 'is none of', 'many'), ...EMPTY],
  boolean: [O('is true', 'is true', 0), O('is false', 'is false (or empty)', 0), ...EMPTY],
  enum: [...EQ, O('in', 'is one of', 'many'), O('not in', 'is none of', 'many'), ...EMPTY],
  date: [
    O('=', 'on', 1), O('!=', 'not on', 1), O('<', 'before', 1), O('<=', 'on or before', 1), O('>', 'after', 1), O('>=', 'on or after', 1),
    O('between', 'between', 2), O('not between', 'not between', 2),
    O('in last', 'in the last', 'relative'), O('in next', 'in the next', 'relative'),
    O('before days ago', 'before N days ago', 'relative'), O('after days ago', 'after N days ago', 'relative'),
    ...EMPTY,
  ],
  datetime: [],
};
OPERATORS.datetime = OPERATORS.date;

/** The operators a field of this kind offers, in the order shown. */
export function operatorsFor(kind: ValueKind): OperatorDef[] {
  return OPERATORS[kind];
}

export function operatorDef(kind: ValueKind, op: string): OperatorDef | undefined {
  return OPERATORS[kind].find((o) => o.op === op);
}

/** Operators of an aggregate's result: count and sums are numbers; min/max of a date are dates. */
export function aggregateKind(fn: AggregateFn, field: FieldDef | undefined): ValueKind {
  if (fn === 'count') return 'integer';
  if (!field) return 'number';
  if (fn === 'avg') return 'number';
  return valueKind(field.type);
}

/** The operators an aggregate rule offers (no `is empty` on count, no relative windows). */
export function aggregateOperators(fn: AggregateFn, field: FieldDef | undefined): OperatorDef[] {
  const kind = aggregateKind(fn, field);
  return operatorsFor(kind).filter((o) => (fn === 'count' ? o.arity !== 0 : true) && o.arity !== 'relative' && o.op !== 'contains' && o.op !== 'starts with' && o.op !== 'ends with');
}

// ---------------------------------------------------------------------------------------------
// Relative dates

/** `createdAt in last 7 days` as JSON. */
export function windowJson(left: JsonObject, direction: 'last' | 'next', amount: number, unit: Unit): JsonObject {
  return { ...left, op: direction === 'last' ? 'in last' : 'in next', amount, unit };
}

/** `daysAgo(n)`, the value of "before/after N days ago". */
export function daysAgoJson(n: number): JsonObject {
  return { call: 'daysAgo', args: [n] };
}

/** A whole number of 1 to 100000 (the language's window limit), or null. */
export function parseAmount(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 100000 ? n : null;
}

// ---------------------------------------------------------------------------------------------
// Values: text typed in an input <-> JSON literal

/** The JSON literal of a typed value for a field of `kind`, or an error message. */
export function literal(kind: ValueKind, text: string): { ok: true; value: JsonNode } | { ok: false; error: string } {
  const t = text.trim();
  switch (kind) {
    case 'integer': {
      if (!/^-?\d+$/.test(t)) return { ok: false, error: 'a whole number' };
      return { ok: true, value: Number(t) };
    }
    case 'number': {
      const n = Number(t.replace(',', '.'));
      if (t === '' || !Number.isFinite(n)) return { ok: false, error: 'a number' };
      return { ok: true, value: n };
    }
    case 'date':
    case 'datetime':
      if (t === '') return { ok: false, error: 'a date' };
      return { ok: true, value: t };
    case 'enum':
      if (t === '') return { ok: false, error: 'a value' };
      return { ok: true, value: text };
    default:
      return { ok: true, value: text };
  }
}

/** The text an input shows for a JSON literal (null when the node is not a plain literal). */
export function literalText(node: JsonNode): string | null {
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return String(node);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Tree -> JSON

export interface Built {
  /** The JSON form; null for an empty tree (no rule: every record). */
  json: JsonNode | null;
  /** What is missing before the tree is a valid expression ("Rule 2: choose a field"). */
  problems: string[];
}

const CALL_OPS: Record<string, string> = { contains: 'contains', 'starts with': 'startsWith', 'ends with': 'endsWith' };

function negate(node: JsonNode, not: boolean): JsonNode {
  return not ? { not: node } : node;
}

function compareJson(left: JsonObject, kind: ValueKind, op: string, values: string[], where: string, problems: string[]): JsonNode | null {
  const def = operatorDef(kind, op);
  if (!def) {
    problems.push(`${where}: choose an operator`);
    return null;
  }
  const lit = (text: string): JsonNode | null => {
    const r = literal(kind, text);
    if (!r.ok) {
      problems.push(`${where}: enter ${r.error}`);
      return null;
    }
    return r.value;
  };
  if (def.arity === 0) {
    if (op === 'is true') return { ...left };
    if (op === 'is false') return { not: { ...left } };
    return { ...left, op };
  }
  if (def.arity === 1) {
    const v = lit(values[0] ?? '');
    if (v === null) return null;
    if (CALL_OPS[op]) return { call: CALL_OPS[op], args: [left, v] };
    return { ...left, op, value: v };
  }
  if (def.arity === 2) {
    const a = lit(values[0] ?? '');
    const b = lit(values[1] ?? '');
    if (a === null || b === null) return null;
    return { ...left, op, values: [a, b] };
  }
  if (def.arity === 'many') {
    const items = values.filter((v) => v.trim() !== '');
    if (items.length === 0) {
      problems.push(`${where}: enter at least one value`);
      return null;
    }
    const out: JsonNode[] = [];
    for (const v of items) {
      const l = lit(v);
      if (l === null) return null;
      out.push(l);
    }
    return { ...left, op, values: out };
  }
  return null;
}

function fieldRuleJson(rule: FieldRule, cat: Catalog, where: string, problems: string[]): JsonNode | null {
  if (!rule.field) {
    problems.push(`${where}: choose a field`);
    return null;
  }
  const choice = findField(cat, rule.field);
  if (!choice) {
    problems.push(`${where}: ${rule.field} is not a field of ${cat.resource.label}`);
    return null;
  }
  const left: JsonObject = { field: rule.field };
  const def = operatorDef(choice.kind, rule.op);
  if (def?.arity === 'relative') {
    const n = parseAmount(rule.amount);
    if (n === null) {
      problems.push(`${where}: enter a number of ${rule.op.endsWith('days ago') ? 'days' : rule.unit} (1 to 100000)`);
      return null;
    }
    if (rule.op === 'in last' || rule.op === 'in next') return negate(windowJson(left, rule.op === 'in last' ? 'last' : 'next', n, rule.unit), rule.not);
    return negate({ ...left, op: rule.op === 'before days ago' ? '<' : '>', value: daysAgoJson(n) }, rule.not);
  }
  const node = compareJson(left, choice.kind, rule.op, rule.values, where, problems);
  return node === null ? null : negate(node, rule.not);
}

function aggregateRuleJson(rule: AggregateRule, cat: Catalog, where: string, problems: string[]): JsonNode | null {
  const link = findLink(cat, rule.link);
  if (!link) {
    problems.push(`${where}: ${rule.link} is not a link of ${cat.resource.label}`);
    return null;
  }
  const sub = catalogOf(cat, link);
  const left: JsonObject = { aggregate: rule.fn, link: rule.link };
  let field: FieldDef | undefined;
  if (rule.fn !== 'count') {
    field = link.target.fields.find((f) => f.name === rule.field);
    if (!field) {
      problems.push(`${where}: choose the field of ${link.label} to ${rule.fn}`);
      return null;
    }
    left.field = rule.field;
  }
  if (rule.where && rule.where.children.length) {
    const w = groupJson(rule.where, sub, `${where} (where)`, problems);
    if (w !== null) left.where = w;
  }
  const node = compareJson(left, aggregateKind(rule.fn, field), rule.op, rule.values, where, problems);
  return node === null ? null : negate(node, rule.not);
}

/** The catalog of a 1-N link's target, for its `where` group. */
export function catalogOf(cat: Catalog, link: LinkChoice): Catalog {
  return catalog(cat.allResources, link.target.name) ?? { resource: link.target, fields: [], links: [], allResources: cat.allResources };
}

function ruleJson(rule: Rule, cat: Catalog, where: string, problems: string[]): JsonNode | null {
  switch (rule.kind) {
    case 'field':
      return fieldRuleJson(rule, cat, where, problems);
    case 'exists': {
      const link = findLink(cat, rule.link);
      if (!link) {
        problems.push(`${where}: ${rule.link} is not a link of ${cat.resource.label}`);
        return null;
      }
      const node: JsonObject = { exists: rule.link };
      if (rule.where && rule.where.children.length) {
        const w = groupJson(rule.where, catalogOf(cat, link), `${where} (where)`, problems);
        if (w !== null) node.where = w;
      }
      return negate(node, rule.not);
    }
    case 'aggregate':
      return aggregateRuleJson(rule, cat, where, problems);
    case 'raw':
      return negate(rule.json, rule.not);
  }
}

function groupJson(group: Group, cat: Catalog, where: string, problems: string[]): JsonNode | null {
  const items: JsonNode[] = [];
  group.children.forEach((child, i) => {
    const label = `${where ? `${where}.` : ''}${i + 1}`;
    const node = child.kind === 'group'
      ? groupJson(child, cat, label, problems)
      : ruleJson(child, cat, `Rule ${label}`, problems);
    if (node !== null) items.push(node);
  });
  if (items.length === 0) {
    if (group.not) problems.push(`Group ${where || '(all)'}: add a rule to negate`);
    return null;
  }
  const node: JsonNode = items.length === 1 ? items[0] : { [group.op]: items };
  return negate(node, group.not);
}

/** The JSON form of the tree, and what is still missing. */
export function toJson(root: Group, cat: Catalog): Built {
  const problems: string[] = [];
  const json = groupJson(root, cat, '', problems);
  return { json: problems.length ? null : json, problems };
}

// ---------------------------------------------------------------------------------------------
// JSON -> tree

const isObject = (n: JsonNode | undefined): n is JsonObject => typeof n === 'object' && n !== null && !Array.isArray(n);
const keysAre = (o: JsonObject, allowed: string[]) => Object.keys(o).every((k) => allowed.includes(k));

function raw(json: JsonNode, not = false): RawRule {
  return { kind: 'raw', id: newId(), not, json };
}

/** A list of JSON literals as typed text, or null when one is not a plain string or number. */
function texts(nodes: JsonNode[]): string[] | null {
  const out: string[] = [];
  for (const n of nodes) {
    const t = literalText(n);
    if (t === null) return null;
    out.push(t);
  }
  return out;
}

/** The value side of a predicate (`op` and its right-hand keys), or null when the tree cannot show it. */
function readCompare(o: JsonObject, kind: ValueKind, extraKeys: string[]): { op: string; values: string[] } | null {
  const op = o.op;
  if (typeof op !== 'string') return null;
  const def = operatorDef(kind, op);
  if (!def || def.arity === 'relative' || op === 'is true' || op === 'is false' || CALL_OPS[op]) return null;
  if (def.arity === 0) return keysAre(o, [...extraKeys, 'op']) ? { op, values: [''] } : null;
  if (def.arity === 1) {
    if (!keysAre(o, [...extraKeys, 'op', 'value'])) return null;
    const t = literalText(o.value as JsonNode);
    return t === null ? null : { op, values: [t] };
  }
  if (!keysAre(o, [...extraKeys, 'op', 'values']) || !Array.isArray(o.values)) return null;
  if (def.arity === 2 && o.values.length !== 2) return null;
  const vs = texts(o.values);
  return vs === null ? null : { op, values: vs };
}

function fieldRuleFrom(o: JsonObject, cat: Catalog): FieldRule | null {
  if (typeof o.field !== 'string') return null;
  const choice = findField(cat, o.field);
  if (!choice) return null;
  const base = emptyFieldRule(o.field);
  if (!('op' in o)) {
    // A boolean field alone is a condition: "is true".
    if (choice.kind !== 'boolean' || !keysAre(o, ['field'])) return null;
    return { ...base, op: 'is true' };
  }
  if ((o.op === 'in last' || o.op === 'in next') && (choice.kind === 'date' || choice.kind === 'datetime')) {
    if (!keysAre(o, ['field', 'op', 'amount', 'unit']) || typeof o.amount !== 'number' || !UNITS.includes(o.unit as Unit)) return null;
    return { ...base, op: o.op, amount: String(o.amount), unit: o.unit as Unit };
  }
  if ((o.op === '<' || o.op === '>') && (choice.kind === 'date' || choice.kind === 'datetime') && isObject(o.value)) {
    const v = o.value;
    if (keysAre(o, ['field', 'op', 'value']) && v.call === 'daysAgo' && Array.isArray(v.args) && v.args.length === 1
      && typeof v.args[0] === 'number' && Number.isInteger(v.args[0]) && v.args[0] >= 1 && v.args[0] <= 100000 && keysAre(v, ['call', 'args'])) {
      return { ...base, op: o.op === '<' ? 'before days ago' : 'after days ago', amount: String(v.args[0]) };
    }
    return null;
  }
  const cmp = readCompare(o, choice.kind, ['field']);
  if (!cmp) return null;
  // A boolean compared with a value, a number typed where a string is expected, …: raw.
  if (choice.kind === 'boolean') return null;
  if ((choice.kind === 'string' || choice.kind === 'enum') && !allStrings(o)) return null;
  if ((choice.kind === 'number' || choice.kind === 'integer') && !allNumbers(o, choice.kind === 'integer')) return null;
  return { ...base, op: cmp.op, values: cmp.values };
}

function rightHand(o: JsonObject): JsonNode[] {
  if ('value' in o) return [o.value];
  if (Array.isArray(o.values)) return o.values;
  return [];
}
const allStrings = (o: JsonObject) => rightHand(o).every((v) => typeof v === 'string');
const allNumbers = (o: JsonObject, integer: boolean) =>
  rightHand(o).every((v) => typeof v === 'number' && (!integer || Number.isInteger(v)));

function callRuleFrom(o: JsonObject, cat: Catalog): FieldRule | null {
  const op = Object.entries(CALL_OPS).find(([, fn]) => fn === o.call)?.[0];
  if (!op || !keysAre(o, ['call', 'args']) || !Array.isArray(o.args) || o.args.length !== 2) return null;
  const [subject, value] = o.args;
  if (!isObject(subject) || typeof subject.field !== 'string' || !keysAre(subject, ['field']) || typeof value !== 'string') return null;
  const choice = findField(cat, subject.field);
  if (!choice || choice.kind !== 'string') return null;
  return { ...emptyFieldRule(subject.field, op), values: [value] };
}

function aggregateRuleFrom(o: JsonObject, cat: Catalog): AggregateRule | null {
  const fn = o.aggregate as AggregateFn;
  if (!AGGREGATE_FNS.includes(fn) || typeof o.link !== 'string') return null;
  const link = findLink(cat, o.link);
  if (!link) return null;
  let field: FieldDef | undefined;
  if (fn !== 'count') {
    field = link.target.fields.find((f) => f.name === o.field);
    if (!field) return null;
  } else if ('field' in o) {
    return null;
  }
  let where: Group | null = null;
  if ('where' in o) {
    where = groupFrom(o.where as JsonNode, catalogOf(cat, link));
  }
  const keys = ['aggregate', 'link', 'field', 'where'];
  const cmp = readCompare(o, aggregateKind(fn, field), keys);
  if (!cmp) return null;
  const kind = aggregateKind(fn, field);
  if ((kind === 'number' || kind === 'integer') && !allNumbers(o, kind === 'integer')) return null;
  if (kind !== 'number' && kind !== 'integer' && !allStrings(o)) return null;
  return { kind: 'aggregate', id: newId(), not: false, fn, link: o.link, field: field?.name ?? '', where, op: cmp.op, values: cmp.values };
}

function existsRuleFrom(o: JsonObject, cat: Catalog): ExistsRule | null {
  if (typeof o.exists !== 'string' || !keysAre(o, ['exists', 'where'])) return null;
  const link = findLink(cat, o.exists);
  if (!link) return null;
  const where = 'where' in o ? groupFrom(o.where as JsonNode, catalogOf(cat, link)) : null;
  return { kind: 'exists', id: newId(), not: false, link: o.exists, where };
}

/** One JSON node as a tree node (a group, a rule, or a raw rule). */
export function nodeFrom(json: JsonNode, cat: Catalog): Node {
  if (!isObject(json)) return raw(json);
  if (Array.isArray(json.and) && keysAre(json, ['and'])) return groupOf('and', json.and, cat);
  if (Array.isArray(json.or) && keysAre(json, ['or'])) return groupOf('or', json.or, cat);
  if ('not' in json && keysAre(json, ['not'])) {
    const inner = json.not;
    if (isObject(inner) && 'not' in inner) return raw(json);
    // `not blockEmail` reads as "blockEmail is false".
    if (isObject(inner) && typeof inner.field === 'string' && keysAre(inner, ['field']) && findField(cat, inner.field)?.kind === 'boolean') {
      return emptyFieldRule(inner.field, 'is false');
    }
    const node = nodeFrom(inner, cat);
    if (node.kind === 'raw') return raw(json);
    return { ...node, not: true };
  }
  const rule = ('field' in json ? fieldRuleFrom(json, cat) : null)
    ?? ('call' in json ? callRuleFrom(json, cat) : null)
    ?? ('exists' in json ? existsRuleFrom(json, cat) : null)
    ?? ('aggregate' in json ? aggregateRuleFrom(json, cat) : null);
  return rule ?? raw(json);
}

function groupOf(op: GroupOp, items: JsonNode[], cat: Catalog): Group {
  return { kind: 'group', id: newId(), op, not: false, children: items.map((i) => nodeFrom(i, cat)) };
}

/** A JSON node as a group: itself when it is one, else a group of one. */
export function groupFrom(json: JsonNode | null | undefined, cat: Catalog): Group {
  if (json === null || json === undefined) return emptyGroup();
  const node = nodeFrom(json, cat);
  if (node.kind === 'group') return node;
  return { ...emptyGroup(), children: [node] };
}

// ---------------------------------------------------------------------------------------------
// Tree edits (immutable): every change returns a new root.

/** The node at `path` (child indices from the root). */
export function nodeAt(root: Group, path: number[]): Node | undefined {
  let node: Node = root;
  for (const i of path) {
    if (node.kind !== 'group') return undefined;
    node = node.children[i];
    if (!node) return undefined;
  }
  return node;
}

/** Replaces the node with this id (anywhere, inside where-groups too) by `update(node)`; null removes it. */
export function updateNode(root: Group, id: string, update: (n: Node) => Node | null): Group {
  const walk = (n: Node): Node | null => {
    if (n.id === id) return update(n);
    if (n.kind === 'group') {
      const children: Node[] = [];
      let changed = false;
      for (const c of n.children) {
        const next = walk(c);
        if (next !== c) changed = true;
        if (next) children.push(next);
      }
      return changed ? { ...n, children } : n;
    }
    if ((n.kind === 'exists' || n.kind === 'aggregate') && n.where) {
      const w = walk(n.where);
      if (w === n.where) return n;
      return { ...n, where: w && w.kind === 'group' ? w : null };
    }
    return n;
  };
  const out = walk(root);
  return out && out.kind === 'group' ? out : emptyGroup();
}

/** The tree without ids, for comparing two trees (text mode and back). */
export function shape(node: Node | null): unknown {
  if (node === null) return null;
  const { id: _id, ...rest } = node as Node & { where?: Group | null; children?: Node[] };
  void _id;
  if (node.kind === 'group') return { ...rest, children: node.children.map(shape) };
  if (node.kind === 'exists' || node.kind === 'aggregate') return { ...rest, where: shape(node.where) };
  return rest;
}

/** Counts the rules of a tree (not the groups), where-groups included. */
export function ruleCount(node: Node): number {
  if (node.kind === 'group') return node.children.reduce((s, c) => s + ruleCount(c), 0);
  if ((node.kind === 'exists' || node.kind === 'aggregate') && node.where) return 1 + ruleCount(node.where);
  return 1;
}


/** JSON text with the keys of every object sorted: equal for equal JSON whatever the key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
