// Deliveries over HTTP: CRUD with the JSON shapes checked field by field, the lifecycle actions
// and who may take them (a marketer prepares, a supervisor confirms), optimistic versions, the
// proof, preview, sending-log and profile-history endpoints, and typologies. The end-to-end send
// (preparation by the worker, proofs and sending into a real SMTP sink) is tested further down
// by the sending suite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, errorOf, userClient } from './lib.mjs';

let server, admin, marketer, supervisor, analyst, ids;

before(async () => {
  server = await startServer();
  admin = await adminClient(server);
  marketer = await userClient(server, admin, 'mia', 'marketer');
  supervisor = await userClient(server, admin, 'sam', 'supervisor');
  analyst = await userClient(server, admin, 'ann', 'analyst');
  ids = {};
  for (const [key, email, country] of [['fr', 'fr@example.com', 'FR'], ['de', 'de@example.com', 'DE']]) {
    const r = await admin.post('/api/v1/profiles', { email, country, firstName: key });
    assert.equal(r.status, 201, r.text);
    ids[key] = r.json.id;
  }
  const tp = await admin.post('/api/v1/test-profiles', { label: 'QA', email: 'qa@example.com' });
  assert.equal(tp.status, 201, tp.text);
  ids.tester = tp.json.id;
  const silent = await admin.post('/api/v1/test-profiles', { label: 'No address' });
  assert.equal(silent.status, 201, silent.text);
  ids.silent = silent.json.id;
});
after(async () => { await server.stop(); });

const content = {
  from: { name: 'Shop', address: 'news@Shop.Example' },
  subject: 'Hello {{ profile.firstName }}',
  html: '<p>Hi {{ profile.firstName }}</p>',
  text: 'Hi {{ profile.firstName }}',
};

