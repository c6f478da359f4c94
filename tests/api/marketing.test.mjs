// Profiles, services and subscriptions, test profiles, quarantine: the built-in resources.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, errorOf, BACKEND } from './lib.mjs';

let server, admin;
before(async () => { server = await startServer(); admin = await adminClient(server); });
after(async () => { await server.stop(); });

test('profiles: normalization, derived fields, filters, search and count', async () => {
  const made = [];
  for (const [email, country, first] of [['ANN@Bücher.Example', 'de', 'Ann'], ['bob@example.com', 'FR', 'Bob'],
                                         ['cy@example.com', 'FR', 'Cy']]) {
    const r = await admin.post('/api/v1/profiles', { email, country, firstName: first, birthDate: '1990-02-28',
      blockEmail: first === 'Cy' });
    assert.equal(r.status, 201, r.text);
    made.push(r.json);
  }
  assert.equal(made[0].email, 'ANN@xn--bcher-kva.example');
  assert.equal(made[0].emailDomain, 'xn--bcher-kva.example');
  assert.equal(made[0].country, 'DE');
  assert.equal(made[0].blockEmail, false);
  assert.equal(made[0].birthDate, '1990-02-28');
  const fr = await admin.get('/api/v1/profiles/_count?country=FR');
  assert.equal(fr.json.count, 2);
  const blocked = await admin.get('/api/v1/profiles?blockEmail=true');
  assert.deepEqual(blocked.json.items.map((p) => p.firstName), ['Cy']);
  const q = await admin.get('/api/v1/profiles?q=bob');
  assert.deepEqual(q.json.items.map((p) => p.firstName), ['Bob']);
  const desc = await admin.get('/api/v1/profiles?order=-firstName');
  assert.deepEqual(desc.json.items.map((p) => p.firstName), ['Cy', 'Bob', 'Ann']);

  // A phone number is read in the country the profile is in, even when the country comes later.
  const phone = await admin.patch(`/api/v1/profiles/${made[1].id}`, { mobilePhone: '06 12 34 56 78' });
  assert.equal(phone.json.mobilePhone, '+33612345678');
  assert.equal(phone.json.modifiedBy, 'admin');
  assert.ok(phone.json.modifiedAt >= phone.json.createdAt);

  // externalId is a unique key.
  assert.equal((await admin.patch(`/api/v1/profiles/${made[0].id}`, { externalId: 'crm-1' })).status, 200);
  errorOf(assert, await admin.patch(`/api/v1/profiles/${made[1].id}`, { externalId: 'crm-1' }), 409, 'already_exists');
});

test('services and subscriptions with history and subscriber counts', async () => {
  const svc = await admin.post('/api/v1/services', { name: 'newsletter', label: 'Newsletter', channel: 'email', validityDays: 365 });
  assert.equal(svc.status, 201, svc.text);
  assert.equal(svc.json.subscriberCount, 0);
  errorOf(assert, await admin.post('/api/v1/services', { name: 'newsletter', label: 'Again', channel: 'email' }), 409);
  const e = errorOf(assert, await admin.post('/api/v1/services', { name: 'x', label: 'X', channel: 'fax' }), 400);
  assert.equal(e.details.field, 'channel');

  const p1 = (await admin.post('/api/v1/profiles', { email: 's1@example.com' })).json;
  const p2 = (await admin.post('/api/v1/profiles', { email: 's2@example.com' })).json;
  const base = `/api/v1/services/${svc.json.id}/subscriptions`;
  const s1 = await admin.post(base, { profile: p1.id, origin: 'landing page' });
  assert.equal(s1.status, 201, s1.text);
  assert.equal(s1.json.origin, 'landing page');
  assert.equal(s1.json.profile, p1.id);
  assert.ok(s1.json.expiresAt > s1.json.createdAt, 'validityDays gives an expiry');
  const again = await admin.post(base, { profile: p1.id });
  assert.equal(again.status, 200, 'subscribing twice keeps the first subscription');
  assert.equal(again.json.id, s1.json.id);
  assert.equal((await admin.post(base, { profile: p2.id })).status, 201);
  errorOf(assert, await admin.post(base, { profile: 987654 }), 400);
  errorOf(assert, await admin.post('/api/v1/services/987654/subscriptions', { profile: p1.id }), 404);

  assert.equal((await admin.get(`/api/v1/services/${svc.json.id}`)).json.subscriberCount, 2);
  const list = await admin.get(base);
  assert.deepEqual(list.json.items.map((s) => s.profile).sort(), [p1.id, p2.id].sort());
  const mine = await admin.get(`/api/v1/profiles/${p1.id}/subscriptions`);
  assert.deepEqual(mine.json.items.map((s) => s.service), [svc.json.id]);

  assert.equal((await admin.del(`${base}/${p1.id}`)).status, 204);
  errorOf(assert, await admin.del(`${base}/${p1.id}`), 404);
  assert.equal((await admin.get(`/api/v1/services/${svc.json.id}`)).json.subscriberCount, 1);
});

