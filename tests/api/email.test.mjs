// The email channel's administration over HTTP: routes (settings errors name the field, the
// password is write-only, the maildir test action), DKIM keys (generated or imported, with the
// record to publish; signatures themselves are verified with python3-dkim in email_dkim_test),
// the bounce webhook and the classification rules, and who may do what.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, adminClient, errorOf, Client } from './lib.mjs';

let server, admin, marketer;

// Our Message-ID and VERP formats (src/channels/email/message_id.hpp): the check is 8 hex digits
// of BLAKE2b-128 over "delivery.recipient", computed here with Python's hashlib.
function check(delivery, recipient) {
  return execFileSync('python3', ['-c', 'import hashlib,sys; print(hashlib.blake2b(sys.argv[1].encode(), digest_size=16).hexdigest()[:8])',
                                  `${delivery}.${recipient}`]).toString().trim();
}
const ourMessageId = (d, r) => `<ov.${d}.${r}.${check(d, r)}@example.com>`;
const ourVerp = (d, r) => `bounces+${d}-${r}-${check(d, r)}@example.com`;
before(async () => {
  server = await startServer();
  admin = await adminClient(server);
  const made = await admin.post('/api/v1/users', { username: 'mia', password: 'long-enough-password', role: 'marketer' });
  assert.equal(made.status, 201, made.text);
  marketer = new Client(server.url);
  assert.equal((await marketer.login('mia', 'long-enough-password')).status, 200);
});
after(async () => { await server.stop(); });

