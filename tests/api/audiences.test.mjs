// Audiences: query audiences (recomputed) and list audiences (snapshots, files), count,
// preview, export, expiry, permissions, the audit trail and a data model change under a saved
// expression.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, errorOf, Client } from './lib.mjs';

let server, admin, ids;
before(async () => {
  server = await startServer();
  admin = await adminClient(server);
  ids = {};
  for (const [key, email, country, externalId] of [['ann', 'ann@example.com', 'FR', 'crm-ann'],
                                                   ['bob', 'bob@example.com', 'FR', 'crm-bob'],
                                                   ['cy', 'cy@example.com', 'DE', 'crm-cy']]) {
    const r = await admin.post('/api/v1/profiles', { email, country, externalId, firstName: key });
    assert.equal(r.status, 201, r.text);
    ids[key] = r.json.id;
  }
});
after(async () => { await server.stop(); });

async function create(body, client = admin) {
  return client.post('/api/v1/audiences', body);
}

async function countOf(id) {
  const r = await admin.post(`/api/v1/audiences/${id}/count`);
  assert.equal(r.status, 200, r.text);
  return r.json.count;
}

async function userClient(username, role) {
  const made = await admin.post('/api/v1/users', { username, password: 'long-enough-password', role });
  assert.equal(made.status, 201, made.text);
  const c = new Client(server.url);
  assert.equal((await c.login(username, 'long-enough-password')).status, 200);
  return c;
}

test('a query audience by text is stored canonically, counted, previewed and exported', async () => {
  const r = await create({ label: 'French', description: 'all of France', kind: 'query',
                           expression: 'country="FR"' });
  assert.equal(r.status, 201, r.text);
  const a = r.json;
  assert.equal(r.headers.get('location'), `/api/v1/audiences/${a.id}`);
  assert.equal(a.kind, 'query');
  assert.equal(a.resource, 'profile');
  assert.equal(a.expression, 'country = "FR"');
  assert.deepEqual(a.json, { field: 'country', op: '=', value: 'FR' });
  assert.equal(a.memberCount, null);
  assert.equal(a.expiresAt, null);
  assert.equal(a.expired, false);
  assert.equal(a.createdBy, 'admin');
  assert.ok(a.createdAt && a.modifiedAt);

  assert.equal(await countOf(a.id), 2);
  const preview = await admin.post(`/api/v1/audiences/${a.id}/preview`, { columns: ['email'], limit: 1 });
  assert.equal(preview.status, 200, preview.text);
  assert.deepEqual(preview.json.items, [{ id: ids.ann, email: 'ann@example.com' }]);
  const all = await admin.post(`/api/v1/audiences/${a.id}/preview`);
  assert.equal(all.json.items.length, 2);
  assert.equal(all.json.items[0].firstName, 'ann');
  errorOf(assert, await admin.post(`/api/v1/audiences/${a.id}/preview`, { columns: ['shoeSize'] }), 400);

  const csv = await admin.get(`/api/v1/audiences/${a.id}/export?columns=email,country`);
  assert.equal(csv.status, 200, csv.text);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /attachment; filename="audience-\d+\.csv"/);
  assert.equal(csv.text, 'email,country\nann@example.com,FR\nbob@example.com,FR\n');

  const got = await admin.get(`/api/v1/audiences/${a.id}`);
  assert.deepEqual(got.json, a);
});

