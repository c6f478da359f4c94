// The data model editor's draft: a copy of GET /schema edited locally (add or remove custom fields,
// links, unique keys and resources), then turned into the body of POST /schema/publish, which
// describes the whole custom model (what is left out is removed).

import type {
  Cardinality, EnumValue, FieldDef, FieldType, IndexDef, LinkDef, PublishField, PublishIndex, PublishLink,
  PublishRequest, PublishResource, ResourceDef,
} from '../api';

export type Draft = ResourceDef[];

/** Names the server reserves for its own columns and list parameters. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['id', 'createdAt', 'modifiedAt', 'limit', 'cursor', 'order', 'filter', 'q', 'count']);

/** What is wrong with a field, link or resource name (the server's rule), or null. */
export function nameProblem(name: string, taken: Iterable<string> = []): string | null {
  if (!name) return 'Enter a name.';
  if (!/^[a-z][A-Za-z0-9]*$/.test(name)) return 'Start with a lower-case letter; letters and digits only (e.g. loyaltyTier).';
  if (name.length > 40) return '40 characters at most.';
  if (RESERVED_NAMES.has(name)) return `“${name}” is reserved.`;
  for (const t of taken) if (t === name) return `“${name}” is already used here.`;
  return null;
}

/** "loyaltyTier" → "Loyalty tier". */
export function labelFromName(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function findResource(draft: Draft, name: string): ResourceDef | undefined {
  return draft.find((r) => r.name === name);
}

function update(draft: Draft, name: string, change: (r: ResourceDef) => ResourceDef): Draft {
  if (!findResource(draft, name)) throw new Error(`there is no resource named ${name}`);
  return draft.map((r) => (r.name === name ? change(r) : r));
}

/** Names a new field or link of `resource` may not take. */
export function takenNames(resource: ResourceDef): string[] {
  return [...resource.fields.map((f) => f.name), ...resource.links.map((l) => l.name), ...resource.reverseLinks.map((l) => l.name)];
}

export interface NewField {
  name: string;
  type: FieldType;
  label: string;
  description?: string;
  required: boolean;
  length?: number;
  values?: EnumValue[];
}

/** Checks a new field; returns the problems by input name ("name", "length", "values"). */
export function fieldProblems(resource: ResourceDef, f: NewField): Record<string, string> {
  const problems: Record<string, string> = {};
  const name = nameProblem(f.name, takenNames(resource));
  if (name) problems.name = name;
  if (f.type === 'string' && !(Number.isInteger(f.length) && (f.length ?? 0) >= 1 && (f.length ?? 0) <= 4000)) {
    problems.length = 'A length between 1 and 4000.';
  }
  if (f.type === 'enum') {
    const values = (f.values ?? []).map((v) => v.value);
    if (values.length === 0) problems.values = 'Add at least one value.';
    else if (values.some((v) => !v.trim())) problems.values = 'Every value needs a code.';
    else if (new Set(values).size !== values.length) problems.values = 'Each value once only.';
  }
  return problems;
}

export function addField(draft: Draft, resource: string, f: NewField): Draft {
  const field: FieldDef = {
    name: f.name,
    type: f.type,
    label: f.label.trim() || labelFromName(f.name),
    description: f.description?.trim() ?? '',
    required: f.required,
    readOnly: false,
    builtin: false,
    ...(f.type === 'string' ? { length: f.length } : {}),
    ...(f.type === 'enum'
      ? { values: (f.values ?? []).map((v) => ({ value: v.value.trim(), label: v.label.trim() || v.value.trim() })) }
      : {}),
  };
  return update(draft, resource, (r) => ({ ...r, fields: [...r.fields, field] }));
}

/** Removes a custom field, and the custom unique keys that used it. */
export function removeField(draft: Draft, resource: string, field: string): Draft {
  return update(draft, resource, (r) => ({
    ...r,
    fields: r.fields.filter((f) => f.builtin || f.name !== field),
    indexes: r.indexes.filter((ix) => ix.builtin || !ix.fields.includes(field)),
  }));
}

export interface NewResource {
  name: string;
  label: string;
  pluralLabel: string;
}

export function resourceProblems(draft: Draft, r: NewResource): Record<string, string> {
  const problems: Record<string, string> = {};
  const name = nameProblem(r.name, draft.map((x) => x.name));
  if (name) problems.name = name;
  return problems;
}

export function addResource(draft: Draft, r: NewResource): Draft {
  const label = r.label.trim() || labelFromName(r.name);
  const resource: ResourceDef = {
    name: r.name,
    label,
    pluralLabel: r.pluralLabel.trim() || `${label}s`,
    builtin: false,
    fields: [],
    links: [],
    reverseLinks: [],
    indexes: [],
  };
  return [...draft, resource];
}

/** The custom links of other resources that point at `name` (they block its removal). */
export function linksInto(draft: Draft, name: string): { resource: string; link: string }[] {
  return draft.flatMap((r) =>
    r.name === name ? [] : r.links.filter((l) => !l.builtin && l.target === name).map((l) => ({ resource: r.name, link: l.name })),
  );
}

/** Removes a custom resource and the reverse links it gave to others. */
export function removeResource(draft: Draft, name: string): Draft {
  const r = findResource(draft, name);
  if (!r || r.builtin) throw new Error(`${name} is not a custom resource`);
  return draft
    .filter((x) => x.name !== name)
    .map((x) => ({ ...x, reverseLinks: x.reverseLinks.filter((rl) => rl.source !== name) }));
}

export interface NewLink {
  name: string;
  target: string;
  cardinality: Cardinality;
  reverseName: string;
  label: string;
}

export function linkProblems(draft: Draft, resource: ResourceDef, l: NewLink): Record<string, string> {
  const problems: Record<string, string> = {};
  const name = nameProblem(l.name, takenNames(resource));
  if (name) problems.name = name;
  const target = findResource(draft, l.target);
  if (!target) problems.target = 'Choose the resource it points to.';
  if (l.reverseName && target) {
    const reverse = nameProblem(l.reverseName, takenNames(target));
    if (reverse) problems.reverseName = reverse;
  }
  return problems;
}

/** Adds a link, and its reverse link on the target so that the draft shows both ends. */
export function addLink(draft: Draft, resource: string, l: NewLink): Draft {
  const link: LinkDef = {
    name: l.name,
    target: l.target,
    cardinality: l.cardinality,
    reverseName: l.reverseName.trim(),
    label: l.label.trim() || labelFromName(l.name),
    builtin: false,
  };
  const withLink = update(draft, resource, (r) => ({ ...r, links: [...r.links, link] }));
  if (!link.reverseName) return withLink;
  return update(withLink, l.target, (t) => ({
    ...t,
    reverseLinks: [...t.reverseLinks, { name: link.reverseName, source: resource, link: link.name }],
  }));
}

export function removeLink(draft: Draft, resource: string, link: string): Draft {
  const l = findResource(draft, resource)?.links.find((x) => x.name === link && !x.builtin);
  if (!l) return draft;
  let out = update(draft, resource, (r) => ({
    ...r,
    links: r.links.filter((x) => x.builtin || x.name !== link),
    indexes: r.indexes.filter((ix) => ix.builtin || !ix.fields.includes(link)),
  }));
  if (findResource(out, l.target)) {
    out = update(out, l.target, (t) => ({
      ...t,
      reverseLinks: t.reverseLinks.filter((rl) => !(rl.source === resource && rl.link === link)),
    }));
  }
  return out;
}

export function addIndex(draft: Draft, resource: string, fields: string[], unique: boolean): Draft {
  if (fields.length === 0) throw new Error('a key needs at least one field');
  const index: IndexDef = { fields: [...fields], unique, builtin: false };
  return update(draft, resource, (r) => ({ ...r, indexes: [...r.indexes, index] }));
}

/** Removes the custom index at `position` in the resource's index list. */
export function removeIndex(draft: Draft, resource: string, position: number): Draft {
  return update(draft, resource, (r) => ({
    ...r,
    indexes: r.indexes.filter((ix, i) => ix.builtin || i !== position),
  }));
}

function publishField(f: FieldDef): PublishField {
  return {
    name: f.name,
    type: f.type,
    label: f.label,
    ...(f.description ? { description: f.description } : {}),
    required: f.required,
    ...(f.type === 'string' ? { length: f.length } : {}),
    ...(f.type === 'enum' ? { values: (f.values ?? []).map((v) => ({ value: v.value, label: v.label })) } : {}),
  };
}

function publishLink(l: LinkDef): PublishLink {
  return { name: l.name, target: l.target, cardinality: l.cardinality, reverseName: l.reverseName, label: l.label };
}

function publishIndex(ix: IndexDef): PublishIndex {
  return { fields: [...ix.fields], unique: ix.unique };
}

/**
 * The custom part of the model, as publish reads it: every custom resource whole, and for each
 * built-in resource only its custom fields, links and indexes (left out when it has none).
 */
export function customModel(draft: Draft): PublishResource[] {
  const out: PublishResource[] = [];
  for (const r of draft) {
    const fields = r.fields.filter((f) => !f.builtin).map(publishField);
    const links = r.links.filter((l) => !l.builtin).map(publishLink);
    const indexes = r.indexes.filter((ix) => !ix.builtin).map(publishIndex);
    if (r.builtin) {
      if (fields.length || links.length || indexes.length) out.push({ name: r.name, fields, links, indexes });
    } else {
      out.push({ name: r.name, label: r.label, pluralLabel: r.pluralLabel, fields, links, indexes });
    }
  }
  return out;
}

export function publishBody(draft: Draft, options: { dryRun?: boolean; allowDataLoss?: boolean } = {}): PublishRequest {
  return {
    resources: customModel(draft),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.allowDataLoss ? { allowDataLoss: true } : {}),
  };
}

