// The DKIM and bounce pages' logic without React: who may change the email settings, the selector
// suggestion, the request bodies of "Generate key", "Import key" and "Add rule", the zone file line
// of a key and the words shown for a rule. Checked by emailModel.test.ts.

import type { Role } from '../../../api';
import type { BounceOutcome, BounceRule, DkimAlgorithm, DkimKey, NewBounceRule, NewDkimKey } from '../../../api/email';
import { numberOf, type NumberValue } from './routeForm';

/** Routes, DKIM keys and bounce rules are changed by administrators; every role reads them. */
export function canManageEmail(role: Role): boolean {
  return role === 'administrator';
}

/** A selector for a key made now: the year and month ("2026-11"), so that rotations sort by age. */
export function suggestSelector(now: Date = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
}

export const RSA_BITS = [1024, 2048, 3072, 4096] as const;

export interface GenerateKeyForm {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  bits: number;
}

export interface ImportKeyForm {
  domain: string;
  selector: string;
  privateKey: string;
}

/** The body of POST /dkim-keys that generates a key; bits only for RSA. */
export function generateKeyBody(form: GenerateKeyForm): NewDkimKey {
  const body: NewDkimKey = { domain: form.domain.trim(), selector: form.selector.trim(), algorithm: form.algorithm };
  if (form.algorithm === 'rsa-sha256') body.bits = form.bits;
  return body;
}

/** The body of POST /dkim-keys that imports a PEM (the server finds the algorithm in it). */
export function importKeyBody(form: ImportKeyForm): NewDkimKey {
  return { domain: form.domain.trim(), selector: form.selector.trim(), privateKey: form.privateKey.trim() + '\n' };
}

/** "Ed25519" or "RSA 2048". */
export function algorithmLabel(key: Pick<DkimKey, 'algorithm' | 'bits'>): string {
  return key.algorithm === 'rsa-sha256' ? `RSA ${key.bits}` : 'Ed25519';
}

/**
 * The record as a zone file line: the DNS name, TXT and the quoted strings of at most 255 bytes
 * (a longer TXT string is refused by DNS servers), e.g.
 *   2026-11._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; p=MIIB…" "…" )
 */
export function zoneFileLine(key: Pick<DkimKey, 'dnsName' | 'txtStrings' | 'dnsRecord'>): string {
  const strings = key.txtStrings.length ? key.txtStrings : [key.dnsRecord];
  const quoted = strings.map((s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  const value = quoted.length === 1 ? quoted[0] : `( ${quoted.join(' ')} )`;
  return `${key.dnsName}. IN TXT ${value}`;
}

export interface RuleForm {
  name: string;
  code: NumberValue;
  statusPrefix: string;
  textPattern: string;
  outcome: BounceOutcome;
  reason: string;
}

export function emptyRuleForm(): RuleForm {
  return { name: '', code: 0, statusPrefix: '', textPattern: '', outcome: 'hard', reason: '' };
}

/** The body of POST /bounce-rules; an empty code box means any code (0). */
export function ruleBody(form: RuleForm): NewBounceRule {
  return {
    name: form.name.trim(),
    code: numberOf(form.code) ?? 0,
    statusPrefix: form.statusPrefix.trim(),
    textPattern: form.textPattern,
    outcome: form.outcome,
    reason: form.reason.trim(),
  };
}

/** What a rule matches, in words: "code 5xx, status 5.7.1, text /blocked/"; "any reply" when nothing. */
export function ruleMatch(rule: Pick<BounceRule, 'code' | 'statusPrefix' | 'textPattern'>): string {
  const parts: string[] = [];
  if (rule.code >= 2 && rule.code <= 5) parts.push(`code ${rule.code}xx`);
  else if (rule.code) parts.push(`code ${rule.code}`);
  if (rule.statusPrefix) parts.push(`status ${rule.statusPrefix}`);
  if (rule.textPattern) parts.push(`text /${rule.textPattern}/`);
  return parts.length ? parts.join(', ') : 'any reply';
}

/** The outcomes with what each does to the recipient, for the select and the badges. */
export const OUTCOME_INFO: Record<BounceOutcome, { label: string; color: string; description: string }> = {
  sent: { label: 'sent', color: 'teal', description: 'Accepted: nothing to do.' },
  soft: { label: 'soft', color: 'yellow', description: 'Temporary: retried later; the address stays valid.' },
  hard: { label: 'hard', color: 'red', description: 'The address is bad: it is quarantined.' },
  ignored: { label: 'ignored', color: 'gray', description: 'About the message or our configuration, not the address: neither retried nor quarantined.' },
  route: { label: 'route', color: 'orange', description: 'The route itself failed (connection, TLS, authentication, timeout): retried on the route later.' },
};

/** The delivery id typed in the filter box: a positive whole number, or null for none or junk. */
export function deliveryIdFilter(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n > 0 && Number.isSafeInteger(n) ? n : null;
}
