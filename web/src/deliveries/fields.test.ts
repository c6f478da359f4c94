import { describe, expect, it } from 'vitest';
import type { SchemaDoc } from '../api';
import { insertAt, personalizationFields } from './fields';
import { compileMjml, formatProblem, toProblems } from './mjml';

const schema = {
  resources: [
    { name: 'profile', fields: [{ name: 'lastName', label: 'Last name' }, { name: 'firstName', label: 'First name' }] },
    { name: 'service', fields: [{ name: 'label', label: 'Label' }] },
  ],
} as unknown as SchemaDoc;

describe('personalizationFields', () => {
  it('lists the profile fields by label, then the special URLs', () => {
    const f = personalizationFields(schema);
    expect(f.map((x) => x.snippet)).toEqual([
      '{{ profile.firstName }}', '{{ profile.lastName }}', '{{ unsubscribe_url }}', '{{ mirror_url }}',
    ]);
    expect(personalizationFields(undefined).length).toBe(2);
  });
});

describe('insertAt', () => {
  it('inserts at the cursor and moves it after the snippet', () => {
    expect(insertAt('Hello !', 6, 6, '{{ profile.firstName }}')).toEqual({ text: 'Hello {{ profile.firstName }}!', cursor: 29 });
  });
  it('replaces the selection', () => {
    expect(insertAt('Hello NAME!', 6, 10, 'X')).toEqual({ text: 'Hello X!', cursor: 7 });
  });
  it('clamps positions outside the text', () => {
    expect(insertAt('ab', 5, 9, 'c')).toEqual({ text: 'abc', cursor: 3 });
    expect(insertAt('ab', -3, -1, 'c')).toEqual({ text: 'cab', cursor: 1 });
  });
});

describe('mjml problems', () => {
  it('sorts by line and drops duplicates', () => {
    const p = toProblems([
      { line: 9, message: 'b' }, { line: 3, message: 'a' }, { line: 9, message: 'b' }, { message: 'no line' },
    ]);
    expect(p.map(formatProblem)).toEqual(['no line', 'Line 3: a', 'Line 9: b']);
  });

  it('refuses a source that is not MJML before compiling', async () => {
    const out = await compileMjml('<p>hi</p>', () => {
      throw new Error('not called');
    });
    expect(out.html).toBeNull();
    expect(out.problems[0].line).toBe(1);
  });

  it('passes the compiler result through, and a thrown error with its line', async () => {
    const ok = await compileMjml('<mjml><mj-body/></mjml>', () => ({ html: '<html/>', errors: [{ line: 2, message: 'x', tagName: 'mj-foo', formattedMessage: '' }] }));
    expect(ok).toEqual({ html: '<html/>', problems: [{ line: 2, message: 'x' }] });
    const bad = await compileMjml('<mjml>', () => {
      throw new Error('Malformed at line 7');
    });
    expect(bad).toEqual({ html: null, problems: [{ line: 7, message: 'Malformed at line 7' }] });
  });
});

describe('compileMjml with mjml-browser', () => {
  it('compiles MJML into HTML and reports problems with their lines', async () => {
    // mjml-browser reads `window` when it loads; the tests run in Node.
    (globalThis as { window?: unknown }).window ??= globalThis;
    const source = '<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n<mj-foo>x</mj-foo>\n<mj-text>Hi {{ profile.firstName }}</mj-text>\n</mj-column>\n</mj-section>\n</mj-body>\n</mjml>';
    const out = await compileMjml(source);
    expect(out.html).toContain('Hi {{ profile.firstName }}');
    expect(out.problems).toEqual([{ line: 5, message: "Element mj-foo doesn't exist or is not registered" }]);
  });
});
