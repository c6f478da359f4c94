import { describe, expect, it } from 'vitest';

import { includeSnippet, labelFromName, nameProblem, sourceErrorLine } from './snippets';

describe('content fragment helpers', () => {
  it('builds the include tag', () => {
    expect(includeSnippet('footer')).toBe('{% include "footer" %}');
  });

  it('checks names as the server does', () => {
    expect(nameProblem('footer')).toBeNull();
    expect(nameProblem('legal-notice_2')).toBeNull();
    expect(nameProblem('0day')).toBeNull();
    expect(nameProblem('z'.repeat(64))).toBeNull();
    expect(nameProblem('')).toMatch(/required/);
    expect(nameProblem('Footer')).not.toBeNull();
    expect(nameProblem('_footer')).not.toBeNull();
    expect(nameProblem('foo bar')).not.toBeNull();
    expect(nameProblem('z'.repeat(65))).not.toBeNull();
  });

  it('suggests a label', () => {
    expect(labelFromName('legal-notice_2')).toBe('Legal notice 2');
    expect(labelFromName('')).toBe('');
  });

  it('finds the line of a source error', () => {
    expect(sourceErrorLine({ field: 'source', line: '3', column: '5' })).toBe(3);
    expect(sourceErrorLine({ field: 'name' })).toBeNull();
    expect(sourceErrorLine({ field: 'source' })).toBeNull();
    expect(sourceErrorLine(undefined)).toBeNull();
  });
});