test('a query audience by JSON form, and bad expressions get 400 with line and column', async () => {
  const r = await create({ label: 'Germans', kind: 'query', json: { field: 'country', op: '=', value: 'DE' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.expression, 'country = "DE"');
  assert.equal(await countOf(r.json.id), 1);

  const bad = errorOf(assert, await create({ label: 'Bad', kind: 'query', expression: 'country = ' }), 400, 'invalid_argument');
  assert.equal(bad.details.field, 'expression');
  assert.equal(bad.details.line, '1');
  assert.ok(bad.details.column);
  const unknown = errorOf(assert, await create({ label: 'Bad', kind: 'query', expression: 'shoeSize > 3' }), 400);
  assert.match(unknown.message, /shoeSize/);
  const badJson = errorOf(assert, await create({ label: 'Bad', kind: 'query', json: { field: 'country', op: '~' } }), 400);
  assert.equal(badJson.details.field, 'json');
  errorOf(assert, await create({ label: 'Both', kind: 'query', expression: 'country = "FR"', json: { field: 'country', op: '=', value: 'FR' } }), 400);
  errorOf(assert, await create({ label: 'None', kind: 'query' }), 400);
  errorOf(assert, await create({ label: 'Kind', kind: 'segment', expression: 'country = "FR"' }), 400);
  const res = errorOf(assert, await create({ label: 'Svc', kind: 'query', resource: 'service', expression: 'name = "x"' }), 400);
  assert.equal(res.details.field, 'resource');
  errorOf(assert, await create({ label: '', kind: 'list' }), 400);
  errorOf(assert, await create({ label: 'x', kind: 'list', colour: 'red' }), 400);
  errorOf(assert, await create({ label: 'x', kind: 'list', expiresAt: 'soon' }), 400);
});

test('a list audience is a snapshot; a query audience follows the profiles', async () => {
  const query = (await create({ label: 'French (live)', kind: 'query', expression: 'country = "FR"' })).json;
  const r = await create({ label: 'French (snapshot)', kind: 'list', expression: 'country = "FR"' });
  assert.equal(r.status, 201, r.text);
  const list = r.json;
  assert.equal(list.kind, 'list');
  assert.equal(list.memberCount, 2);
  assert.equal(list.expression, 'country = "FR"');

  // Cy moves to France: the query audience sees it, the list does not.
  assert.equal((await admin.patch(`/api/v1/profiles/${ids.cy}`, { country: 'FR' })).status, 200);
  assert.equal(await countOf(query.id), 3);
  assert.equal(await countOf(list.id), 2);
  // Bob leaves France: still in the list.
  assert.equal((await admin.patch(`/api/v1/profiles/${ids.bob}`, { country: 'BE' })).status, 200);
  assert.equal(await countOf(query.id), 2);
  assert.equal(await countOf(list.id), 2);
  const members = await admin.post(`/api/v1/audiences/${list.id}/preview`, { columns: ['country'] });
  assert.deepEqual(members.json.items, [{ id: ids.ann, country: 'FR' }, { id: ids.bob, country: 'BE' }]);
  // Put them back for the other tests.
  await admin.patch(`/api/v1/profiles/${ids.cy}`, { country: 'DE' });
  await admin.patch(`/api/v1/profiles/${ids.bob}`, { country: 'FR' });

  // A list's expression cannot change; a query audience's can.
  errorOf(assert, await admin.patch(`/api/v1/audiences/${list.id}`, { expression: 'country = "DE"' }), 400);
  const changed = await admin.patch(`/api/v1/audiences/${query.id}`, { expression: 'country = "DE"' });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.json.expression, 'country = "DE"');
  assert.deepEqual(changed.json.json, { field: 'country', op: '=', value: 'DE' });
  assert.equal(await countOf(query.id), 1);
});

test('members of a list audience from CSV files, with rejects', async () => {
  const list = (await create({ label: 'Fair visitors', kind: 'list' })).json;
  assert.equal(list.memberCount, 0);
  assert.equal(list.expression, null);
  assert.equal(list.json, null);
  const base = `/api/v1/audiences/${list.id}/members`;
  const send = (csv, q = '') => admin.request('POST', base + q, { raw: csv, headers: { 'content-type': 'text/csv' } });

  const byEmail = await send('name;EMAIL\nAnn;ann@EXAMPLE.com\nNobody;nobody@example.com\nBroken;x@\nEmpty;\n');
  assert.equal(byEmail.status, 200, byEmail.text);
  assert.equal(byEmail.json.key, 'email');
  assert.equal(byEmail.json.added, 1);
  assert.equal(byEmail.json.unmatched, 1);
  assert.equal(byEmail.json.rejected, 2);
  assert.deepEqual(byEmail.json.rejects.map((r) => [r.line, r.value]),
    [[3, 'nobody@example.com'], [4, 'x@'], [5, '']]);
  assert.match(byEmail.json.rejects[0].reason, /no profile/);

  const byId = await send(`${ids.ann}\n${ids.bob}\n999999\nabc\n`, '?key=id');
  assert.equal(byId.status, 200, byId.text);
  assert.equal(byId.json.key, 'id');
  assert.equal(byId.json.added, 1);
  assert.equal(byId.json.alreadyMembers, 1);
  assert.equal(byId.json.unmatched, 1);
  assert.equal(byId.json.rejected, 1);

  const guessed = await send('crm-cy\n');
  assert.equal(guessed.json.key, 'externalId');
  assert.equal(guessed.json.added, 1);
  assert.equal(await countOf(list.id), 3);
  assert.equal((await admin.get(`/api/v1/audiences/${list.id}`)).json.memberCount, 3);

  errorOf(assert, await send('a,b\n1,2\n'), 400);
  errorOf(assert, await send(''), 400);
  errorOf(assert, await send('1\n', '?key=phone'), 400);

  const csv = await admin.get(`/api/v1/audiences/${list.id}/export?columns=externalId`);
  assert.equal(csv.text, 'externalId\ncrm-ann\ncrm-bob\ncrm-cy\n');

  const cleared = await admin.del(base);
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.removed, 3);
  assert.equal(await countOf(list.id), 0);

  // A query audience has no members to change.
  const query = (await create({ label: 'Q', kind: 'query', expression: 'country = "FR"' })).json;
  errorOf(assert, await admin.request('POST', `/api/v1/audiences/${query.id}/members`, { raw: '1\n' }), 409, 'failed_precondition');
  errorOf(assert, await admin.del(`/api/v1/audiences/${query.id}/members`), 409);
});

