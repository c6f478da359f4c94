// The recipients' pages over HTTP (docs/tracking.md, "Endpoints", "Unsubscribe", "Mirror
// pages"): the pixel's exact headers on GET and HEAD, the click redirect and its 404 page, the
// unsubscribe form with one checkbox per email service, the form POST and the RFC 8058 one-click
// POST, "already unsubscribed", the mirror page's headers, and the tracking keys API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, userClient, waitFor, maildirMessages, trackedUrls,
} from './lib.mjs';

const FORM = 'application/x-www-form-urlencoded';
let server, admin, mail, jane, joe, ids;

async function hit(url, { method = 'GET', body, type } = {}) {
  const headers = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0' };
  if (type) headers['content-type'] = type;
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: buf, text: buf.toString('utf8') };
}

before(async () => {
  server = await startServer({ env: { OVERTURE_DELIVERY_TICK_MILLISECONDS: '50' } });
  admin = await adminClient(server);
  const people = {};
  for (const [key, name] of [['jane', 'Jane'], ['joe', 'Joe']]) {
    const r = await admin.post('/api/v1/profiles', { email: `${key}@pages.example`, firstName: name });
    assert.equal(r.status, 201, r.text);
    people[key] = r.json.id;
  }
  for (const [name, channel] of [['news', 'email'], ['offers', 'email'], ['alerts', 'sms']]) {
    const s = await admin.post('/api/v1/services', { name, label: `${name} label`, channel });
    assert.equal(s.status, 201, s.text);
    for (const id of Object.values(people)) {
      const sub = await admin.post(`/api/v1/services/${s.json.id}/subscriptions`, { profile: id });
      assert.equal(sub.status, 201, sub.text);
    }
  }
  const route = await admin.post('/api/v1/routes', { name: 'pages', label: 'pages', kind: 'maildir', maildir: { folder: 'pages' } });
  assert.equal(route.status, 201, route.text);
  const made = await admin.post('/api/v1/deliveries', {
    label: 'Pages', routeId: route.json.id,
    settings: { schedule: { kind: 'now' }, validityHours: 24 },
    audience: { kind: 'list', profileIds: Object.values(people) },
    content: {
      from: { name: 'Shop <&> Co', address: 'news@shop.example' },
      subject: 'Hi {{ profile.firstName }}',
      html: '<html><body><p>Hi {{ profile.firstName }}</p><a href="https://shop.example/sale?a=1&amp;b=2">Sale</a> '
        + '<a href="https://shop.example/u/{{ profile.id }}">Yours</a> '
        + '<a href="{{ mirror_url }}">Online</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a></body></html>',
      text: 'Hi',
    },
  });
  assert.equal(made.status, 201, made.text);
  const id = made.json.id;
  assert.equal((await admin.post(`/api/v1/deliveries/${id}/prepare`)).status, 200);
  await waitFor('prepared', async () => (await admin.get(`/api/v1/deliveries/${id}`)).json.state === 'ready');
  assert.equal((await admin.post(`/api/v1/deliveries/${id}/confirm`)).status, 200);
  await waitFor('finished', async () => (await admin.get(`/api/v1/deliveries/${id}`)).json.state === 'finished');
  mail = new Map();
  for (const m of maildirMessages(server, 'pages')) {
    const to = m.headers.to ?? '';
    for (const key of Object.keys(people)) if (to.includes(`${key}@`)) mail.set(key, trackedUrls(m.html, server.url));
  }
  ids = people;
  jane = mail.get('jane');
  joe = mail.get('joe');
  assert.ok(jane && joe, 'both messages were written');
  assert.equal(jane.clicks.length, 2);
});

after(async () => {
  if (process.env.OVERTURE_TEST_LOGS) console.log(server?.logs());
  await server?.stop();
});

test('the pixel answers the 43-byte GIF with no-cache headers, on GET and HEAD', async () => {
  for (const url of [jane.opens[0], `${server.url}/t/o/k1.1.1.0.notatoken`]) {
    const r = await hit(url);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/gif');
    assert.equal(r.headers.get('cache-control'), 'no-store, no-cache, must-revalidate, max-age=0');
    assert.equal(r.headers.get('pragma'), 'no-cache');
    assert.equal(r.headers.get('expires'), '0');
    assert.equal(r.body.length, 43);
    assert.equal(r.body.subarray(0, 6).toString(), 'GIF89a');
    const head = await hit(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '43');
    assert.equal(head.body.length, 0);
  }
});

