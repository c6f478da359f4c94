// The data model: describe it, extend it with custom fields and resources, publish, and use
// the new resources through the generic REST API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, errorOf, Client } from './lib.mjs';

let server, admin;
before(async () => { server = await startServer(); admin = await adminClient(server); });
after(async () => { await server.stop(); });

const custom = {
  resources: [
    {
      name: 'profile',
      fields: [
        { name: 'loyaltyTier', type: 'enum', label: 'Loyalty tier',
          values: [{ value: 'bronze', label: 'Bronze' }, { value: 'gold', label: 'Gold' }] },
        { name: 'nickname', type: 'string', length: 30 },
      ],
    },
    {
      name: 'purchase',
      label: 'Purchase',
      pluralLabel: 'Purchases',
      fields: [
        { name: 'sku', type: 'string', length: 40, required: true },
        { name: 'amount', type: 'float' },
        { name: 'quantity', type: 'integer' },
        { name: 'boughtAt', type: 'datetime' },
        { name: 'giftWrapped', type: 'boolean' },
        { name: 'deliveryDate', type: 'date' },
        { name: 'notes', type: 'text' },
      ],
      links: [{ name: 'profile', target: 'profile', cardinality: 'one', reverseName: 'purchases' }],
      indexes: [{ fields: ['sku', 'profile'], unique: true }],
    },
  ],
};

async function publish(body) {
  return admin.post('/api/v1/schema/publish', body);
}

test('GET /schema describes the built-in resources with enumeration labels and links', async () => {
  const r = await admin.get('/api/v1/schema');
  assert.equal(r.status, 200);
  const profile = r.json.resources.find((x) => x.name === 'profile');
  assert.ok(profile.builtin);
  const gender = profile.fields.find((f) => f.name === 'gender');
  assert.equal(gender.type, 'enum');
  assert.deepEqual(gender.values.map((v) => v.value), ['unknown', 'female', 'male', 'other']);
  assert.ok(profile.fields.find((f) => f.name === 'email').length === 254);
  const sub = r.json.resources.find((x) => x.name === 'subscription');
  assert.deepEqual(sub.links.map((l) => [l.name, l.target, l.cardinality]),
    [['service', 'service', 'one'], ['profile', 'profile', 'one']]);
  assert.ok(profile.reverseLinks.some((rl) => rl.name === 'subscriptions' && rl.source === 'subscription'));
});

test('publish: dry run shows the SQL, then the real publish creates real tables and columns', async () => {
  const dry = await publish({ ...custom, dryRun: true });
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.json.applied, false);
  assert.ok(dry.json.statements.some((s) => /CREATE TABLE "x_purchase"/.test(s)), dry.text);
  assert.ok(dry.json.statements.some((s) => /ALTER TABLE "profiles" ADD COLUMN "x_loyalty_tier"/.test(s)), dry.text);
  const still = await admin.get('/api/v1/schema');
  assert.ok(!still.json.resources.find((x) => x.name === 'purchase'), 'a dry run changes nothing');

  const real = await publish(custom);
  assert.equal(real.status, 200, real.text);
  assert.equal(real.json.applied, true);
  assert.ok(real.json.version > 0);
  const after = await admin.get('/api/v1/schema');
  const purchase = after.json.resources.find((x) => x.name === 'purchase');
  assert.ok(purchase && !purchase.builtin);
  assert.equal(purchase.table, 'x_purchase');
  const profile = after.json.resources.find((x) => x.name === 'profile');
  assert.ok(profile.reverseLinks.some((rl) => rl.name === 'purchases'));
  assert.ok(profile.fields.find((f) => f.name === 'loyaltyTier' && !f.builtin));

  const again = await publish(custom);
  assert.equal(again.status, 200);
  assert.equal(again.json.applied, false, 'publishing the same model again changes nothing');
  assert.equal(again.json.statements.length, 0);

  const audit = await admin.get('/api/v1/audit?limit=5');
  assert.ok(audit.json.items.some((e) => e.action === 'schema.publish'));
});