test('test profiles carry their usages and may borrow a profile', async () => {
  const p = (await admin.post('/api/v1/profiles', { email: 'real@example.com', firstName: 'Real' })).json;
  const t = await admin.post('/api/v1/test-profiles', { label: 'QA inbox', email: 'qa@example.net',
    useForProof: true, useForTrap: true, profile: p.id });
  assert.equal(t.status, 201, t.text);
  assert.equal(t.json.useForProof, true);
  assert.equal(t.json.useForPreview, false);
  assert.equal(t.json.profile, p.id);
  const e = errorOf(assert, await admin.post('/api/v1/test-profiles', { email: 'x@example.net' }), 400);
  assert.equal(e.details.field, 'label');
  const proofs = await admin.get('/api/v1/test-profiles?useForProof=true');
  assert.equal(proofs.json.items.length, 1);
});

test('quarantine: add, list, release', async () => {
  const q = await admin.post('/api/v1/quarantine', { address: 'bounced@example.com', channel: 'email',
    status: 'quarantined', reason: '550 5.1.1 user unknown', errorCount: 1, lastErrorAt: '2026-11-28T10:00:00Z' });
  assert.equal(q.status, 201, q.text);
  errorOf(assert, await admin.post('/api/v1/quarantine', { address: 'bounced@example.com', channel: 'email', status: 'denylisted' }), 409);
  const e = errorOf(assert, await admin.post('/api/v1/quarantine', { address: 'x@example.com', channel: 'email', status: 'sick' }), 400);
  assert.equal(e.details.field, 'status');
  const listed = await admin.get('/api/v1/quarantine?status=quarantined');
  assert.equal(listed.json.items.length, 1);
  const released = await admin.post(`/api/v1/quarantine/${q.json.id}/release`);
  assert.equal(released.status, 200, released.text);
  assert.equal(released.json.status, 'valid');
  assert.equal(released.json.errorCount, 0);
  assert.equal(released.json.reason, '550 5.1.1 user unknown', 'the history of the error stays');
  errorOf(assert, await admin.post('/api/v1/quarantine/987654/release'), 404);
});

test('quarantine addresses are normalized by their channel, so they match profiles', async () => {
  const email = await admin.post('/api/v1/quarantine', { address: ' Mixed@EXAMPLE.com ', channel: 'email', status: 'denylisted' });
  assert.equal(email.status, 201, email.text);
  assert.equal(email.json.address, 'Mixed@example.com');
  const sms = await admin.post('/api/v1/quarantine', { address: '+33 6 12 34 56 78', channel: 'sms', status: 'quarantined' });
  assert.equal(sms.status, 201, sms.text);
  assert.equal(sms.json.address, '+33612345678');
  const bad = errorOf(assert, await admin.post('/api/v1/quarantine', { address: 'not-an-email', channel: 'email', status: 'quarantined' }), 400);
  assert.equal(bad.details.field, 'address');
  // A patch is read with the stored channel.
  const patched = await admin.patch(`/api/v1/quarantine/${sms.json.id}`, { address: '0033 7 00 00 00 01' });
  assert.equal(patched.json.address, '+33700000001');
});

test('?filter= takes an expression of the query language on lists, counts and exports', async () => {
  const mk = (email, country, birthDate, lastName) =>
    admin.post('/api/v1/profiles', { email, country, birthDate, lastName });
  for (const r of [await mk('f1@example.com', 'IT', '1990-02-28', 'Rossi'),
                   await mk('f2@example.org', 'IT', '2001-06-01', "O'Brien; DROP TABLE profiles --"),
                   await mk('f3@example.com', 'ES', '1985-12-31', 'Garcia')]) {
    assert.equal(r.status, 201, r.text);
  }
  const q = (expr) => `filter=${encodeURIComponent(expr)}`;
  const italians = await admin.get(`/api/v1/profiles?${q('country = "IT" and birthDate < "2000-01-01"')}`);
  assert.equal(italians.status, 200, italians.text);
  assert.deepEqual(italians.json.items.map((p) => p.email), ['f1@example.com']);
  const count = await admin.get(`/api/v1/profiles/_count?${q('country in ("IT", "ES") and emailDomain(email) = "example.com"')}`);
  assert.equal(count.json.count, 2);
  // Values are bound, never SQL: the quote, the semicolon and the comment match literally.
  const literal = await admin.get(`/api/v1/profiles?${q(`lastName = "O'Brien; DROP TABLE profiles --"`)}`);
  assert.deepEqual(literal.json.items.map((p) => p.email), ['f2@example.org']);
  assert.ok((await admin.get('/api/v1/profiles/_count')).json.count >= 3, 'the table is still there');
  const csv = await admin.get(`/api/v1/exports/profile?columns=email&${q('country = "ES"')}`);
  assert.equal(csv.text.trim(), 'email\nf3@example.com');

  // Errors say where: line, column and a caret excerpt, on the filter parameter.
  let e = errorOf(assert, await admin.get(`/api/v1/profiles?${q('country = "IT" and\nbirthDate >')}`), 400, 'invalid_argument');
  assert.equal(e.details.field, 'filter');
  assert.equal(e.details.line, '2');
  assert.match(e.details.excerpt, /\^/);
  e = errorOf(assert, await admin.get(`/api/v1/profiles?${q('contry = "IT"')}`), 400);
  assert.match(e.message, /country/, 'a suggestion for the misspelt field');
  e = errorOf(assert, await admin.get(`/api/v1/profiles?${q('country = 3')}`), 400);
  assert.match(e.message, /country/);
  errorOf(assert, await admin.get(`/api/v1/profiles?${q('country = "IT"; DELETE FROM profiles')}`), 400);
});