/** Whether the draft's custom model differs from the published one. */
export function isDirty(published: Draft, draft: Draft): boolean {
  return JSON.stringify(customModel(published)) !== JSON.stringify(customModel(draft));
}

/** What the draft changes, in words, for the "unpublished changes" banner. */
export function draftSummary(published: Draft, draft: Draft): string[] {
  const out: string[] = [];
  const before = new Map(published.map((r) => [r.name, r]));
  const after = new Map(draft.map((r) => [r.name, r]));
  for (const r of draft) {
    const old = before.get(r.name);
    if (!old) {
      out.push(`New resource ${r.name}`);
      continue;
    }
    const names = (xs: { name: string; builtin: boolean }[]) => new Set(xs.filter((x) => !x.builtin).map((x) => x.name));
    const [of, nf, ol, nl] = [names(old.fields), names(r.fields), names(old.links), names(r.links)];
    for (const n of nf) if (!of.has(n)) out.push(`New field ${r.name}.${n}`);
    for (const n of of) if (!nf.has(n)) out.push(`Remove field ${r.name}.${n}`);
    for (const n of nl) if (!ol.has(n)) out.push(`New link ${r.name}.${n}`);
    for (const n of ol) if (!nl.has(n)) out.push(`Remove link ${r.name}.${n}`);
    const keys = (xs: IndexDef[]) => xs.filter((x) => !x.builtin).map((x) => `${x.unique ? 'unique ' : ''}(${x.fields.join(', ')})`);
    const [ok, nk] = [keys(old.indexes), keys(r.indexes)];
    for (const k of nk) if (!ok.includes(k)) out.push(`New key ${r.name} ${k}`);
    for (const k of ok) if (!nk.includes(k)) out.push(`Remove key ${r.name} ${k}`);
  }
  for (const r of published) if (!after.has(r.name)) out.push(`Remove resource ${r.name}`);
  return out;
}

/** Number of fields a resource lists (built-in and custom). */
export function fieldCount(r: ResourceDef): { builtin: number; custom: number } {
  return { builtin: r.fields.filter((f) => f.builtin).length, custom: r.fields.filter((f) => !f.builtin).length };
}

/** The SQL statements of a publish plan as one script, each ending with a semicolon. */
export function sqlScript(statements: string[]): string {
  return statements.map((s) => (s.trimEnd().endsWith(';') ? s.trimEnd() : `${s.trimEnd()};`)).join('\n\n');
}
