// Users and roles: who may manage users, validation, pagination, the last-administrator guard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminClient, errorOf } from './lib.mjs';

let server, admin;
before(async () => { server = await startServer(); admin = await adminClient(server); });
after(async () => { await server.stop(); });

async function makeUser(username, role) {
  const password = `${username}-password`;
  const r = await admin.post('/api/v1/users', { username, password, role, displayName: `The ${role}` });
  assert.equal(r.status, 201, r.text);
  const c = new Client(server.url);
  assert.equal((await c.login(username, password)).status, 200);
  return { id: r.json.id, client: c };
}

test('an administrator creates a user and reads it back', async () => {
  const r = await admin.post('/api/v1/users',
    { username: 'Alice.Martin', password: 'correct-horse-battery', role: 'marketer', displayName: 'Alice' });
  assert.equal(r.status, 201);
  assert.equal(r.json.username, 'alice.martin', 'usernames are stored in lower case');
  assert.equal(r.json.role, 'marketer');
  assert.equal(r.json.disabled, false);
  assert.equal(r.headers.get('location'), `/api/v1/users/${r.json.id}`);
  assert.ok(!('password' in r.json) && !('passwordHash' in r.json));
  const got = await admin.get(`/api/v1/users/${r.json.id}`);
  assert.deepEqual(got.json, r.json);
});

test('an analyst creating a user is refused with 403', async () => {
  const { client } = await makeUser('ana', 'analyst');
  const r = await client.post('/api/v1/users', { username: 'sneaky', password: 'sneaky-password-1', role: 'administrator' });
  const e = errorOf(assert, r, 403, 'permission_denied');
  assert.match(e.message, /analyst/);
  errorOf(assert, await client.get('/api/v1/users'), 403, 'permission_denied');
});

test('a marketer may read itself but not the user list', async () => {
  const { id, client } = await makeUser('mark', 'marketer');
  assert.equal((await client.get(`/api/v1/users/${id}`)).status, 200);
  errorOf(assert, await client.get('/api/v1/users'), 403);
  errorOf(assert, await client.get('/api/v1/audit'), 403);
});

test('bad input is a 400 that names the field', async () => {
  const cases = [
    [{ username: 'x', password: 'short', role: 'marketer' }, 'password'],
    [{ username: 'has space', password: 'long-enough-password', role: 'marketer' }, 'username'],
    [{ username: 'bob', password: 'long-enough-password', role: 'wizard' }, 'role'],
    [{ username: 'bob', password: 'long-enough-password', role: 'marketer', colour: 'red' }, 'colour'],
    [{ username: 42, password: 'long-enough-password', role: 'marketer' }, 'username'],
    [{ password: 'long-enough-password', role: 'marketer' }, 'username'],
  ];
  for (const [body, field] of cases) {
    const e = errorOf(assert, await admin.post('/api/v1/users', body), 400, 'invalid_argument');
    assert.equal(e.details.field, field, JSON.stringify(body));
  }
  const e = errorOf(assert, await admin.patch('/api/v1/users/1', { disabled: 'yes' }), 400);
  assert.equal(e.details.field, 'disabled');
});

test('a taken username is 409', async () => {
  await makeUser('dupe', 'analyst');
  const r = await admin.post('/api/v1/users', { username: 'DUPE', password: 'long-enough-password', role: 'analyst' });
  errorOf(assert, r, 409, 'already_exists');
});

test('unknown user ids are 404', async () => {
  errorOf(assert, await admin.get('/api/v1/users/999999'), 404, 'not_found');
  errorOf(assert, await admin.get('/api/v1/users/abc'), 404, 'not_found');
});

test('lists page with limit and cursor, and search with q', async () => {
  for (let i = 0; i < 5; i++) await admin.post('/api/v1/users', { username: `page${i}`, password: 'long-enough-password', role: 'analyst' });
  const seen = [];
  let cursor = '';
  for (let guard = 0; guard < 20; guard++) {
    const r = await admin.get(`/api/v1/users?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.items.length <= 2);
    seen.push(...r.json.items.map((u) => u.username));
    if (r.json.next === null) break;
    cursor = r.json.next;
  }
  for (let i = 0; i < 5; i++) assert.ok(seen.includes(`page${i}`));
  assert.equal(new Set(seen).size, seen.length, 'no user appears twice');
  const q = await admin.get('/api/v1/users?q=PAGE3');
  assert.deepEqual(q.json.items.map((u) => u.username), ['page3']);
  const pct = await admin.get('/api/v1/users?q=%25');
  assert.equal(pct.json.items.length, 0, '% is matched literally');
  errorOf(assert, await admin.get('/api/v1/users?limit=0'), 400);
  errorOf(assert, await admin.get('/api/v1/users?limit=ten'), 400);
  errorOf(assert, await admin.get('/api/v1/users?cursor=forged'), 400);
});

test('role changes are audited and the last administrator cannot be demoted', async () => {
  const { id } = await makeUser('promo', 'marketer');
  const up = await admin.patch(`/api/v1/users/${id}`, { role: 'supervisor' });
  assert.equal(up.status, 200);
  assert.equal(up.json.role, 'supervisor');
  const audit = await admin.get('/api/v1/audit?limit=5');
  const entry = audit.json.items.find((e) => e.action === 'user.update' && e.targetId === String(id));
  assert.ok(entry, JSON.stringify(audit.json.items));
  assert.equal(entry.actorName, 'admin');
  assert.equal(entry.details.role, 'marketer -> supervisor');

  const me = await admin.get('/api/v1/auth/me');
  const demote = await admin.patch(`/api/v1/users/${me.json.user.id}`, { role: 'analyst' });
  errorOf(assert, demote, 409, 'failed_precondition');
  errorOf(assert, await admin.patch(`/api/v1/users/${me.json.user.id}`, { disabled: true }), 409);
});
