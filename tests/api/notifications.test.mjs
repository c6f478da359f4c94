// In-app notifications (docs/workflows.md, "Alert"): a workflow Start -> Alert -> End run
// through the API notifies the alert's recipients; each user sees only their own, marks them
// read (one or all) and the unread count drops; an API key sees its user's; 401 without login.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminClient, userClient, errorOf, waitFor } from './lib.mjs';

const FAST = { OVERTURE_WORKFLOW_TICK_MILLISECONDS: '50' };

const A = (id, type, params = {}) => ({ id, type, label: id, x: 0, y: 0, params });
const T = (id, from, to) => ({ id, from, fromPort: 'out', to, toPort: 'in' });

let server, admin, marketer;

before(async () => {
  server = await startServer({ env: FAST });
  admin = await adminClient(server);
  marketer = await userClient(server, admin, 'nt-marketer', 'marketer');
});
after(async () => {
  if (process.env.OVERTURE_TEST_LOGS) console.log(server?.logs());
  await server?.stop();
});

// Runs a Start -> Alert -> End workflow to its end; gives the workflow.
async function runAlert(client, label, params) {
  const graph = {
    activities: [A('start', 'start'), A('alert', 'alert', params), A('end', 'end')],
    transitions: [T('t1', 'start', 'alert'), T('t2', 'alert', 'end')],
  };
  const made = await client.post('/api/v1/workflows', { label, graph });
  assert.equal(made.status, 201, made.text);
  assert.deepEqual(made.json.problems, []);
  const run = await client.post(`/api/v1/workflows/${made.json.id}/start`, { variables: { campaign: 'winter' } });
  assert.equal(run.status, 201, run.text);
  await waitFor('the alert run finished', async () => {
    const r = await client.get(`/api/v1/workflows/${made.json.id}/runs/${run.json.id}`);
    assert.equal(r.status, 200, r.text);
    if (r.json.status === 'failed') throw new Error(`run failed: ${r.json.error}`);
    return r.json.status === 'finished' ? r.json : null;
  }, 30000, 50);
  return made.json;
}

test('an alert notifies its recipients; each sees only their own and marks them read', async () => {
  const wf = await runAlert(marketer, 'Nightly import', {
    message: 'Import done for {{variables.campaign}}', level: 'warning', recipients: ['admin', 'nt-marketer'],
  });

  for (const client of [admin, marketer]) {
    const r = await client.get('/api/v1/notifications?unread=true&limit=10');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.unread, 1);
    assert.equal(r.json.next, null);
    assert.equal(r.json.items.length, 1);
    const n = r.json.items[0];
    assert.equal(n.level, 'warning');
    assert.equal(n.title, 'Workflow alert: Nightly import');
    assert.equal(n.message, 'Import done for winter');
    assert.equal(n.link, `/workflows/${wf.id}`);
    assert.match(n.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    assert.equal(n.readAt, null);
  }
  const adminsId = (await admin.get('/api/v1/notifications')).json.items[0].id;
  const marketersId = (await marketer.get('/api/v1/notifications')).json.items[0].id;
  assert.notEqual(adminsId, marketersId);

  // Marking another user's notification changes nothing.
  const foreign = await marketer.post('/api/v1/notifications/read', { ids: [adminsId] });
  assert.equal(foreign.status, 200, foreign.text);
  assert.equal(foreign.json.unread, 1);
  assert.equal((await admin.get('/api/v1/notifications?unread=true')).json.unread, 1);

  // The marketer marks theirs read.
  const read = await marketer.post('/api/v1/notifications/read', { ids: [marketersId] });
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.json, { unread: 0 });
  const unreadNow = await marketer.get('/api/v1/notifications?unread=true');
  assert.deepEqual(unreadNow.json.items, []);
  assert.equal(unreadNow.json.unread, 0);
  const all = await marketer.get('/api/v1/notifications?unread=false');
  assert.equal(all.json.items.length, 1);
  assert.match(all.json.items[0].readAt, /^\d{4}-\d\d-\d\dT/);

  // No recipients: the user who started the run; "mark all read" without ids.
  await runAlert(admin, 'Weekly check', { message: 'checked' });
  const two = await admin.get('/api/v1/notifications?limit=1');
  assert.equal(two.status, 200, two.text);
  assert.equal(two.json.unread, 2);
  assert.equal(two.json.items[0].message, 'checked');
  assert.equal(two.json.items[0].level, 'info');
  assert.ok(two.json.next);
  const page2 = await admin.get(`/api/v1/notifications?limit=1&cursor=${encodeURIComponent(two.json.next)}`);
  assert.equal(page2.json.items[0].id, adminsId);
  assert.equal(page2.json.next, null);
  assert.equal((await marketer.get('/api/v1/notifications')).json.items.length, 1);
  const allRead = await admin.post('/api/v1/notifications/read', {});
  assert.deepEqual(allRead.json, { unread: 0 });
  const none = await admin.request('POST', '/api/v1/notifications/read');
  assert.equal(none.status, 200, none.text);

  // An API key acts as its user.
  const key = await marketer.post('/api/v1/api-keys', { name: 'bell', scopes: ['read'] });
  assert.equal(key.status, 201, key.text);
  const bearer = new Client(server.url);
  bearer.bearer = key.json.secret;
  const viaKey = await bearer.get('/api/v1/notifications');
  assert.equal(viaKey.status, 200, viaKey.text);
  assert.deepEqual(viaKey.json.items.map((n) => n.id), [marketersId]);
});

test('a recipient that is no user is a problem of the graph', async () => {
  const graph = {
    activities: [A('start', 'start'), A('alert', 'alert', { message: 'x', recipients: ['nobody-here'] }), A('end', 'end')],
    transitions: [T('t1', 'start', 'alert'), T('t2', 'alert', 'end')],
  };
  const r = await admin.post('/api/v1/workflows/check', { graph });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.problems.map((p) => [p.activity, p.field]), [['alert', 'params.recipients[0]']]);
  assert.match(r.json.problems[0].message, /nobody-here/);
});

test('bad requests and no login', async () => {
  errorOf(assert, await admin.get('/api/v1/notifications?unread=maybe'), 400, 'invalid_argument');
  errorOf(assert, await admin.post('/api/v1/notifications/read', { ids: 'all' }), 400, 'invalid_argument');
  errorOf(assert, await admin.post('/api/v1/notifications/read', { ids: [1], other: 1 }), 400, 'invalid_argument');
  const anonymous = new Client(server.url);
  errorOf(assert, await anonymous.get('/api/v1/notifications'), 401, 'unauthenticated');
  errorOf(assert, await anonymous.post('/api/v1/notifications/read', {}), 401, 'unauthenticated');
});
