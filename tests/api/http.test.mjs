// Protocol-level behaviour: errors, limits, health, metrics, the OpenAPI document, the UI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, adminClient, errorOf, Client } from './lib.mjs';

let server, admin;
before(async () => { server = await startServer(); admin = await adminClient(server); });
after(async () => { await server.stop(); });

test('malformed JSON is 400', async () => {
  const r = await admin.request('POST', '/api/v1/users', { raw: '{"username": ', headers: { 'content-type': 'application/json' } });
  const e = errorOf(assert, r, 400, 'invalid_argument');
  assert.match(e.message, /JSON/);
  errorOf(assert, await admin.request('POST', '/api/v1/users', { raw: '[1,2]' }), 400);
  errorOf(assert, await new Client(server.url).request('POST', '/api/v1/auth/login', { raw: 'user=admin' }), 400);
});

test('a 10 MB body to a JSON route is 413', async () => {
  const big = JSON.stringify({ name: 'x'.repeat(10 * 1024 * 1024), scopes: ['read'] });
  let r;
  try {
    r = await admin.request('POST', '/api/v1/api-keys', { raw: big, headers: { 'content-type': 'application/json' } });
  } catch (err) {
    assert.fail(`the server cut the connection instead of answering 413: ${err.cause?.code || err}`);
  }
  errorOf(assert, r, 413, 'payload_too_large');
});

test('unknown routes are 404 and wrong methods 405, as JSON', async () => {
  errorOf(assert, await admin.get('/api/v1/nothing-here'), 404, 'not_found');
  const r = await admin.request('PUT', '/api/v1/users');
  errorOf(assert, r, 405, 'method_not_allowed');
  assert.match(r.headers.get('allow'), /GET/);
  assert.match(r.headers.get('allow'), /POST/);
});

test('every response carries a request id, echoing a sane client one', async () => {
  const r = await admin.get('/healthz', { headers: { 'x-request-id': 'trace-123' } });
  assert.equal(r.headers.get('x-request-id'), 'trace-123');
  const g = await admin.get('/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
  assert.notEqual(g.headers.get('x-request-id'), 'bad id with spaces');
  assert.match(g.headers.get('x-request-id'), /^[A-Za-z0-9_-]{8,}$/);
});

test('healthz, readyz and metrics', async () => {
  const c = new Client(server.url);
  assert.deepEqual((await c.get('/healthz')).json, { status: 'ok' });
  assert.deepEqual((await c.get('/readyz')).json, { status: 'ready' });
  const m = await c.get('/metrics');
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /text\/plain/);
  assert.match(m.text, /overture_http_requests_total\{[^}]*route="\/healthz"[^}]*\} \d+/);
  assert.match(m.text, /overture_http_request_duration_seconds_bucket\{/);
  assert.match(m.text, /overture_db_pool_connections \d+/);
});

test('the OpenAPI document is served', async () => {
  const r = await new Client(server.url).get('/api/v1/openapi.yaml');
  assert.equal(r.status, 200);
  assert.match(r.text, /^openapi: 3\./m);
  assert.match(r.text, /\/api\/v1\/users:/);
});

test('a header block over the limit is refused with 431', async () => {
  const r = await admin.get('/healthz', { headers: { 'x-filler': 'y'.repeat(64 * 1024) } }).catch((e) => e);
  if (r instanceof Error) assert.fail(`connection cut instead of 431: ${r.cause?.code || r}`);
  errorOf(assert, r, 431, 'headers_too_large');
});

test('garbage on the wire gets a 400 and the connection closes', async () => {
  const reply = await new Promise((resolve, reject) => {
    const { hostname, port } = new URL(server.url);
    const s = net.connect(Number(port), hostname, () => s.write('NOT HTTP AT ALL\r\n\r\n'));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', reject);
    s.setTimeout(5000, () => { s.destroy(); reject(new Error('no answer in 5 s')); });
  });
  assert.match(reply, /^HTTP\/1\.1 400/);
});
