import { describe, expect, it } from 'vitest';

import type { ImportSniff, ResourceDef } from '../api';
import { testModel } from '../records/testModel';
import {
  buildStartRequest, columnNames, dataRows, defaultKeys, defaultMode, guessDateFormat, importTargets, initialMappings,
  mappedTargets, matchTarget, parseCsv, problems, resultSummary, sampleValues, setTarget, type WizardState,
} from './wizard';

const model = testModel();
const profile = model.find((r) => r.name === 'profile') as ResourceDef;
const purchase = model.find((r) => r.name === 'purchase') as ResourceDef;
const service = model.find((r) => r.name === 'service') as ResourceDef;

const preview = [
  ['E-mail', 'First Name', 'Birth date', 'Shoe size'],
  ['ua@example.com', 'Uma', '01/02/1990', '42'],
  ['ub@example.com', 'Ubo', '31/12/1985', ''],
];
const sniff: ImportSniff = { gzip: false, encoding: 'utf-8', delimiter: ',', hasHeader: true, columnCount: 4, preview };

function state(over: Partial<WizardState> = {}): WizardState {
  const targets = importTargets(profile);
  const mappings = initialMappings(columnNames(preview, true, 4), dataRows(preview, true), targets);
  const keys = defaultKeys(profile, mappedTargets(mappings));
  return { resource: 'profile', sniff, delimiter: ',', encoding: 'utf-8', hasHeader: true, mappings, mode: defaultMode(keys), keys, ...over };
}

describe('importTargets', () => {
  it('offers writable fields then links, never system or read-only fields', () => {
    const names = importTargets(profile).map((t) => t.name);
    expect(names).toContain('email');
    expect(names).toContain('loyaltyTier');
    for (const n of ['id', 'createdAt', 'modifiedAt', 'createdBy', 'emailDomain']) expect(names).not.toContain(n);
    const p = importTargets(purchase);
    expect(p.map((t) => t.name)).toEqual(['sku', 'boughtAt', 'notes', 'profile']);
    expect(p[3]).toMatchObject({ type: 'link', linkTarget: 'profile', required: true });
  });
});

describe('columns, samples and mapping', () => {
  it('names columns from the header, or numbers them', () => {
    expect(columnNames(preview, true, 4)).toEqual(['E-mail', 'First Name', 'Birth date', 'Shoe size']);
    expect(columnNames(preview, false, 2)).toEqual(['Column 1', 'Column 2']);
    expect(dataRows(preview, false)).toHaveLength(3);
    expect(sampleValues(dataRows(preview, true), 3)).toEqual(['42']);
  });

  it('matches names and labels ignoring case, spaces and dashes', () => {
    const targets = importTargets(profile);
    expect(matchTarget('E-mail', targets)).toBe('email');
    expect(matchTarget('first_name', targets)).toBe('firstName');
    expect(matchTarget('Loyalty tier', targets)).toBe('loyaltyTier');
    expect(matchTarget('Shoe size', targets)).toBe('');
  });

  it('maps by name, guesses the date format, ignores the unknown column', () => {
    const s = state();
    expect(s.mappings.map((m) => m.target)).toEqual(['email', 'firstName', 'birthDate', '']);
    expect(s.mappings[2].format).toBe('%d/%m/%Y');
    expect(s.mappings[0]).toMatchObject({ onBadValue: 'reject', keepWhenEmpty: true });
  });

  it('takes the server suggestions first, and drops targets the resource does not have', () => {
    const targets = importTargets(profile);
    const rows = initialMappings(['a', 'b'], [['x', 'y']], targets, [
      { source: 1, target: 'city', column: 'b', format: '', onBadValue: 'ignore', default: '', keepWhenEmpty: false },
      { source: 0, target: 'nope', column: 'a', format: '', onBadValue: 'reject', default: '', keepWhenEmpty: true },
    ]);
    expect(rows.map((r) => r.target)).toEqual(['', 'city']);
    expect(rows[1]).toMatchObject({ onBadValue: 'ignore', keepWhenEmpty: false });
  });

  it('choosing a date target guesses its format; another target clears it', () => {
    const targets = importTargets(profile);
    const rows = dataRows(preview, true);
    const r = setTarget(state().mappings[3], 'birthDate', targets, [['', '', '', '12/31/1999']]);
    expect(r.format).toBe('%m/%d/%Y');
    expect(setTarget(r, 'city', targets, rows).format).toBe('');
  });
});

describe('guessDateFormat', () => {
  it('recognises ISO, day-first, month-first, dots and times', () => {
    expect(guessDateFormat(['2025-01-31', '1999-12-01'])).toBe('');
    expect(guessDateFormat(['01/02/1990', '31/12/1985'])).toBe('%d/%m/%Y');
    expect(guessDateFormat(['01/02/1990', '12/31/1985'])).toBe('%m/%d/%Y');
    expect(guessDateFormat(['01/02/1990'])).toBe('%d/%m/%Y');
    expect(guessDateFormat(['24.12.2020'])).toBe('%d.%m.%Y');
    expect(guessDateFormat(['24/12/2020 10:30'], true)).toBe('%d/%m/%Y %H:%M');
    expect(guessDateFormat(['24/12/2020 10:30:05'], true)).toBe('%d/%m/%Y %H:%M:%S');
    expect(guessDateFormat(['tomorrow'])).toBe('');
    expect(guessDateFormat([])).toBe('');
  });
});