test('a click redirects to the registered or signed URL; anything else is the 404 page', async () => {
  const sale = await hit(jane.clicks[0]);
  assert.equal(sale.status, 302);
  assert.equal(sale.headers.get('location'), 'https://shop.example/sale?a=1&b=2');
  assert.equal(sale.headers.get('cache-control'), 'no-store');
  const yours = await hit(jane.clicks[1]);
  assert.equal(yours.status, 302);
  assert.match(yours.headers.get('location'), /^https:\/\/shop\.example\/u\/\d+$/);
  assert.equal((await hit(jane.clicks[1], { method: 'HEAD' })).status, 302);
  // An edited u, an added u, a cut token: never a redirect.
  const edited = new URL(jane.clicks[1]);
  edited.searchParams.set('u', 'https://evil.example/');
  const added = new URL(jane.clicks[0]);
  added.searchParams.set('u', 'https://evil.example/');
  for (const url of [edited.toString(), added.toString(), jane.clicks[0].slice(0, -3)]) {
    const r = await hit(url);
    assert.equal(r.status, 404, url);
    assert.equal(r.headers.get('location'), null);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /This link is not valid/);
  }
});

test('the unsubscribe page offers all emails and each email service', async () => {
  const page = await hit(jane.unsubscribes[0]);
  assert.equal(page.status, 200, page.text);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.text, /j\*\*\*@pages\.example/);
  assert.ok(!page.text.includes('jane@pages.example'));
  assert.match(page.text, /Shop &lt;&amp;&gt; Co/);
  assert.match(page.text, /Unsubscribe from all emails/);
  assert.match(page.text, /name="service" value="news"/);
  assert.match(page.text, /name="service" value="offers"/);
  assert.ok(!page.text.includes('value="alerts"'), 'no SMS service');
  assert.ok(!/<script\b|<link\b|\bsrc=|url\(/i.test(page.text), 'no scripts, no external assets');

  const left = await hit(jane.unsubscribes[0], { method: 'POST', body: 'scope=services&service=news', type: FORM });
  assert.equal(left.status, 200, left.text);
  assert.match(left.text, /You are unsubscribed/);
  assert.match(left.text, /news label/);
  const again = await hit(jane.unsubscribes[0]);
  assert.ok(!again.text.includes('value="news"') && again.text.includes('value="offers"'));

  const all = await hit(jane.unsubscribes[0], { method: 'POST', body: 'scope=all', type: FORM });
  assert.equal(all.status, 200);
  assert.match(all.text, /You are unsubscribed/);
  assert.equal((await admin.get(`/api/v1/profiles/${ids.jane}`)).json.blockEmail, true);
  assert.equal((await admin.get(`/api/v1/profiles/${ids.joe}`)).json.blockEmail, false);
  const twice = await hit(jane.unsubscribes[0], { method: 'POST', body: 'scope=all', type: FORM });
  assert.match(twice.text, /already unsubscribed/);
  assert.match((await hit(jane.unsubscribes[0])).text, /already unsubscribed/);
});

test('the one-click POST answers plain text and unsubscribes from all emails', async () => {
  const r = await hit(joe.unsubscribes[0], { method: 'POST', body: 'List-Unsubscribe=One-Click', type: FORM });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  const again = await hit(joe.unsubscribes[0], { method: 'POST', body: 'List-Unsubscribe=One-Click', type: FORM });
  assert.equal(again.status, 200);
  assert.match(again.text, /already/);
  assert.equal((await admin.get(`/api/v1/profiles/${ids.joe}`)).json.blockEmail, true);
});

test('the mirror page is the message, not indexed, not cached, without the pixel', async () => {
  const r = await hit(jane.mirrors[0]);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(r.headers.get('x-robots-tag'), 'noindex');
  assert.equal(r.headers.get('cache-control'), 'private, no-store');
  assert.match(r.text, /Hi Jane/);
  assert.ok(r.text.includes('/t/c/'), 'tracked links');
  assert.ok(!r.text.includes('/t/o/'), 'no open pixel');
  assert.equal((await hit(`${server.url}/m/${jane.unsubscribes[0].split('/').pop()}`)).status, 404);
});

test('the tracking keys: administrators list and rotate, never see a secret', async () => {
  const list = await admin.get('/api/v1/tracking/keys');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((k) => [k.id, k.current, k.retiredAt]), [['k1', true, null]]);
  assert.ok(!('secret' in list.json.items[0]));
  const analyst = await userClient(server, admin, 'ann', 'analyst');
  assert.equal((await analyst.get('/api/v1/tracking/keys')).status, 403);
  const rotated = await admin.post('/api/v1/tracking/keys');
  assert.equal(rotated.status, 201, rotated.text);
  assert.equal(rotated.json.id, 'k2');
  assert.equal(rotated.json.current, true);
  const after = (await admin.get('/api/v1/tracking/keys')).json.items;
  assert.deepEqual(after.map((k) => [k.id, k.current]), [['k1', false], ['k2', true]]);
  // Links signed with k1 still work.
  assert.equal((await hit(jane.clicks[0])).status, 302);
});
