// Pure helpers of the content fragment screens: the include snippet, the name rule the server
// applies, and where a save error points in the source.

/** `{% include "footer" %}`: what "Insert fragment" puts at the cursor. */
export function includeSnippet(name: string): string {
  return `{% include "${name}" %}`;
}

/** The server's rule for names: 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit. */
export const FRAGMENT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Why `name` is refused, or null when it is fine ('' is "required"). */
export function nameProblem(name: string): string | null {
  if (!name) return 'A name is required.';
  if (FRAGMENT_NAME.test(name)) return null;
  return "Use 1 to 64 lower-case letters, digits, '_' and '-', starting with a letter or digit.";
}

/** A label suggested from the name: "legal-notice_2" -> "Legal notice 2". */
export function labelFromName(name: string): string {
  const words = name.replace(/[-_]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : '';
}

/**
 * The line of the fragment's source an error is about: the server puts it in details.line (as text)
 * for the field "source"; null for other errors.
 */
export function sourceErrorLine(details: Record<string, unknown> | undefined): number | null {
  if (!details || details.field !== 'source') return null;
  const n = Number(details.line);
  return Number.isInteger(n) && n > 0 ? n : null;
}