describe('defaultKeys and defaultMode', () => {
  it('suggests email for profiles when mapped', () => {
    expect(defaultKeys(profile, ['firstName', 'email'])).toEqual(['email']);
    expect(defaultKeys(profile, ['firstName'])).toEqual([]);
    expect(defaultMode(['email'])).toBe('upsert');
    expect(defaultMode([])).toBe('insert');
  });

  it('uses a unique index whose fields are all mapped for other resources', () => {
    expect(defaultKeys(purchase, ['sku', 'profile', 'notes'])).toEqual(['sku', 'profile']);
    expect(defaultKeys(purchase, ['sku'])).toEqual([]);
    expect(defaultKeys(service, ['name', 'channel'])).toEqual(['name']);
  });
});

describe('problems and buildStartRequest', () => {
  const targets = importTargets(profile);

  it('builds the start request: mapped columns only, date formats, defaults, format settings', () => {
    const s = state();
    s.mappings[1] = { ...s.mappings[1], onBadValue: 'default', default: 'Friend', keepWhenEmpty: false };
    expect(problems(s, targets)).toEqual([]);
    expect(buildStartRequest(s, targets)).toEqual({
      resource: 'profile',
      mode: 'upsert',
      keys: ['email'],
      columns: [
        { source: 0, target: 'email', onBadValue: 'reject', keepWhenEmpty: true },
        { source: 1, target: 'firstName', onBadValue: 'default', default: 'Friend', keepWhenEmpty: false },
        { source: 2, target: 'birthDate', format: '%d/%m/%Y', onBadValue: 'reject', keepWhenEmpty: true },
      ],
      delimiter: ',',
      encoding: 'utf-8',
      hasHeader: true,
    });
  });

  it('never sends a format for a non-date target, nor a key that is not mapped', () => {
    const s = state({ keys: ['email', 'city'] });
    s.mappings[1] = { ...s.mappings[1], format: '%d/%m/%Y' };
    const req = buildStartRequest(s, targets);
    expect(req.columns[1].format).toBeUndefined();
    expect(req.keys).toEqual(['email']);
  });

  it('names what stops the start', () => {
    const none = state({ mappings: state().mappings.map((m) => ({ ...m, target: '' })), keys: [] });
    expect(problems(none, targets)).toEqual(['Map at least one column to a field.', 'Insert or update needs key fields to find existing records.']);
    const twice = state();
    twice.mappings[3] = { ...twice.mappings[3], target: 'email' };
    expect(problems(twice, targets)).toContain('Email is chosen for two columns.');
    const noDefault = state();
    noDefault.mappings[0] = { ...noDefault.mappings[0], onBadValue: 'default' };
    expect(problems(noDefault, targets)[0]).toMatch(/default value for Email/);
    expect(problems(state({ keys: ['city'] }), targets)).toEqual(['The key city is not mapped from a column.']);
    expect(problems(state({ mode: 'insert', keys: [] }), targets)).toEqual([]);
  });
});

describe('parseCsv', () => {
  it('splits quoted cells, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffa;b\r\n"x;1";"say ""hi"""\n\n3;\n', ';')).toEqual([['a', 'b'], ['x;1', 'say "hi"'], ['3', '']]);
    expect(parseCsv('a\tb\nc\td', '\t')).toEqual([['a', 'b'], ['c', 'd']]);
    expect(parseCsv('a\nb\nc\n', ',', 2)).toEqual([['a'], ['b']]);
    expect(parseCsv('a,b\nc,d', ',', 30, true)).toEqual([['a', 'b']]);
    expect(parseCsv('a,"multi\nline"\n', ',')).toEqual([['a', 'multi\nline']]);
  });
});

describe('resultSummary', () => {
  const c = { read: 10, inserted: 0, updated: 0, unchanged: 10, deleted: 0, rejected: 0 };
  it('says plainly when nothing changed', () => {
    expect(resultSummary(c)).toMatch(/^Nothing changed/);
    expect(resultSummary({ ...c, unchanged: 0, rejected: 10 })).toMatch(/every line was rejected/);
    expect(resultSummary({ ...c, read: 0, unchanged: 0 })).toMatch(/no data lines/);
  });
  it('counts what changed', () => {
    expect(resultSummary({ ...c, inserted: 1995, unchanged: 0, rejected: 5 })).toBe('Done: 1,995 inserted; 5 lines were rejected.');
    expect(resultSummary({ ...c, updated: 2, deleted: 1 })).toBe('Done: 2 updated, 1 deleted.');
  });
});
