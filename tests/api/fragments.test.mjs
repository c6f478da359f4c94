// Content fragments over HTTP: create, read, list with search, count, change and delete; 400
// naming the field (with line and column for a source that does not compile, an unknown include
// or a cycle); 403 for an analyst who writes; and template previews that include a stored
// fragment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, errorOf, userClient } from './lib.mjs';

let server, admin, marketer, analyst;

before(async () => {
  server = await startServer();
  admin = await adminClient(server);
  marketer = await userClient(server, admin, 'mia', 'marketer');
  analyst = await userClient(server, admin, 'ann', 'analyst');
});
after(async () => { await server.stop(); });

test('create, read, list, count, change and delete a fragment', async () => {
  const r = await marketer.post('/api/v1/fragments', {
    name: 'footer', label: 'Footer', description: 'At the bottom of every email',
    source: '<p>Shop Inc. {{ profile.firstName }}</p>',
  });
  assert.equal(r.status, 201, r.text);
  const f = r.json;
  assert.equal(r.headers.get('location'), `/api/v1/fragments/${f.id}`);
  assert.equal(f.name, 'footer');
  assert.equal(f.label, 'Footer');
  assert.equal(f.description, 'At the bottom of every email');
  assert.equal(f.createdBy, 'mia');
  assert.equal(f.modifiedBy, 'mia');
  assert.match(f.createdAt, /^\d{4}-\d\d-\d\dT/);

  const other = await marketer.post('/api/v1/fragments', { name: 'header', source: '<h1>Shop</h1>' });
  assert.equal(other.status, 201, other.text);
  assert.equal(other.json.label, 'header', 'the label defaults to the name');

  const got = await analyst.get(`/api/v1/fragments/${f.id}`);
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.json, f);

  const page = await analyst.get('/api/v1/fragments?limit=1');
  assert.equal(page.status, 200, page.text);
  assert.deepEqual(page.json.items.map((x) => x.name), ['footer']);
  assert.ok(page.json.next);
  const rest = await analyst.get(`/api/v1/fragments?limit=1&cursor=${encodeURIComponent(page.json.next)}`);
  assert.deepEqual(rest.json.items.map((x) => x.name), ['header']);
  assert.equal(rest.json.next, null);
  const found = await analyst.get('/api/v1/fragments?q=HEAD');
  assert.deepEqual(found.json.items.map((x) => x.name), ['header']);
  assert.deepEqual((await analyst.get('/api/v1/fragments/_count')).json, { count: 2 });
  assert.deepEqual((await analyst.get('/api/v1/fragments/_count?q=foot')).json, { count: 1 });

  const changed = await marketer.patch(`/api/v1/fragments/${f.id}`, { label: 'Legal footer', source: '<p>Shop SA</p>' });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.json.label, 'Legal footer');
  assert.equal(changed.json.source, '<p>Shop SA</p>');
  assert.equal(changed.json.name, 'footer');
  errorOf(assert, await marketer.patch(`/api/v1/fragments/${f.id}`, { name: 'renamed' }), 400, 'invalid_argument');

  errorOf(assert, await marketer.post('/api/v1/fragments', { name: 'footer', source: 'x' }), 409, 'already_exists');

  assert.equal((await marketer.del(`/api/v1/fragments/${other.json.id}`)).status, 204);
  errorOf(assert, await analyst.get(`/api/v1/fragments/${other.json.id}`), 404, 'not_found');
  errorOf(assert, await analyst.get('/api/v1/fragments/abc'), 404, 'not_found');
});

test('errors name the field, with line and column for the source', async () => {
  let e = errorOf(assert, await marketer.post('/api/v1/fragments', { name: 'Bad Name', source: 'x' }), 400, 'invalid_argument');
  assert.equal(e.details.field, 'name');
  e = errorOf(assert, await marketer.post('/api/v1/fragments', { name: 'nosource' }), 400, 'invalid_argument');
  assert.equal(e.details.field, 'source');
  e = errorOf(assert, await marketer.post('/api/v1/fragments', { name: 'broken', source: '<p>ok</p>\n{% if x %}' }), 400);
  assert.equal(e.details.field, 'source');
  assert.equal(e.details.line, '2');
  assert.ok(e.details.column);
  e = errorOf(assert, await marketer.post('/api/v1/fragments', { name: 'outer', source: 'a\n  {% include "missing" %}' }), 400);
  assert.equal(e.details.field, 'source');
  assert.equal(e.details.line, '2');
  assert.match(e.message, /"missing"/);
  e = errorOf(assert, await marketer.post('/api/v1/fragments', { name: 'loop', source: '{% include "loop" %}' }), 400);
  assert.equal(e.details.field, 'source');
  assert.match(e.message, /includes itself/);
  e = errorOf(assert, await marketer.post('/api/v1/fragments', { name: 'x', source: 'x', colour: 'red' }), 400);
  assert.equal(e.details.field, 'colour');
});

test('an analyst reads but does not write', async () => {
  errorOf(assert, await analyst.post('/api/v1/fragments', { name: 'nope', source: 'x' }), 403, 'permission_denied');
  const made = await marketer.post('/api/v1/fragments', { name: 'legal', source: '<small>legal</small>' });
  assert.equal(made.status, 201, made.text);
  errorOf(assert, await analyst.patch(`/api/v1/fragments/${made.json.id}`, { label: 'x' }), 403, 'permission_denied');
  errorOf(assert, await analyst.del(`/api/v1/fragments/${made.json.id}`), 403, 'permission_denied');
  assert.equal((await analyst.get(`/api/v1/fragments/${made.json.id}`)).status, 200);
});

test('template previews render the stored fragment', async () => {
  const made = await marketer.post('/api/v1/fragments', {
    name: 'signature', source: '<p>Bye {{ profile.firstName }}</p>',
  });
  assert.equal(made.status, 201, made.text);
  const r = await marketer.post('/api/v1/templates/render', {
    html: '<p>Hi</p>{% include "signature" %}',
    context: { profile: { firstName: 'Ada & Co' } },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.html, '<p>Hi</p><p>Bye Ada &amp; Co</p>');
  const v = await marketer.post('/api/v1/templates/validate', { html: '{% include "signature" %}' });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.valid, true, v.text);
  assert.deepEqual(v.json.fields, ['firstName']);
  const missing = await marketer.post('/api/v1/templates/render', { html: '{% include "nope" %}' });
  const e = errorOf(assert, missing, 400, 'invalid_argument');
  assert.match(e.message, /"nope"/);
});