test('query API: validate, count and preview, from text or from the JSON form', async () => {
  const v = await admin.post('/api/v1/query/validate', { expression: 'country = "it"   OR country = "ES"' });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.valid, true);
  assert.equal(v.json.expression, 'country = "it" or country = "ES"');
  // The JSON form goes back to the same canonical text.
  const back = await admin.post('/api/v1/query/validate', { json: v.json.json });
  assert.equal(back.json.expression, v.json.expression);

  const count = await admin.post('/api/v1/query/count', { resource: 'profile', expression: 'country in ("IT", "ES")' });
  assert.equal(count.status, 200, count.text);
  const viaList = await admin.get(`/api/v1/profiles/_count?filter=${encodeURIComponent('country in ("IT", "ES")')}`);
  assert.equal(count.json.count, viaList.json.count);
  assert.ok(count.json.count >= 3);

  const preview = await admin.post('/api/v1/query/preview',
    { expression: 'country = "ES"', columns: ['email', 'country'], limit: 5 });
  assert.equal(preview.status, 200, preview.text);
  assert.ok(preview.json.items.length >= 1);
  assert.deepEqual(Object.keys(preview.json.items[0]).sort(), ['country', 'email', 'id']);

  let e = errorOf(assert, await admin.post('/api/v1/query/validate', { expression: 'country = ' }), 400, 'invalid_argument');
  assert.equal(e.details.field, 'expression');
  assert.equal(e.details.line, '1');
  e = errorOf(assert, await admin.post('/api/v1/query/validate', { json: { field: 'country', op: '~', value: 'x' } }), 400);
  assert.equal(e.details.field, 'json');
  errorOf(assert, await admin.post('/api/v1/query/validate', { expression: 'x = 1', json: {} }), 400);
  errorOf(assert, await admin.post('/api/v1/query/count', { resource: 'nothing', expression: 'x = 1' }), 404);
  errorOf(assert, await admin.post('/api/v1/query/preview', { expression: 'country = "ES"', columns: ['nope'] }), 400);
  errorOf(assert, await admin.post('/api/v1/query/preview', { expression: 'country = "ES"', limit: 100000 }), 400);
});

test('query API: deep expressions: the JSON form always comes back, and the database limit is a clear 400', async () => {
  // Three nodes per level (or, and, comparison): the densest nesting the grammar allows.
  const dense = (levels) => {
    let text = 'blockAll';
    for (let i = 1; i < levels; ++i) text = `(blockEmail or blockSms and ${text} = true)`;
    return text;
  };
  // Ten levels run on both databases, from the text and from the JSON form the server gave.
  let v = await admin.post('/api/v1/query/validate', { expression: dense(10) });
  assert.equal(v.status, 200, v.text.slice(0, 300));
  const direct = await admin.post('/api/v1/query/count', { expression: dense(10) });
  assert.equal(direct.status, 200, direct.text.slice(0, 300));
  const viaJson = await admin.post('/api/v1/query/count', { json: v.json.json });
  assert.equal(viaJson.status, 200, viaJson.text.slice(0, 300));
  assert.equal(viaJson.json.count, direct.json.count);

  // The deepest text the language accepts: its JSON form is accepted back as a request body
  // (it used to fail the body's nesting limit). SQLite's parser cannot take that SQL: a 400
  // that says what to do, not a 500.
  v = await admin.post('/api/v1/query/validate', { expression: dense(64) });
  assert.equal(v.status, 200, v.text.slice(0, 300));
  const back = await admin.post('/api/v1/query/validate', { json: v.json.json });
  assert.equal(back.status, 200, back.text.slice(0, 300));
  assert.equal(back.json.expression, v.json.expression);
  const deep = await admin.post('/api/v1/query/count', { json: v.json.json });
  if (BACKEND === 'sqlite') {
    const e = errorOf(assert, deep, 400, 'invalid_argument');
    assert.match(e.message, /nested too deeply for SQLite; use fewer nested groups/);
  } else {
    assert.equal(deep.status, 200, deep.text.slice(0, 300));
  }
});