async function create(body, client = marketer) {
  const r = await client.post('/api/v1/deliveries', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('create, read, list, count, change and delete a delivery', async () => {
  const r = await marketer.post('/api/v1/deliveries', {
    label: 'Spring newsletter', content, audience: { kind: 'query', expression: 'country="FR"' },
  });
  assert.equal(r.status, 201, r.text);
  const d = r.json;
  assert.equal(r.headers.get('location'), `/api/v1/deliveries/${d.id}`);
  assert.equal(d.state, 'draft');
  assert.equal(d.channel, 'email');
  assert.equal(d.isTemplate, false);
  assert.deepEqual(d.allowedActions, ['edit', 'prepare', 'delete', 'proof']);
  assert.equal(d.routeId, null);
  assert.equal(d.typologyId, null);
  assert.equal(d.content.from.address, 'news@shop.example', 'the domain is normalized');
  assert.equal(d.content.replyTo, null);
  assert.equal(d.content.editor, 'html');
  assert.equal(d.audience.expression, 'country = "FR"', 'stored in canonical form');
  assert.deepEqual(d.settings, { testProfileIds: [], schedule: { kind: 'now' }, validityHours: 72,
                                 throughputPerHour: 0, retryDelaySeconds: 600,
                                 tracking: { opens: true, clicks: true } });
  assert.equal(d.preparation, null);
  assert.deepEqual(d.progress, { done: 0, total: 0 });
  assert.deepEqual(d.counters, { toSend: 0, pending: 0, retrying: 0, sent: 0, failed: 0, ignored: 0,
                                 perSecond: 0, etaSeconds: null });
  for (const k of ['startAt', 'validUntil', 'confirmedAt', 'confirmedBy', 'startedAt', 'finishedAt']) {
    assert.equal(d[k], null, k);
  }
  assert.equal(d.proofCount, 0);
  assert.equal(d.createdBy, 'mia');
  assert.match(d.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const got = await analyst.get(`/api/v1/deliveries/${d.id}`);
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.json, d);

  const t = await create({ label: 'Welcome template', isTemplate: true, content });
  assert.deepEqual(t.allowedActions, ['edit', 'delete', 'proof'], 'a template is never prepared');
  const copy = await create({ label: 'From the template', fromDelivery: t.id,
                              audience: { kind: 'list', profileIds: [ids.fr, ids.de] } });
  assert.equal(copy.isTemplate, false);
  assert.deepEqual(copy.content, t.content);

  const list = await analyst.get('/api/v1/deliveries?limit=2');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((x) => x.id), [copy.id, t.id], 'newest first');
  assert.ok(list.json.next);
  const rest = await analyst.get(`/api/v1/deliveries?limit=2&cursor=${encodeURIComponent(list.json.next)}`);
  assert.deepEqual(rest.json.items.map((x) => x.id), [d.id]);
  assert.equal(rest.json.next, null);
  const templates = await analyst.get('/api/v1/deliveries?template=true');
  assert.deepEqual(templates.json.items.map((x) => x.id), [t.id]);
  const search = await analyst.get('/api/v1/deliveries/_count?q=NEWSLETTER&template=false');
  assert.deepEqual(search.json, { count: 1 });
  const drafts = await analyst.get('/api/v1/deliveries/_count?state=draft,ready');
  assert.deepEqual(drafts.json, { count: 3 });
  const none = await analyst.get('/api/v1/deliveries/_count?state=sending');
  assert.deepEqual(none.json, { count: 0 });
  const later = await analyst.get('/api/v1/deliveries/_count?createdAfter=2999-01-01T00:00:00Z');
  assert.deepEqual(later.json, { count: 0 });
  const earlier = await analyst.get('/api/v1/deliveries/_count?createdBefore=2999-01-01');
  assert.deepEqual(earlier.json, { count: 3 });
  errorOf(assert, await analyst.get('/api/v1/deliveries?state=confirmed'), 400, 'invalid_argument');
  errorOf(assert, await analyst.get('/api/v1/deliveries?createdAfter=yesterday'), 400, 'invalid_argument');

  const patched = await marketer.patch(`/api/v1/deliveries/${d.id}`, {
    label: 'Spring newsletter (final)', version: d.version,
    settings: { testProfileIds: [ids.tester], validityHours: 24 },
  });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.label, 'Spring newsletter (final)');
  assert.deepEqual(patched.json.settings.testProfileIds, [ids.tester]);
  assert.ok(patched.json.version > d.version);
  // Tracking can be turned off per delivery; a wrong value names its field.
  const untracked = await marketer.patch(`/api/v1/deliveries/${d.id}`, {
    version: patched.json.version, settings: { ...patched.json.settings, tracking: { opens: false } },
  });
  assert.equal(untracked.status, 200, untracked.text);
  assert.deepEqual(untracked.json.settings.tracking, { opens: false, clicks: true });
  const badTracking = await marketer.patch(`/api/v1/deliveries/${d.id}`, {
    version: untracked.json.version, settings: { tracking: { opens: 'yes' } },
  });
  assert.equal(errorOf(assert, badTracking, 400, 'invalid_argument').details.field, 'settings.tracking.opens');
  const stale = await marketer.patch(`/api/v1/deliveries/${d.id}`, { label: 'Lost update', version: d.version });
  assert.equal(errorOf(assert, stale, 409, 'failed_precondition').details.field, 'version');

  errorOf(assert, await analyst.patch(`/api/v1/deliveries/${d.id}`, { label: 'x' }), 403, 'permission_denied');
  errorOf(assert, await analyst.del(`/api/v1/deliveries/${copy.id}`), 403, 'permission_denied');
  const del = await marketer.del(`/api/v1/deliveries/${copy.id}`);
  assert.equal(del.status, 204, del.text);
  errorOf(assert, await analyst.get(`/api/v1/deliveries/${copy.id}`), 404, 'not_found');
  errorOf(assert, await analyst.get('/api/v1/deliveries/abc'), 404, 'not_found');

  const audit = await admin.get('/api/v1/audit?limit=50');
  const actions = audit.json.items.filter((e) => e.targetType === 'delivery').map((e) => e.action);
  for (const a of ['delivery.create', 'delivery.update', 'delivery.delete']) assert.ok(actions.includes(a), a);
});

test('bad fields get 400 naming the field', async () => {
  const cases = [
    [{ content }, 'label'],
    [{ label: 'x', colour: 'red' }, 'colour'],
    [{ label: 'x', content: { ...content, foo: 1 } }, 'content.foo'],
    [{ label: 'x', content: { ...content, from: { address: 'not an address' } } }, 'content.from.address'],
    [{ label: 'x', content: { ...content, textMode: 'sometimes' } }, 'content.textMode'],
    [{ label: 'x', content: 'hello' }, 'content'],
    [{ label: 'x', audience: { kind: 'query', expression: 'nosuch = 1' } }, 'audience.expression'],
    [{ label: 'x', audience: { kind: 'audience', audienceId: 999 } }, 'audience.audienceId'],
    [{ label: 'x', audience: { kind: 'list', profileIds: [] } }, 'audience.profileIds'],
    [{ label: 'x', audience: { kind: 'everyone' } }, 'audience.kind'],
    [{ label: 'x', settings: { validityHours: 0 } }, 'settings.validityHours'],
    [{ label: 'x', settings: { retryDelaySeconds: 99999 } }, 'settings.retryDelaySeconds'],
    [{ label: 'x', settings: { testProfileIds: [999] } }, 'settings.testProfileIds'],
    [{ label: 'x', settings: { schedule: { kind: 'at', at: 'soon' } } }, 'settings.schedule.at'],
    [{ label: 'x', settings: { schedule: { kind: 'local', date: '2027-02-30', time: '09:00' } } }, 'settings.schedule.date'],
    [{ label: 'x', settings: { schedule: { kind: 'local', date: '2027-02-03', time: '25:00' } } }, 'settings.schedule.time'],
    [{ label: 'x', routeId: 'one' }, 'routeId'],
  ];
  for (const [body, field] of cases) {
    const r = await marketer.post('/api/v1/deliveries', body);
    const e = errorOf(assert, r, 400, 'invalid_argument');
    assert.equal(e.details.field, field, `${JSON.stringify(body)}: ${r.text}`);
  }
  const route = await marketer.post('/api/v1/deliveries', { label: 'x', routeId: 999 });
  assert.equal(errorOf(assert, route, 404, 'not_found').details.field, 'routeId');
  const typology = await marketer.post('/api/v1/deliveries', { label: 'x', typologyId: 999 });
  assert.equal(errorOf(assert, typology, 404, 'not_found').details.field, 'typologyId');
  const from = await marketer.post('/api/v1/deliveries', { label: 'x', fromDelivery: 999 });
  errorOf(assert, from, 404, 'not_found');
  errorOf(assert, await analyst.post('/api/v1/deliveries', { label: 'x' }), 403, 'permission_denied');
});

