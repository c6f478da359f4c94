// API keys: shown once, stored hashed, scopes enforced, revocation immediate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminClient, errorOf } from './lib.mjs';

let server, admin;
before(async () => { server = await startServer(); admin = await adminClient(server); });
after(async () => { await server.stop(); });

async function makeKey(client, scopes) {
  const r = await client.post('/api/v1/api-keys', { name: `key ${scopes.join('+')}`, scopes });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.secret, /^ovk_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{40,}$/);
  const bearer = new Client(server.url);
  bearer.bearer = r.json.secret;
  return { key: r.json, client: bearer };
}

test('the secret is shown once and never listed', async () => {
  const { key } = await makeKey(admin, ['read']);
  assert.ok(key.secret.startsWith(key.prefix + '_'));
  const list = await admin.get('/api/v1/api-keys');
  assert.equal(list.status, 200);
  const listed = list.json.items.find((k) => k.id === key.id);
  assert.ok(listed);
  assert.equal(listed.secret, undefined);
  assert.ok(!list.text.includes(key.secret.slice(13)), 'no part of the secret beyond the prefix leaks');
  assert.deepEqual(listed.scopes, ['read']);
});

test('a read-scoped key can read but cannot write', async () => {
  const { client } = await makeKey(admin, ['read']);
  const read = await client.get('/api/v1/users');
  assert.equal(read.status, 200);
  const write = await client.post('/api/v1/users', { username: 'via-key', password: 'long-enough-password', role: 'analyst' });
  const e = errorOf(assert, write, 403, 'permission_denied');
  assert.match(e.message, /write/);
  const check = await admin.get('/api/v1/users?q=via-key');
  assert.equal(check.json.items.length, 0);
  // A read key cannot mint itself a write key either.
  errorOf(assert, await client.post('/api/v1/api-keys', { name: 'escalate', scopes: ['write'] }), 403);
});

test('a write-scoped key writes without a CSRF token (no cookie involved)', async () => {
  const { client } = await makeKey(admin, ['read', 'write']);
  const r = await client.post('/api/v1/users', { username: 'made-by-key', password: 'long-enough-password', role: 'analyst' });
  assert.equal(r.status, 201, r.text);
  const audit = await admin.get('/api/v1/audit?limit=3');
  const entry = audit.json.items.find((e) => e.action === 'user.create' && e.details.username === 'made-by-key');
  assert.ok(entry.details.apiKeyId, 'the audit trail records which key acted');
});

test('a key acts with its owner role: a marketer key cannot manage users', async () => {
  const made = await admin.post('/api/v1/users', { username: 'keyed-marketer', password: 'long-enough-password', role: 'marketer' });
  assert.equal(made.status, 201);
  const m = new Client(server.url);
  await m.login('keyed-marketer', 'long-enough-password');
  const { client } = await makeKey(m, ['read', 'write']);
  errorOf(assert, await client.get('/api/v1/users'), 403);
  const mine = await m.get('/api/v1/api-keys');
  assert.ok(mine.json.items.every((k) => k.username === 'keyed-marketer'), 'a marketer sees only own keys');
});

test('revoked, malformed and unknown keys are 401', async () => {
  const { key, client } = await makeKey(admin, ['read']);
  assert.equal((await client.get('/api/v1/auth/me')).status, 200);
  assert.equal((await admin.del(`/api/v1/api-keys/${key.id}`)).status, 204);
  errorOf(assert, await client.get('/api/v1/users'), 401, 'unauthenticated');
  const listed = (await admin.get('/api/v1/api-keys')).json.items.find((k) => k.id === key.id);
  assert.ok(listed.revokedAt);
  for (const bad of ['nonsense', 'ovk_short', key.secret.slice(0, -1) + 'x']) {
    const c = new Client(server.url);
    c.bearer = bad;
    errorOf(assert, await c.get('/api/v1/users'), 401, 'unauthenticated');
  }
});

test('key creation validates its input', async () => {
  let e = errorOf(assert, await admin.post('/api/v1/api-keys', { name: '', scopes: ['read'] }), 400);
  assert.equal(e.details.field, 'name');
  e = errorOf(assert, await admin.post('/api/v1/api-keys', { name: 'x', scopes: ['admin'] }), 400);
  assert.equal(e.details.field, 'scopes');
  e = errorOf(assert, await admin.post('/api/v1/api-keys', { name: 'x', scopes: [] }), 400);
  assert.equal(e.details.field, 'scopes');
  errorOf(assert, await admin.del('/api/v1/api-keys/987654'), 404);
});
