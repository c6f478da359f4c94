// Templates: strict validation (fields used, errors with part, line and column) and previews
// rendered from a JSON context, a real profile with a custom 1-N link, a test profile; HTML
// escaping, the analyst role, limits and unknown body fields.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, errorOf, Client } from './lib.mjs';

let server, admin;
before(async () => {
  server = await startServer();
  admin = await adminClient(server);
});
after(async () => { await server.stop(); });

test('validate answers the profile fields the parts read', async () => {
  const r = await admin.post('/api/v1/templates/validate', {
    subject: 'Hi {{ profile.firstName | default: "there" }}',
    html: '<p>{{ profile.email }}</p>{% for p in profile.purchases %}{{ p.name }}{% endfor %}',
    text: '{{ event.orderId }}',
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { valid: true, fields: ['email', 'firstName', 'purchases'], wholeProfile: false });
  const whole = await admin.post('/api/v1/templates/validate', { text: '{{ profile | json }}' });
  assert.equal(whole.status, 200, whole.text);
  assert.equal(whole.json.wholeProfile, true);
});

test('validate reports an unknown variable, an unknown filter and a syntax error with positions', async () => {
  const variable = errorOf(assert, await admin.post('/api/v1/templates/validate',
    { subject: 'ok', text: 'Dear\n  {{ customer.name }}' }), 400, 'invalid_argument');
  assert.equal(variable.details.part, 'text');
  assert.equal(variable.details.line, '2');
  assert.equal(variable.details.column, '6');
  assert.match(variable.message, /^text: line 2, column 6: .*customer/);
  assert.match(variable.details.excerpt, /\^/);

  const filter = errorOf(assert, await admin.post('/api/v1/templates/validate',
    { html: '<p>{{ profile.firstName | shout }}</p>' }), 400, 'invalid_argument');
  assert.equal(filter.details.part, 'html');
  assert.equal(filter.details.line, '1');
  assert.match(filter.message, /shout/);

  const syntax = errorOf(assert, await admin.post('/api/v1/templates/validate',
    { html: '<p>\n{% if profile.vip %}VIP</p>' }), 400, 'invalid_argument');
  assert.equal(syntax.details.part, 'html');
  assert.equal(syntax.details.line, '2');
  assert.ok(Number(syntax.details.column) >= 1);

  // The subject's error comes first.
  const first = errorOf(assert, await admin.post('/api/v1/templates/validate',
    { subject: '{{ nope }}', html: '{{ x | y }}' }), 400);
  assert.equal(first.details.part, 'subject');
});

test('unknown body fields and empty bodies are refused', async () => {
  errorOf(assert, await admin.post('/api/v1/templates/validate', { html: 'x', body: 'y' }), 400, 'invalid_argument');
  errorOf(assert, await admin.post('/api/v1/templates/validate', {}), 400, 'invalid_argument');
  errorOf(assert, await admin.post('/api/v1/templates/render', { html: 'x', profile: 1 }), 400, 'invalid_argument');
  errorOf(assert, await admin.post('/api/v1/templates/render', { html: 'x', context: { customer: {} } }), 400);
  errorOf(assert, await admin.post('/api/v1/templates/render', { html: 'x', profileId: 1, context: {} }), 400);
});

test('render with a JSON context', async () => {
  const r = await admin.post('/api/v1/templates/render', {
    subject: 'Order {{ event.orderId }}',
    text: 'Hi {{ profile.firstName }} ({{ target.segment }}, {{ delivery.label }}) {{ unsubscribe_url }}',
    context: { profile: { firstName: 'Ada' }, event: { orderId: 'A-17' }, target: { segment: 'vip' },
               delivery: { label: 'Spring' } },
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, {
    subject: 'Order A-17',
    html: null,
    text: 'Hi Ada (vip, Spring) https://preview.invalid/unsubscribe',
  });
});

test('render a real profile with a custom 1-N link, escaping HTML', async () => {
  const pub = await admin.post('/api/v1/schema/publish', {
    resources: [{ name: 'purchase', fields: [{ name: 'name', type: 'string', length: 50 }],
                  links: [{ name: 'profile', target: 'profile', reverseName: 'purchases' }] }],
  });
  assert.equal(pub.status, 200, pub.text);
  const p = await admin.post('/api/v1/profiles',
    { email: 'tpl@example.com', firstName: '<script>alert(1)</script>', timeZone: 'Asia/Tokyo' });
  assert.equal(p.status, 201, p.text);
  for (const name of ['Boots', 'Hat']) {
    const made = await admin.post('/api/v1/resources/purchase', { name, profile: p.json.id });
    assert.equal(made.status, 201, made.text);
  }
  const r = await admin.post('/api/v1/templates/render', {
    profileId: p.json.id,
    subject: 'Hi {{ profile.firstName }}',
    html: '<p>{{ profile.firstName }}</p>{% for x in profile.purchases %}[{{ x.name }}]{% endfor %}',
    text: '{{ profile.purchases | map: "name" | join: "," }} {{ "2020-01-01T00:00:00Z" | date: "%H:%M" }}',
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.subject, 'Hi <script>alert(1)</script>', 'text parts are not escaped');
  assert.equal(r.json.html, '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>[Boots][Hat]');
  assert.equal(r.json.text, 'Boots,Hat 09:00', "the profile's time zone");

  errorOf(assert, await admin.post('/api/v1/templates/render', { html: 'x', profileId: 987654 }), 404, 'not_found');

  const t = await admin.post('/api/v1/test-profiles', { label: 'Seed', firstName: 'Seedy' });
  assert.equal(t.status, 201, t.text);
  const seeded = await admin.post('/api/v1/templates/render',
    { text: 'Hi {{ profile.firstName }}', testProfileId: t.json.id });
  assert.equal(seeded.status, 200, seeded.text);
  assert.equal(seeded.json.text, 'Hi Seedy');
});

test('an analyst can validate and render', async () => {
  const made = await admin.post('/api/v1/users', { username: 'tpl-analyst', password: 'long-enough-password', role: 'analyst' });
  assert.equal(made.status, 201, made.text);
  const analyst = new Client(server.url);
  assert.equal((await analyst.login('tpl-analyst', 'long-enough-password')).status, 200);
  assert.equal((await analyst.post('/api/v1/templates/validate', { text: '{{ profile.email }}' })).status, 200);
  const r = await analyst.post('/api/v1/templates/render', { text: '{{ event.x }}', context: { event: { x: 1 } } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.text, '1');
  errorOf(assert, await new Client(server.url).post('/api/v1/templates/render', { text: 'x' }), 401);
});

test('a runaway template stops at a limit, named in the error', async () => {
  const e = errorOf(assert, await admin.post('/api/v1/templates/render',
    { html: '{% for i in (1..1000000) %}{{ i }}{% endfor %}' }), 400, 'invalid_argument');
  assert.equal(e.details.part, 'html');
  assert.equal(e.details.limit, 'maxIterations');
  assert.match(e.message, /100000/);
});
