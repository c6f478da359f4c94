import { describe, expect, it } from 'vitest';

import {
  complementOf, defaultParams, FIELDS, nextSegmentCode, parseJsonField, parseList, segmentsOf, signalParameters, signalValues, validateParams,
  visibleFields,
} from './params';

const fields = (errors: { field: string }[]) => errors.map((e) => e.field);

describe('defaults', () => {
  it('give every type with a form its starting params', () => {
    for (const type of Object.keys(FIELDS)) expect(typeof defaultParams(type)).toBe('object');
    expect(defaultParams('segmentation')).toEqual({ segments: [{ code: 'segment1' }], complement: { enabled: true, code: 'rest' } });
    expect(defaultParams('start')).toEqual({});
  });

  it('show only the fields of the chosen kind', () => {
    expect(visibleFields('scheduler', { kind: 'once' }).map((f) => f.key)).toEqual(['kind', 'at', 'timeZone']);
    expect(visibleFields('scheduler', { kind: 'weekly' }).map((f) => f.key)).toEqual(['kind', 'time', 'days', 'timeZone']);
    expect(visibleFields('wait', { kind: 'until' }).map((f) => f.key)).toEqual(['kind', 'at']);
    expect(visibleFields('end', {})).toEqual([]);
  });
});

describe('validateParams', () => {
  it('asks for required fields', () => {
    expect(validateParams('query', { resource: 'profile', expression: ' ' })).toEqual([{ field: 'params.expression', message: 'Expression is required.' }]);
    expect(fields(validateParams('emailDelivery', { confirm: false }))).toEqual(['params.templateId']);
    expect(validateParams('emailDelivery', { templateId: 12 })).toEqual([]);
    expect(fields(validateParams('enrichment', { add: [] }))).toEqual(['params.add']);
    expect(fields(validateParams('query', { resource: 'profile', expression: 'x', additionalData: { a: 1 } }))).toEqual(['params.additionalData']);
  });

  it('checks the scheduler’s formats', () => {
    expect(validateParams('scheduler', { kind: 'once', at: '2026-12-01T09:00', timeZone: 'UTC' })).toEqual([]);
    expect(fields(validateParams('scheduler', { kind: 'once', at: '2026-12-01 9h' }))).toEqual(['params.at']);
    expect(fields(validateParams('scheduler', { kind: 'daily', time: '25:00' }))).toEqual(['params.time']);
    expect(fields(validateParams('scheduler', { kind: 'weekly', time: '02:00', days: [] }))).toEqual(['params.days']);
    expect(fields(validateParams('scheduler', { kind: 'monthly', time: '02:00', dayOfMonth: 0 }))).toEqual(['params.dayOfMonth']);
    expect(validateParams('scheduler', { kind: 'monthly', time: '02:00', dayOfMonth: -1 })).toEqual([]);
    expect(fields(validateParams('scheduler', { kind: 'cron', cron: '0 2 * *' }))).toEqual(['params.cron']);
    expect(fields(validateParams('scheduler', { kind: 'monthly', time: '02:00', dayOfMonth: 1.5 }))).toEqual(['params.dayOfMonth']);
  });

  it('checks wait', () => {
    expect(validateParams('wait', { kind: 'duration', seconds: 60 })).toEqual([]);
    expect(fields(validateParams('wait', { kind: 'duration', seconds: -1 }))).toEqual(['params.seconds']);
    expect(fields(validateParams('wait', { kind: 'until', at: '2026-12-01T09:00' }))).toEqual(['params.at']);
    expect(validateParams('wait', { kind: 'until', at: '2026-12-01T09:00:00Z' })).toEqual([]);
  });

  it('checks segment codes and limits', () => {
    const ok = { segments: [{ code: 'FR', filter: 'country = "FR"' }, { code: 'control', limit: { kind: 'percent', value: 10, random: true } }], complement: { enabled: true, code: 'rest' } };
    expect(validateParams('segmentation', ok)).toEqual([]);
    const bad = {
      segments: [{ code: 'FR' }, { code: 'FR' }, { code: 'a b' }, { code: 'x', limit: { kind: 'percent', value: 120 } }, { code: 'y', limit: { kind: 'count', value: 2.5 } }],
      complement: { enabled: true, code: 'x' },
    };
    expect(fields(validateParams('segmentation', bad))).toEqual([
      'params.segments[1].code',
      'params.segments[2].code',
      'params.segments[3].limit.value',
      'params.segments[4].limit.value',
      'params.complement.code',
    ]);
    expect(fields(validateParams('segmentation', { segments: [] }))).toEqual(['params.segments']);
  });
});

describe('segments', () => {
  it('read half-typed JSON', () => {
    expect(segmentsOf({ segments: [{ code: 'A', limit: { kind: 'count', value: '5' } }, null] })).toEqual([
      { code: 'A', limit: { kind: 'count', value: 5, random: false } },
      { code: '' },
    ]);
    expect(complementOf({})).toEqual({ enabled: false, code: 'rest' });
  });

  it('name a new segment with a free code', () => {
    expect(nextSegmentCode({ segments: [{ code: 'segment1' }, { code: 'segment3' }], complement: { enabled: true, code: 'segment2' } })).toBe('segment4');
  });
});

describe('text fields', () => {
  it('parse lists and JSON', () => {
    expect(parseList(' email, ,segment_code\nfirstName ')).toEqual(['email', 'segment_code', 'firstName']);
    expect(parseJsonField('[{"name": "city"}]')).toEqual({ value: [{ name: 'city' }] });
    expect(parseJsonField('  ')).toEqual({ value: undefined });
    expect(parseJsonField('[{').error).toMatch(/^Not valid JSON/);
  });
});

describe('signals', () => {
  const parameters = signalParameters({
    parameters: [
      { name: 'country', type: 'string', required: true },
      { name: 'limit', type: 'integer' },
      { name: 'vip', type: 'boolean' },
      { name: '', type: 'string' },
      'junk',
    ],
  });

  it('read the declared parameters', () => {
    expect(parameters).toEqual([
      { name: 'country', type: 'string', required: true },
      { name: 'limit', type: 'integer', required: false },
      { name: 'vip', type: 'boolean', required: false },
    ]);
  });

  it('turn the form into typed values', () => {
    expect(signalValues(parameters, { country: ' FR ', limit: '12', vip: true })).toEqual({ values: { country: 'FR', limit: 12, vip: true }, errors: {} });
    expect(signalValues(parameters, { limit: '' })).toEqual({ values: { vip: false }, errors: { country: 'country is required.' } });
    expect(signalValues(parameters, { country: 'FR', limit: '1.5' }).errors).toEqual({ limit: 'limit must be a whole number.' });
  });
});
