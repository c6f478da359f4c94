import { describe, expect, it } from 'vitest';

import {
  algorithmLabel, canManageEmail, deliveryIdFilter, emptyRuleForm, generateKeyBody, importKeyBody, ruleBody, ruleMatch,
  suggestSelector, zoneFileLine,
} from './emailModel';

describe('permissions', () => {
  it('lets administrators only change the email settings', () => {
    expect(canManageEmail('administrator')).toBe(true);
    for (const role of ['marketer', 'data_manager', 'supervisor', 'analyst'] as const) expect(canManageEmail(role)).toBe(false);
  });
});

describe('DKIM keys', () => {
  it('suggests the year and month as the selector', () => {
    expect(suggestSelector(new Date(2026, 10, 29))).toBe('2026-11');
    expect(suggestSelector(new Date(2027, 0, 1))).toBe('2027-01');
  });

  it('sends bits for RSA only', () => {
    expect(generateKeyBody({ domain: ' example.com ', selector: ' 2026-11 ', algorithm: 'ed25519-sha256', bits: 2048 }))
      .toEqual({ domain: 'example.com', selector: '2026-11', algorithm: 'ed25519-sha256' });
    expect(generateKeyBody({ domain: 'example.com', selector: 's', algorithm: 'rsa-sha256', bits: 3072 }))
      .toEqual({ domain: 'example.com', selector: 's', algorithm: 'rsa-sha256', bits: 3072 });
  });

  it('imports the pasted PEM without the algorithm (the server reads it from the key)', () => {
    const pem = '\n-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n\n';
    expect(importKeyBody({ domain: 'example.com', selector: 'old', privateKey: pem })).toEqual({
      domain: 'example.com', selector: 'old', privateKey: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n',
    });
  });

  it('names the algorithm', () => {
    expect(algorithmLabel({ algorithm: 'ed25519-sha256', bits: 256 })).toBe('Ed25519');
    expect(algorithmLabel({ algorithm: 'rsa-sha256', bits: 2048 })).toBe('RSA 2048');
  });

  it('writes the zone file line: one string as it is, several in parentheses', () => {
    const record = 'v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
    expect(zoneFileLine({ dnsName: '2026-11._domainkey.example.com', dnsRecord: record, txtStrings: [record] }))
      .toBe(`2026-11._domainkey.example.com. IN TXT "${record}"`);
    const long = 'v=DKIM1; k=rsa; p=' + 'A'.repeat(380);
    const strings = [long.slice(0, 255), long.slice(255)];
    expect(zoneFileLine({ dnsName: 's._domainkey.example.com', dnsRecord: long, txtStrings: strings }))
      .toBe(`s._domainkey.example.com. IN TXT ( "${strings[0]}" "${strings[1]}" )`);
  });

  it('falls back on the record when there are no strings, and escapes quotes', () => {
    expect(zoneFileLine({ dnsName: 'a.b', dnsRecord: 'v="x"', txtStrings: [] })).toBe('a.b. IN TXT "v=\\"x\\""');
  });
});

describe('bounce rules', () => {
  it('sends a rule with an empty code box as any code', () => {
    const form = { ...emptyRuleForm(), name: ' Greylisting ', code: '', statusPrefix: ' 4.7.1 ', textPattern: 'grey ?list', outcome: 'soft' as const, reason: ' greylisted ' };
    expect(ruleBody(form)).toEqual({ name: 'Greylisting', code: 0, statusPrefix: '4.7.1', textPattern: 'grey ?list', outcome: 'soft', reason: 'greylisted' });
    expect(ruleBody({ ...form, code: 451 }).code).toBe(451);
  });

  it('says what a rule matches', () => {
    expect(ruleMatch({ code: 0, statusPrefix: '', textPattern: '' })).toBe('any reply');
    expect(ruleMatch({ code: 5, statusPrefix: '5.1.1', textPattern: '' })).toBe('code 5xx, status 5.1.1');
    expect(ruleMatch({ code: 550, statusPrefix: '', textPattern: 'blocked' })).toBe('code 550, text /blocked/');
  });

  it('reads the delivery id filter', () => {
    expect(deliveryIdFilter(' 42 ')).toBe(42);
    expect(deliveryIdFilter('')).toBeNull();
    expect(deliveryIdFilter('0')).toBeNull();
    expect(deliveryIdFilter('4x')).toBeNull();
    expect(deliveryIdFilter('-3')).toBeNull();
  });
});
