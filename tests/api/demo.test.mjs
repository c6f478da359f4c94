// overture demo: generated demo data loads once, in a form the API accepts as its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BIN, adminClient, startServer } from './lib.mjs';

const PROFILES = 500;
let server, again, admin, first;

// The demo writes the secret key (it seals nothing, but the route service opens the key) in
// the server's own folder, never in the source tree.
function demo(dbUrl, args = []) {
  const env = { ...process.env, OVERTURE_SECURITY_SECRET_KEY_FILE: path.join(server.files, 'secret.key') };
  const r = spawnSync(BIN, ['demo', '--profiles', String(PROFILES), '--database', dbUrl, ...args],
                      { encoding: 'utf8', timeout: 120000, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function all(client, path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await client.get(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    cursor = r.json.next;
  } while (cursor);
  return items;
}

async function counts() {
  const n = async (p) => (await admin.get(`${p}/_count`)).json.count;
  return {
    profiles: await n('/api/v1/profiles'),
    purchases: await n('/api/v1/resources/purchase'),
    services: await n('/api/v1/services'),
    subscriptions: (await admin.get('/api/v1/services')).json.items.map((s) => s.subscriberCount),
    testProfiles: await n('/api/v1/test-profiles'),
  };
}

before(async () => {
  server = await startServer();
  first = demo(server.dbUrl);
  // The server reads the data model when it starts: a second one on the same database sees the
  // `purchase` resource the demo published.
  server.proc.kill('SIGTERM');
  await server.exited;
  again = await startServer({ databaseUrl: server.dbUrl });
  admin = await adminClient(again);
});

after(async () => {
  if (again) await again.stop();
  await server.stop();
});

test('demo loads profiles, purchases, services and test profiles and says so', () => {
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /500 profiles, [\d,]+ purchases, 2 services, [\d,]+ subscriptions, 3 test profiles in [\d.]+ s/);
  assert.match(first.err, /purchase/);
});

test('demo creates the maildir route as the default, so that sending needs no mail server', async () => {
  const routes = (await admin.get('/api/v1/routes')).json.items;
  assert.equal(routes.length, 1);
  assert.equal(routes[0].name, 'demo-maildir');
  assert.equal(routes[0].kind, 'maildir');
  assert.equal(routes[0].isDefault, true);
  assert.equal(routes[0].maildir.folder, 'demo');
});

test('the purchase resource is published with its link to profiles', async () => {
  const schema = (await admin.get('/api/v1/schema')).json;
  const purchase = schema.resources.find((r) => r.name === 'purchase');
  assert.ok(purchase, 'no purchase resource');
  const field = (name) => purchase.fields.find((f) => f.name === name);
  assert.equal(field('sku').type, 'string');
  assert.equal(field('sku').length, 40);
  assert.equal(field('sku').required, true);
  assert.deepEqual(field('category').values.map((v) => v.value),
                   ['books', 'electronics', 'home', 'fashion', 'sports']);
  assert.equal(field('amount').type, 'float');
  assert.equal(field('quantity').type, 'integer');
  assert.equal(field('purchasedAt').type, 'datetime');
  assert.deepEqual(field('channel').values.map((v) => v.value), ['web', 'store', 'app']);
  const link = purchase.links.find((l) => l.name === 'profile');
  assert.equal(link.target, 'profile');
  assert.equal(link.cardinality, 'one');
  assert.equal(link.reverseName, 'purchases');
});

test('profiles have example-domain emails, E.164 phones and the API agrees with them', async () => {
  assert.equal((await admin.get('/api/v1/profiles/_count')).json.count, PROFILES);
  const profiles = await all(admin, '/api/v1/profiles');
  assert.equal(profiles.length, PROFILES);
  const emails = new Set();
  for (const p of profiles) {
    assert.match(p.externalId, /^CRM-\d{6}$/);
    assert.equal(p.createdBy, 'demo');
    assert.match(p.country, /^(FR|DE|GB|US|ES|IT|NL|BE)$/);
    assert.match(p.birthDate, /^(19[4-9]\d|200[0-8])-\d\d-\d\d$/);
    assert.match(p.timeZone, /^(Europe|America|Atlantic)\/[A-Za-z_]+$/);
    assert.ok(p.firstName && p.lastName && p.city && p.postalCode, JSON.stringify(p));
    assert.ok(['female', 'male', 'other', 'unknown'].includes(p.gender));
    if (p.email !== null) {
      assert.match(p.email, /^[a-z0-9.]+@example\.(com|org|net)$/);
      assert.equal(p.emailDomain, p.email.split('@')[1]);
      assert.ok(!emails.has(p.email), `duplicate ${p.email}`);
      emails.add(p.email);
    }
    if (p.mobilePhone !== null) assert.match(p.mobilePhone, /^\+[1-9]\d{7,14}$/);
  }
  assert.ok(emails.size > PROFILES * 0.9, `${emails.size} emails`);
  const phones = profiles.filter((p) => p.mobilePhone);
  assert.ok(phones.length > PROFILES * 0.5, `${phones.length} phones`);
  const blocked = profiles.filter((p) => p.blockEmail).length;
  assert.ok(blocked < PROFILES * 0.1, `${blocked} blockEmail`);

  // Written back through the API, the values normalize to themselves.
  for (const p of phones.slice(0, 40)) {
    const r = await admin.patch(`/api/v1/profiles/${p.id}`,
                                { email: p.email, mobilePhone: p.mobilePhone, country: p.country });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.mobilePhone, p.mobilePhone);
    assert.equal(r.json.email, p.email);
  }
});

test('purchases link to existing profiles', async () => {
  const ids = new Set((await all(admin, '/api/v1/profiles')).map((p) => p.id));
  const purchases = await all(admin, '/api/v1/resources/purchase');
  assert.ok(purchases.length > PROFILES, `${purchases.length} purchases`);
  assert.ok(purchases.length <= PROFILES * 6);
  for (const b of purchases) {
    assert.ok(ids.has(b.profile), `purchase ${b.id} links to ${b.profile}`);
    assert.match(b.sku, /^[A-Z]{2}-\d{4}$/);
    assert.ok(b.amount > 0 && b.quantity >= 1, JSON.stringify(b));
    assert.match(b.currency, /^(EUR|GBP|USD)$/);
    assert.match(b.purchasedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    assert.ok(['web', 'store', 'app'].includes(b.channel));
  }
  const some = purchases[0].profile;
  const mine = await admin.get(`/api/v1/resources/purchase/_count?profile=${some}`);
  assert.equal(mine.json.count, purchases.filter((b) => b.profile === some).length);
});

test('two services with subscribers, and three test profiles', async () => {
  const services = (await admin.get('/api/v1/services')).json.items;
  assert.deepEqual(services.map((s) => [s.name, s.channel]), [['newsletter', 'email'], ['flashSales', 'sms']]);
  assert.equal(services[0].label, 'Weekly newsletter');
  assert.equal(services[1].label, 'Flash sales by SMS');
  const [news, sms] = services.map((s) => s.subscriberCount);
  assert.ok(news > PROFILES * 0.25 && news < PROFILES * 0.55, `${news} newsletter subscribers`);
  assert.ok(sms > 0 && sms < PROFILES * 0.3, `${sms} SMS subscribers`);
  const subs = (await admin.get(`/api/v1/services/${services[0].id}/subscriptions?limit=5`)).json.items;
  assert.equal(subs[0].origin, 'demo');

  const testProfiles = (await admin.get('/api/v1/test-profiles')).json.items;
  assert.equal(testProfiles.length, 3);
  for (const t of testProfiles) assert.match(t.email, /@example\.(com|org|net)$/);
  assert.ok(testProfiles.some((t) => t.useForTrap));
  assert.ok(testProfiles.some((t) => t.useForProof));
  assert.ok(testProfiles.some((t) => t.useForPreview));
});

test('running demo again changes nothing', async () => {
  const before = await counts();
  const r = demo(server.dbUrl);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /already loaded \(500 profiles/);
  assert.deepEqual(await counts(), before);
});
