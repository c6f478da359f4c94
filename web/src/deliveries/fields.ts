// The "Insert personalization field" menu: the profile's fields from GET /api/v1/schema as
// `{{ profile.<name> }}`, plus the recipient's special URLs, and the pure text insertion the
// code editors and text inputs share.

import type { SchemaDoc } from '../api';

export interface PersonalizationField {
  group: 'Profile' | 'Links';
  label: string;
  /** What is inserted. */
  snippet: string;
}

export const SPECIAL_FIELDS: PersonalizationField[] = [
  { group: 'Links', label: 'Unsubscribe URL', snippet: '{{ unsubscribe_url }}' },
  { group: 'Links', label: 'Mirror page URL', snippet: '{{ mirror_url }}' },
];

/** The profile's fields (by label), then the special URLs. */
export function personalizationFields(schema: SchemaDoc | undefined): PersonalizationField[] {
  const profile = schema?.resources.find((r) => r.name === 'profile');
  const fields = (profile?.fields ?? [])
    .map((f) => ({ group: 'Profile' as const, label: f.label || f.name, snippet: `{{ profile.${f.name} }}` }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return [...fields, ...SPECIAL_FIELDS];
}

/**
 * `text` with `snippet` put in place of the selection [from, to) (clamped to the text), and the
 * cursor position right after the snippet.
 */
export function insertAt(text: string, from: number, to: number, snippet: string): { text: string; cursor: number } {
  const a = Math.max(0, Math.min(from, text.length));
  const b = Math.max(a, Math.min(to, text.length));
  return { text: text.slice(0, a) + snippet + text.slice(b), cursor: a + snippet.length };
}