test('custom resource rows: create, read, update, delete, list, count', async () => {
  const p = await admin.post('/api/v1/profiles', { email: 'Buyer@Example.COM', firstName: 'Bea',
    loyaltyTier: 'gold', nickname: 'bee', country: 'fr', mobilePhone: '06 12 34 56 78' });
  assert.equal(p.status, 201, p.text);
  assert.equal(p.json.email, 'Buyer@example.com');
  assert.equal(p.json.emailDomain, 'example.com');
  assert.equal(p.json.country, 'FR');
  assert.equal(p.json.mobilePhone, '+33612345678');
  assert.equal(p.json.loyaltyTier, 'gold');
  assert.equal(p.json.createdBy, 'admin');

  const base = '/api/v1/resources/purchase';
  const made = await admin.post(base, { sku: 'SKU-1', amount: 19.5, quantity: 2, profile: p.json.id,
    boughtAt: '2026-11-27T10:00:00+01:00', giftWrapped: true, deliveryDate: '2026-12-01', notes: 'ring twice' });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.headers.get('location'), `${base}/${made.json.id}`);
  assert.equal(made.json.boughtAt, '2026-11-27T09:00:00.000Z');
  assert.equal(made.json.amount, 19.5);
  assert.equal(made.json.quantity, 2);
  assert.equal(made.json.giftWrapped, true);
  assert.equal(made.json.deliveryDate, '2026-12-01');
  assert.equal(made.json.profile, p.json.id);
  assert.match(made.json.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  for (let i = 2; i <= 5; i++) {
    const r = await admin.post(base, { sku: `SKU-${i}`, amount: i * 10, profile: p.json.id });
    assert.equal(r.status, 201, r.text);
  }
  const dup = await admin.post(base, { sku: 'SKU-1', profile: p.json.id });
  errorOf(assert, dup, 409, 'already_exists');

  const got = await admin.get(`${base}/${made.json.id}`);
  assert.deepEqual(got.json, made.json);
  const patched = await admin.patch(`${base}/${made.json.id}`, { amount: 21, notes: null });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.amount, 21);
  assert.equal(patched.json.notes, null);
  assert.equal(patched.json.sku, 'SKU-1');

  const sorted = await admin.get(`${base}?order=-amount&limit=2`);
  assert.deepEqual(sorted.json.items.map((x) => x.amount), [50, 40]);
  const page2 = await admin.get(`${base}?order=-amount&limit=2&cursor=${encodeURIComponent(sorted.json.next)}`);
  assert.deepEqual(page2.json.items.map((x) => x.amount), [30, 21]);
  const search = await admin.get(`${base}?q=sku-3`);
  assert.deepEqual(search.json.items.map((x) => x.sku), ['SKU-3']);
  const byProfile = await admin.get(`${base}/_count?profile=${p.json.id}`);
  assert.equal(byProfile.json.count, 5);
  const wrapped = await admin.get(`${base}?giftWrapped=true`);
  assert.equal(wrapped.json.items.length, 1);

  assert.equal((await admin.del(`${base}/${made.json.id}`)).status, 204);
  errorOf(assert, await admin.get(`${base}/${made.json.id}`), 404, 'not_found');
  errorOf(assert, await admin.del(`${base}/${made.json.id}`), 404, 'not_found');

  // Deleting the profile deletes its purchases (a "one" link cascades).
  assert.equal((await admin.del(`/api/v1/profiles/${p.json.id}`)).status, 204);
  assert.equal((await admin.get(`${base}/_count`)).json.count, 0);
});