test('actions: who may take them and in which state', async () => {
  const d = await create({ label: 'Lifecycle', content, audience: { kind: 'query', expression: 'country = "FR"' } });
  // Confirming needs the supervisor role, whatever the state.
  errorOf(assert, await marketer.post(`/api/v1/deliveries/${d.id}/confirm`), 403, 'permission_denied');
  errorOf(assert, await marketer.post(`/api/v1/deliveries/${d.id}/resume`), 403, 'permission_denied');
  errorOf(assert, await analyst.post(`/api/v1/deliveries/${d.id}/prepare`), 403, 'permission_denied');
  // A draft cannot be confirmed, paused, resumed or stopped.
  for (const [client, action] of [[supervisor, 'confirm'], [marketer, 'pause'], [supervisor, 'resume'], [marketer, 'stop']]) {
    const e = errorOf(assert, await client.post(`/api/v1/deliveries/${d.id}/${action}`), 409, 'failed_precondition');
    assert.equal(e.details.state, 'draft', action);
  }
  const prepared = await marketer.post(`/api/v1/deliveries/${d.id}/prepare`);
  assert.equal(prepared.status, 200, prepared.text);
  assert.equal(prepared.json.state, 'preparing');
  assert.deepEqual(prepared.json.allowedActions, []);
  assert.equal(prepared.json.preparation, null);

  const t = await create({ label: 'A template', isTemplate: true, content });
  errorOf(assert, await marketer.post(`/api/v1/deliveries/${t.id}/prepare`), 409, 'failed_precondition');
  errorOf(assert, await supervisor.post('/api/v1/deliveries/999/confirm'), 404, 'not_found');

  const audit = await admin.get('/api/v1/audit?limit=50');
  assert.ok(audit.json.items.some((e) => e.action === 'delivery.prepare' && e.targetId === String(d.id)));
});

test('proofs, preview, logs and the profile history', async () => {
  const d = await create({ label: 'Proofed', content, audience: { kind: 'list', profileIds: [ids.fr] } });
  const none = await marketer.post(`/api/v1/deliveries/${d.id}/proof`);
  assert.equal(errorOf(assert, none, 400, 'invalid_argument').details.field, 'testProfileIds');
  const silent = await marketer.post(`/api/v1/deliveries/${d.id}/proof`, { testProfileIds: [ids.silent] });
  assert.equal(errorOf(assert, silent, 400, 'invalid_argument').details.field, 'testProfileIds');
  const unknown = await marketer.post(`/api/v1/deliveries/${d.id}/proof`, { testProfileIds: [999] });
  assert.equal(errorOf(assert, unknown, 400, 'invalid_argument').details.field, 'testProfileIds');
  errorOf(assert, await marketer.post(`/api/v1/deliveries/${d.id}/proof`, { testProfileIds: 'all' }), 400, 'invalid_argument');
  errorOf(assert, await analyst.post(`/api/v1/deliveries/${d.id}/proof`, { testProfileIds: [ids.tester] }), 403, 'permission_denied');

  const proofs = await analyst.get(`/api/v1/deliveries/${d.id}/proofs`);
  assert.equal(proofs.status, 200, proofs.text);
  assert.ok(Array.isArray(proofs.json.items));

  const preview = await analyst.post(`/api/v1/deliveries/${d.id}/preview`, { profileId: ids.fr });
  assert.equal(preview.status, 200, preview.text);
  assert.deepEqual(preview.json, { subject: 'Hello fr', html: '<p>Hi fr</p>', text: 'Hi fr' });
  const forTester = await analyst.post(`/api/v1/deliveries/${d.id}/preview`, { testProfileId: ids.tester });
  assert.equal(forTester.status, 200, forTester.text);
  errorOf(assert, await analyst.post(`/api/v1/deliveries/${d.id}/preview`, {}), 400, 'invalid_argument');
  errorOf(assert, await analyst.post(`/api/v1/deliveries/${d.id}/preview`, { profileId: 999 }), 404, 'not_found');
  const broken = await create({ label: 'Broken', content: { ...content, html: '<p>{{ profile.firstName </p>' } });
  const bad = await analyst.post(`/api/v1/deliveries/${broken.id}/preview`, { profileId: ids.fr });
  const e = errorOf(assert, bad, 400, 'invalid_argument');
  assert.equal(e.details.part, 'html');

  const logs = await analyst.get(`/api/v1/deliveries/${d.id}/logs?status=sent&limit=10`);
  assert.equal(logs.status, 200, logs.text);
  assert.deepEqual(logs.json, { items: [], next: null });
  errorOf(assert, await analyst.get('/api/v1/deliveries/999/logs'), 404, 'not_found');

  const history = await analyst.get(`/api/v1/profiles/${ids.fr}/deliveries`);
  assert.equal(history.status, 200, history.text);
  assert.ok(Array.isArray(history.json.items));
  errorOf(assert, await analyst.get('/api/v1/profiles/999999/deliveries'), 404, 'not_found');
});