test('routes: create, read without the password, change, test, delete', async () => {
  const bad = await admin.post('/api/v1/routes', { name: 'relay', kind: 'smtp', smtp: { host: 'mail.example.com', port: 70000 } });
  assert.equal(errorOf(assert, bad, 400, 'invalid_argument').details.field, 'smtp.port');
  const unknown = await admin.post('/api/v1/routes', { name: 'relay', kind: 'smtp', smtp: { host: 'h', tsl: 'none' } });
  assert.equal(errorOf(assert, unknown, 400, 'invalid_argument').details.field, 'smtp.tsl');
  const escape = await admin.post('/api/v1/routes', { name: 'm', kind: 'maildir', maildir: { folder: '../../etc' } });
  assert.equal(errorOf(assert, escape, 400, 'invalid_argument').details.field, 'maildir.folder');
  const mixed = await admin.post('/api/v1/routes', { name: 'm', kind: 'maildir', smtp: { host: 'h' } });
  errorOf(assert, mixed, 400, 'invalid_argument');

  const r = await admin.post('/api/v1/routes', {
    name: 'relay', label: 'Our relay', kind: 'smtp',
    smtp: { host: 'mail.example.com', port: 587, tls: 'starttls-required', username: 'overture', password: 'hunter2-hunter2' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/api/v1/routes/${r.json.id}`);
  assert.equal(r.json.isDefault, true, 'the first route is the default');
  assert.equal(r.json.smtp.hasPassword, true);
  assert.equal(r.json.smtp.password, undefined);
  assert.equal(r.json.smtp.poolSize, 10);
  assert.ok(!r.text.includes('hunter2'));

  const files = await admin.post('/api/v1/routes', { name: 'files', kind: 'maildir', maildir: { folder: 'outbox' } });
  assert.equal(files.status, 201, files.text);
  assert.equal(files.json.isDefault, false);

  const tested = await admin.post(`/api/v1/routes/${files.json.id}/test`);
  assert.equal(tested.status, 200, tested.text);
  assert.equal(tested.json.ok, true, tested.json.message);
  assert.ok(existsSync(path.join(server.files, 'maildir', 'outbox', 'new')));

  // GET gives back what PATCH accepts (hasPassword is ignored, the password kept).
  const got = await marketer.get(`/api/v1/routes/${r.json.id}`);
  assert.equal(got.status, 200, got.text);
  const patched = await admin.patch(`/api/v1/routes/${r.json.id}`, { smtp: { ...got.json.smtp, poolSize: 3 } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.smtp.poolSize, 3);
  assert.equal(patched.json.smtp.hasPassword, true);
  const cleared = await admin.patch(`/api/v1/routes/${r.json.id}`, { smtp: { password: null } });
  assert.equal(cleared.json.smtp.hasPassword, false);

  const makeDefault = await admin.patch(`/api/v1/routes/${files.json.id}`, { isDefault: true });
  assert.equal(makeDefault.json.isDefault, true);
  errorOf(assert, await admin.del(`/api/v1/routes/${files.json.id}`), 409, 'failed_precondition');

  const list = await marketer.get('/api/v1/routes?limit=1');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.items.length, 1);
  assert.ok(list.json.next);
  const count = await marketer.get('/api/v1/routes/_count');
  assert.equal(count.json.count, 2);

  errorOf(assert, await marketer.post('/api/v1/routes', { name: 'x', kind: 'maildir', maildir: { folder: 'x' } }), 403, 'permission_denied');
  errorOf(assert, await marketer.post(`/api/v1/routes/${files.json.id}/test`), 403, 'permission_denied');
  assert.equal((await admin.del(`/api/v1/routes/${r.json.id}`)).status, 204);
  errorOf(assert, await admin.get(`/api/v1/routes/${r.json.id}`), 404, 'not_found');

  const audit = await admin.get('/api/v1/audit?limit=50');
  assert.equal(audit.status, 200, audit.text);
  assert.ok(audit.json.items.some((e) => e.action === 'route.create'));
  assert.ok(!audit.text.includes('hunter2'), 'the audit trail never holds the password');
});

test('DKIM keys: generated or imported, the record to publish, private keys never shown', async () => {
  for (const [selector, algorithm] of [['ed1', 'ed25519-sha256'], ['rsa1', 'rsa-sha256']]) {
    const r = await admin.post('/api/v1/dkim-keys', { domain: 'Example.org', selector, algorithm });
    assert.equal(r.status, 201, r.text);
    const k = r.json;
    assert.equal(k.domain, 'example.org');
    assert.equal(k.dnsName, `${selector}._domainkey.example.org`);
    assert.equal(k.algorithm, algorithm);
    assert.ok(k.dnsRecord.startsWith(algorithm === 'rsa-sha256' ? 'v=DKIM1; k=rsa; p=' : 'v=DKIM1; k=ed25519; p='));
    assert.equal(k.txtStrings.join(''), k.dnsRecord);
    assert.ok(k.txtStrings.every((s) => s.length <= 255));
    assert.equal(k.privateKey, undefined);
  }
  const dup = await admin.post('/api/v1/dkim-keys', { domain: 'example.org', selector: 'ed1' });
  errorOf(assert, dup, 409, 'already_exists');
  const bits = await admin.post('/api/v1/dkim-keys', { domain: 'example.org', selector: 'x', algorithm: 'rsa-sha256', bits: 512 });
  assert.equal(errorOf(assert, bits, 400, 'invalid_argument').details.field, 'bits');
  errorOf(assert, await marketer.post('/api/v1/dkim-keys', { domain: 'example.org', selector: 'm' }), 403, 'permission_denied');

  const list = await marketer.get('/api/v1/dkim-keys?domain=example.org');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((k) => k.selector), ['ed1', 'rsa1']);
  assert.ok(!list.text.includes('PRIVATE KEY'));

  // An imported key shows the record of its public half: check it against openssl's.
  const dir = mkdtempSync(path.join(tmpdir(), 'overture-dkim-'));
  try {
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', path.join(dir, 'k.pem')]);
    const pem = readFileSync(path.join(dir, 'k.pem'), 'utf8');
    const der = execFileSync('openssl', ['pkey', '-in', path.join(dir, 'k.pem'), '-pubout', '-outform', 'DER']);
    const raw = der.subarray(der.length - 32).toString('base64');
    const imported = await admin.post('/api/v1/dkim-keys', { domain: 'example.net', selector: 'imp', privateKey: pem });
    assert.equal(imported.status, 201, imported.text);
    assert.equal(imported.json.publicKey, raw);
    assert.equal(imported.json.dnsRecord, `v=DKIM1; k=ed25519; p=${raw}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const deleted = await admin.del(`/api/v1/dkim-keys/${list.json.items[0].id}`);
  assert.equal(deleted.status, 204);
  assert.equal((await admin.get('/api/v1/dkim-keys/_count?domain=example.org')).json.count, 1);
});

test('bounce webhook and rules: classified like SMTP replies, all or nothing, listed', async () => {
  const classify = await marketer.post('/api/v1/bounce-rules/classify', { reply: '550 5.1.1 <a@b.example>: Recipient address rejected: User unknown' });
  assert.equal(classify.status, 200, classify.text);
  assert.equal(classify.json.outcome, 'hard');
  assert.equal(classify.json.reason, 'user_unknown');
  assert.equal(classify.json.code, 550);
  assert.equal(classify.json.status, '5.1.1');

  const rule = await admin.post('/api/v1/bounce-rules', { name: 'ACME filter', code: 5, statusPrefix: '5.7', textPattern: 'acme filter', outcome: 'ignored', reason: 'content_rejected' });
  assert.equal(rule.status, 201, rule.text);
  const again = await marketer.post('/api/v1/bounce-rules/classify', { reply: '554 5.7.1 Rejected by the ACME filter' });
  assert.equal(again.json.outcome, 'ignored');
  assert.equal(again.json.reason, 'content_rejected');
  const badRule = await admin.post('/api/v1/bounce-rules', { name: 'bad', textPattern: '(', outcome: 'hard', reason: 'x' });
  assert.equal(errorOf(assert, badRule, 400, 'invalid_argument').details.field, 'textPattern');
  const rules = await marketer.get('/api/v1/bounce-rules');
  assert.equal(rules.json.items[0].name, 'ACME filter');
  assert.equal(rules.json.items[0].builtIn, false);
  assert.ok(rules.json.items.some((r) => r.builtIn));

  // A real Message-ID of ours comes from the server's own format (delivery 12, recipient 345):
  // the check digits make an invented one fail, so ask the webhook to refuse one first.
  const invented = await admin.post('/api/v1/bounces', { type: 'bounce', messageId: '<ov.12.345.00000000@example.com>', status: '5.1.1' });
  errorOf(assert, invented, 400, 'invalid_argument');

  const refused = await admin.post('/api/v1/bounces', {
    events: [
      { type: 'bounce', messageId: ourMessageId(12, 345), status: '5.1.1' },
      { type: 'bounce', returnPath: 'nobody@example.com', status: '5.1.1' },
    ],
  });
  const err = errorOf(assert, refused, 400, 'invalid_argument');
  assert.ok(err.details.field.startsWith('events[1]'), err.details.field);
  assert.equal((await marketer.get('/api/v1/bounces/_count')).json.count, 0, 'nothing stored');

  const stored = await admin.post('/api/v1/bounces', {
    events: [
      { type: 'bounce', messageId: ourMessageId(12, 345), recipient: 'Ann@Example.com', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' },
      { type: 'bounce', returnPath: ourVerp(12, 346), status: '4.2.2', diagnostic: 'smtp; 452 4.2.2 mailbox full', action: 'delayed' },
      { type: 'complaint', messageId: ourMessageId(13, 1), feedbackType: 'abuse' },
    ],
  });
  assert.equal(stored.status, 201, stored.text);
  const [hard, soft, complaint] = stored.json.items;
  assert.equal(hard.outcome, 'hard');
  assert.equal(hard.reason, 'user_unknown');
  assert.equal(hard.deliveryId, 12);
  assert.equal(hard.recipientId, 345);
  assert.equal(hard.source, 'webhook');
  assert.equal(soft.outcome, 'soft');
  assert.equal(soft.recipientId, 346);
  assert.equal(complaint.type, 'complaint');
  assert.equal(complaint.deliveryId, 13);
  const byDelivery = await marketer.get('/api/v1/bounces?deliveryId=12');
  assert.equal(byDelivery.status, 200, byDelivery.text);
  assert.deepEqual(byDelivery.json.items.map((e) => e.recipientId), [346, 345]);
  assert.equal((await marketer.get('/api/v1/bounces/_count')).json.count, 3);
  errorOf(assert, await marketer.get('/api/v1/bounces?deliveryId=x'), 400, 'invalid_argument');
  errorOf(assert, await marketer.post('/api/v1/bounces', { type: 'complaint' }), 403, 'permission_denied');
  assert.equal((await admin.del(`/api/v1/bounce-rules/${rule.json.id}`)).status, 204);
});