test('bad rows are 400s that name the field', async () => {
  const base = '/api/v1/resources/purchase';
  const p = await admin.post('/api/v1/profiles', { email: 'x@example.org' });
  const cases = [
    [{ sku: 'A', profile: p.json.id, colour: 'red' }, 'colour'],
    [{ sku: 'A', profile: p.json.id, amount: 'lots' }, 'amount'],
    [{ sku: 'A', profile: p.json.id, quantity: 1.5 }, 'quantity'],
    [{ sku: 'A', profile: p.json.id, boughtAt: 'yesterday' }, 'boughtAt'],
    [{ sku: 'A', profile: p.json.id, deliveryDate: '2026-02-30' }, 'deliveryDate'],
    [{ sku: 'x'.repeat(41), profile: p.json.id }, 'sku'],
    [{ profile: p.json.id }, 'sku'],
    [{ sku: 'A' }, 'profile'],
    [{ sku: 'A', profile: 999999 }, 'profile'],
    [{ sku: 'A', profile: p.json.id, id: 5 }, 'id'],
  ];
  for (const [body, field] of cases) {
    const e = errorOf(assert, await admin.post(base, body), 400, 'invalid_argument');
    assert.equal(e.details.field, field, `${JSON.stringify(body)} -> ${e.message}`);
  }
  const profileCases = [
    [{ email: 'not an email' }, 'email'],
    [{ loyaltyTier: 'platinum' }, 'loyaltyTier'],
    [{ gender: 'x' }, 'gender'],
    [{ birthDate: '1990-13-01' }, 'birthDate'],
    [{ country: 'FRA' }, 'country'],
    [{ mobilePhone: '0612345678' }, 'mobilePhone'],
    [{ emailDomain: 'example.com' }, 'emailDomain'],
    [{ blockEmail: 'yes' }, 'blockEmail'],
  ];
  for (const [body, field] of profileCases) {
    const e = errorOf(assert, await admin.post('/api/v1/profiles', body), 400, 'invalid_argument');
    assert.equal(e.details.field, field, `${JSON.stringify(body)} -> ${e.message}`);
  }
  errorOf(assert, await admin.get(`${base}?order=nope`), 400);
  errorOf(assert, await admin.get(`${base}?nope=1`), 400);
  errorOf(assert, await admin.get('/api/v1/resources/nothing'), 404, 'not_found');
  errorOf(assert, await admin.get('/api/v1/resources/profile'), 404, 'not_found');
});

test('a publish that would drop a column is refused without allowDataLoss', async () => {
  const withoutNickname = structuredClone(custom);
  withoutNickname.resources[0].fields = withoutNickname.resources[0].fields.filter((f) => f.name !== 'nickname');
  const refused = await publish(withoutNickname);
  const e = errorOf(assert, refused, 409, 'failed_precondition');
  assert.match(e.message, /nickname/);
  assert.match(e.message, /allowDataLoss/);
  const schema = await admin.get('/api/v1/schema');
  assert.ok(schema.json.resources.find((x) => x.name === 'profile').fields.find((f) => f.name === 'nickname'));

  const ok = await publish({ ...withoutNickname, allowDataLoss: true });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.applied, true);
  assert.equal(ok.json.losesData, true);
  const p = await admin.post('/api/v1/profiles', { nickname: 'gone' });
  errorOf(assert, p, 400);
});

test('invalid models and unsafe changes are refused with the path of the problem', async () => {
  let e = errorOf(assert, await publish({ resources: [{ name: 'purchase', fields: [{ name: 'x', type: 'blob' }] }] }), 400);
  assert.match(e.message, /blob/);
  e = errorOf(assert, await publish({ resources: [{ name: 'Bad Name' }] }), 400);
  e = errorOf(assert, await publish({ resources: [{ name: 'profile', fields: [{ name: 'email', type: 'text' }] }] }), 400);
  assert.match(e.message, /built-in/);
  const typeChange = structuredClone(custom);
  typeChange.resources[1].fields[0] = { name: 'sku', type: 'integer' };
  e = errorOf(assert, await publish(typeChange), 400);
  assert.match(e.message, /sku/);
});

test('only administrators and data managers publish; analysts read but do not write', async () => {
  for (const role of ['marketer', 'analyst', 'data_manager']) {
    const made = await admin.post('/api/v1/users', { username: `schema-${role}`, password: 'long-enough-password', role });
    assert.equal(made.status, 201);
  }
  const marketer = new Client(server.url);
  await marketer.login('schema-marketer', 'long-enough-password');
  errorOf(assert, await marketer.post('/api/v1/schema/publish', { ...custom, dryRun: true }), 403);
  const dm = new Client(server.url);
  await dm.login('schema-data_manager', 'long-enough-password');
  assert.equal((await dm.post('/api/v1/schema/publish', { ...custom, dryRun: true })).status, 200);
  const analyst = new Client(server.url);
  await analyst.login('schema-analyst', 'long-enough-password');
  assert.equal((await analyst.get('/api/v1/profiles')).status, 200);
  errorOf(assert, await analyst.post('/api/v1/profiles', { firstName: 'No' }), 403);
});