test('an expired audience can be read and extended but not used', async () => {
  const r = await create({ label: 'Summer sale', kind: 'list', expression: 'country = "FR"',
                           expiresAt: '2020-09-01' });
  assert.equal(r.status, 201, r.text);
  const a = r.json;
  assert.equal(a.expiresAt, '2020-09-01T00:00:00.000Z');
  assert.equal(a.expired, true);
  assert.equal(a.memberCount, 2);

  const expected = "the audience 'Summer sale' expired on 2020-09-01T00:00:00.000Z; extend its expiry date to use it";
  for (const res of [await admin.post(`/api/v1/audiences/${a.id}/count`),
                     await admin.post(`/api/v1/audiences/${a.id}/preview`, {}),
                     await admin.get(`/api/v1/audiences/${a.id}/export`),
                     await admin.request('POST', `/api/v1/audiences/${a.id}/members`, { raw: 'ann@example.com\n' }),
                     await admin.del(`/api/v1/audiences/${a.id}/members`)]) {
    const e = errorOf(assert, res, 409, 'failed_precondition');
    assert.equal(e.message, expected);
  }

  // Listing: ?expired=false leaves it out, ?expired=true keeps only expired ones.
  const usable = await admin.get('/api/v1/audiences?expired=false&limit=500');
  assert.ok(!usable.json.items.some((x) => x.id === a.id));
  assert.ok(usable.json.items.every((x) => !x.expired));
  const expired = await admin.get('/api/v1/audiences?expired=true');
  assert.deepEqual(expired.json.items.map((x) => x.id), [a.id]);
  assert.equal((await admin.get('/api/v1/audiences/_count?expired=true')).json.count, 1);
  errorOf(assert, await admin.get('/api/v1/audiences?expired=maybe'), 400);

  // Renamed and extended: usable again, with its members kept.
  const extended = await admin.patch(`/api/v1/audiences/${a.id}`, { label: 'Summer sale 2', expiresAt: '2999-01-01T00:00:00Z' });
  assert.equal(extended.status, 200, extended.text);
  assert.equal(extended.json.expired, false);
  assert.equal(extended.json.label, 'Summer sale 2');
  assert.equal(await countOf(a.id), 2);
  const never = await admin.patch(`/api/v1/audiences/${a.id}`, { expiresAt: null });
  assert.equal(never.json.expiresAt, null);
});

test('lists page newest first and search labels', async () => {
  for (const label of ['Paging A', 'Paging B', 'Paging C']) {
    assert.equal((await create({ label, kind: 'list' })).status, 201);
  }
  const first = await admin.get('/api/v1/audiences?q=paging&limit=2');
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.json.items.map((x) => x.label), ['Paging C', 'Paging B']);
  assert.ok(first.json.next);
  const second = await admin.get(`/api/v1/audiences?q=PAGING&limit=2&cursor=${encodeURIComponent(first.json.next)}`);
  assert.deepEqual(second.json.items.map((x) => x.label), ['Paging A']);
  assert.equal(second.json.next, null);
  assert.equal((await admin.get('/api/v1/audiences/_count?q=paging')).json.count, 3);
});

