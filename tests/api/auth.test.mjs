// Logging in and out, sessions, CSRF, throttling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminClient, errorOf, ADMIN_PASSWORD } from './lib.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

test('wrong password is 401 with the JSON error shape and sets no cookie', async () => {
  const c = new Client(server.url);
  const r = await c.post('/api/v1/auth/login', { username: 'admin', password: 'not-the-password' });
  errorOf(assert, r, 401, 'unauthenticated');
  assert.equal(r.setCookie.length, 0);
  const unknown = await c.post('/api/v1/auth/login', { username: 'nobody', password: 'whatever-password' });
  const e = errorOf(assert, unknown, 401, 'unauthenticated');
  assert.equal(e.message, r.json.error.message, 'unknown user and wrong password look the same');
});

test('login sets an HttpOnly SameSite=Strict session cookie and /auth/me knows the user', async () => {
  const c = new Client(server.url);
  const r = await c.login('admin', ADMIN_PASSWORD);
  assert.equal(r.status, 200);
  assert.equal(r.json.user.username, 'admin');
  assert.equal(r.json.user.role, 'administrator');
  assert.ok(r.json.csrfToken.length >= 32);
  assert.equal(r.setCookie.length, 1);
  assert.match(r.setCookie[0], /^overture_session=[A-Za-z0-9_-]{40,};/);
  assert.match(r.setCookie[0], /HttpOnly/);
  assert.match(r.setCookie[0], /SameSite=Strict/);
  assert.doesNotMatch(r.setCookie[0], /Secure/, 'no Secure flag over plain HTTP in auto mode');
  const me = await c.get('/api/v1/auth/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.user.username, 'admin');
  assert.equal(me.json.csrfToken, c.csrf);
});

test('/auth/me without a session is 401', async () => {
  const r = await new Client(server.url).get('/api/v1/auth/me');
  errorOf(assert, r, 401, 'unauthenticated');
});

test('a state-changing request with a session but no CSRF token is 403', async () => {
  const c = await adminClient(server);
  const body = { username: 'csrf-victim', password: 'long-enough-password', role: 'analyst' };
  const r = await c.post('/api/v1/users', body, { csrf: false });
  const e = errorOf(assert, r, 403, 'permission_denied');
  assert.match(e.message, /CSRF/);
  const wrong = await c.post('/api/v1/users', body, { csrf: false, headers: { 'x-csrf-token': 'forged' } });
  errorOf(assert, wrong, 403, 'permission_denied');
  const list = await c.get('/api/v1/users?q=csrf-victim');
  assert.equal(list.json.items.length, 0, 'nothing was created');
  const ok = await c.post('/api/v1/users', body);
  assert.equal(ok.status, 201);
});

test('logout ends the session on the server, not only in the browser', async () => {
  const c = await adminClient(server);
  const cookie = new Map(c.cookies);
  const out = await c.post('/api/v1/auth/logout');
  assert.equal(out.status, 204);
  assert.match(out.setCookie[0], /Max-Age=0/);
  c.cookies = cookie;  // replay the old cookie
  errorOf(assert, await c.get('/api/v1/auth/me'), 401, 'unauthenticated');
});

test('repeated failures throttle logins for that user, even with the right password', async () => {
  const s = await startServer({ env: { OVERTURE_SECURITY_LOGIN_MAX_FAILURES: '3' } });
  try {
    const c = new Client(s.url);
    for (let i = 0; i < 3; i++) {
      errorOf(assert, await c.post('/api/v1/auth/login', { username: 'admin', password: `wrong-${i}` }), 401);
    }
    const r = await c.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    const e = errorOf(assert, r, 429, 'resource_exhausted');
    assert.ok(Number(e.details.retryAfterSeconds) > 0);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.equal(r.setCookie.length, 0);
  } finally {
    await s.stop();
  }
});

test('a disabled user cannot log in and loses open sessions', async () => {
  const admin = await adminClient(server);
  const created = await admin.post('/api/v1/users',
    { username: 'leaver', password: 'leaver-password-1', role: 'marketer' });
  assert.equal(created.status, 201);
  const leaver = new Client(server.url);
  assert.equal((await leaver.login('leaver', 'leaver-password-1')).status, 200);
  const off = await admin.patch(`/api/v1/users/${created.json.id}`, { disabled: true });
  assert.equal(off.status, 200);
  assert.equal(off.json.disabled, true);
  errorOf(assert, await leaver.get('/api/v1/auth/me'), 401);
  errorOf(assert, await new Client(server.url).login('leaver', 'leaver-password-1'), 401);
});