test('typologies: read by all, changed by administrators, checked field by field', async () => {
  const list = await marketer.get('/api/v1/typologies');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.items[0].name, 'default');
  assert.deepEqual(list.json.items[0].rules, { fatigue: [], filters: [], requireProof: false, requireDkim: false });
  const defaultId = list.json.items[0].id;

  const rules = {
    filters: [{ name: 'no-test', expression: 'email like "%@test.invalid"' }],
    fatigue: [{ name: 'one-a-day', max: 1, windowHours: 24, channel: 'any' }],
    requireProof: true,
  };
  errorOf(assert, await marketer.post('/api/v1/typologies', { name: 'strict', rules }), 403, 'permission_denied');
  const r = await admin.post('/api/v1/typologies', { name: 'strict', label: 'Strict', rules });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/api/v1/typologies/${r.json.id}`);
  assert.deepEqual(r.json.rules, {
    filters: [{ name: 'no-test', label: 'no-test', expression: 'email like "%@test.invalid"' }],
    fatigue: [{ name: 'one-a-day', label: 'one-a-day', max: 1, windowHours: 24, channel: 'any' }],
    requireProof: true, requireDkim: false,
  });
  errorOf(assert, await admin.post('/api/v1/typologies', { name: 'strict' }), 409, 'already_exists');
  const cases = [
    [{ name: 'Bad Name' }, 'name'],
    [{ name: 'x', rules: { filterz: [] } }, 'rules.filterz'],
    [{ name: 'x', rules: { filters: [{ name: 'f', expression: 'nosuch = 1' }] } }, 'rules.filters[0].expression'],
    [{ name: 'x', rules: { fatigue: [{ name: 'f', max: 0, windowHours: 1 }] } }, 'rules.fatigue[0].max'],
    [{ name: 'x', rules: { fatigue: [{ name: 'f', max: 1, windowHours: 1, channel: 'fax' }] } }, 'rules.fatigue[0].channel'],
    [{ name: 'x', rules: { requireDkim: 'yes' } }, 'rules.requireDkim'],
    [{ name: 'x', rules: [] }, 'rules'],
  ];
  for (const [body, field] of cases) {
    const bad = await admin.post('/api/v1/typologies', body);
    assert.equal(errorOf(assert, bad, 400, 'invalid_argument').details.field, field, JSON.stringify(body));
  }

  const got = await analyst.get(`/api/v1/typologies/${r.json.id}`);
  assert.deepEqual(got.json, r.json);
  const patched = await admin.patch(`/api/v1/typologies/${r.json.id}`, { label: 'Stricter', rules: { requireDkim: true } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.label, 'Stricter');
  assert.deepEqual(patched.json.rules, { filters: [], fatigue: [], requireProof: false, requireDkim: true });

  const d = await create({ label: 'Typed', typologyId: r.json.id });
  assert.equal(d.typologyId, r.json.id);

  errorOf(assert, await admin.del(`/api/v1/typologies/${defaultId}`), 409, 'failed_precondition');
  errorOf(assert, await marketer.del(`/api/v1/typologies/${r.json.id}`), 403, 'permission_denied');
  assert.equal((await admin.del(`/api/v1/typologies/${r.json.id}`)).status, 204);
  errorOf(assert, await analyst.get(`/api/v1/typologies/${r.json.id}`), 404, 'not_found');
  const after = await marketer.get(`/api/v1/deliveries/${d.id}`);
  assert.equal(after.json.typologyId, null, 'falls back to the default typology');
});