test('analysts read audiences; marketers change them; everything is audited', async () => {
  const analyst = await userClient('audience-analyst', 'analyst');
  const marketer = await userClient('audience-marketer', 'marketer');

  errorOf(assert, await create({ label: 'Nope', kind: 'query', expression: 'country = "FR"' }, analyst), 403, 'permission_denied');
  const made = await create({ label: 'By marketer', kind: 'query', expression: 'country = "FR"' }, marketer);
  assert.equal(made.status, 201, made.text);
  assert.equal(made.json.createdBy, 'audience-marketer');
  const id = made.json.id;

  assert.equal((await analyst.get(`/api/v1/audiences/${id}`)).status, 200);
  assert.equal((await analyst.get('/api/v1/audiences')).status, 200);
  assert.equal((await analyst.post(`/api/v1/audiences/${id}/count`)).json.count, 2);
  assert.equal((await analyst.get(`/api/v1/audiences/${id}/export`)).status, 200);
  errorOf(assert, await analyst.patch(`/api/v1/audiences/${id}`, { label: 'x' }), 403);
  errorOf(assert, await analyst.del(`/api/v1/audiences/${id}`), 403);

  const renamed = await marketer.patch(`/api/v1/audiences/${id}`, { label: 'Renamed', description: 'why not' });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.json.modifiedBy, 'audience-marketer');
  assert.equal((await marketer.del(`/api/v1/audiences/${id}`)).status, 204);
  errorOf(assert, await admin.get(`/api/v1/audiences/${id}`), 404, 'not_found');
  errorOf(assert, await marketer.del(`/api/v1/audiences/${id}`), 404);

  const audit = await admin.get('/api/v1/audit?limit=50');
  const mine = audit.json.items.filter((e) => e.targetType === 'audience' && e.targetId === String(id));
  assert.deepEqual(mine.map((e) => e.action), ['audience.delete', 'audience.update', 'audience.create']);
  assert.ok(mine.every((e) => e.actorName === 'audience-marketer'), JSON.stringify(mine));
  assert.equal(mine[1].details.label, 'Renamed');
  assert.equal(mine[2].details.expression, 'country = "FR"');
  assert.ok(audit.json.items.some((e) => e.action === 'audience.members.add'));
  assert.ok(audit.json.items.some((e) => e.action === 'audience.members.clear'));
});

test('unknown ids get 404', async () => {
  for (const r of [await admin.get('/api/v1/audiences/987654'),
                   await admin.get('/api/v1/audiences/abc'),
                   await admin.patch('/api/v1/audiences/987654', { label: 'x' }),
                   await admin.del('/api/v1/audiences/987654'),
                   await admin.post('/api/v1/audiences/987654/count'),
                   await admin.post('/api/v1/audiences/987654/preview', {}),
                   await admin.get('/api/v1/audiences/987654/export'),
                   await admin.request('POST', '/api/v1/audiences/987654/members', { raw: '1\n' }),
                   await admin.del('/api/v1/audiences/987654/members')]) {
    errorOf(assert, r, 404, 'not_found');
  }
});

test('a field dropped from the data model is named when a query audience is used', async () => {
  const field = { name: 'shoeSize', type: 'integer' };
  const add = await admin.post('/api/v1/schema/publish', { resources: [{ name: 'profile', fields: [field] }] });
  assert.equal(add.status, 200, add.text);
  assert.equal((await admin.patch(`/api/v1/profiles/${ids.ann}`, { shoeSize: 38 })).status, 200);
  const a = (await create({ label: 'Small feet', kind: 'query', expression: 'shoeSize < 40' })).json;
  assert.equal(await countOf(a.id), 1);

  const drop = await admin.post('/api/v1/schema/publish', { resources: [], allowDataLoss: true });
  assert.equal(drop.status, 200, drop.text);
  const e = errorOf(assert, await admin.post(`/api/v1/audiences/${a.id}/count`), 409, 'failed_precondition');
  assert.match(e.message, /Small feet/);
  assert.match(e.message, /shoeSize/);
  assert.equal((await admin.get(`/api/v1/audiences/${a.id}`)).status, 200, 'still readable');
  const fixed = await admin.patch(`/api/v1/audiences/${a.id}`, { expression: 'country = "DE"' });
  assert.equal(fixed.status, 200, fixed.text);
  assert.equal(await countOf(a.id), 1);
});
